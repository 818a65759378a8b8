"""The one home of stock: every change of a variant's quantity goes through this module, and
writes its :class:`StockMovement` ledger row in the same transaction.

Stock lives on :class:`~catalog.models.ProductVariant` rows (issue #15); a product's stock is
the total of its active variants', read by the product queries (``ProductQuerySet.with_stock``)
and never written in a buyer's transaction, so two buyers of two variants of one product never
wait for each other.

- take (shop checkout and the inventory API's orders): :func:`stock_lock` +
  :func:`stock_take_locked`, or :func:`stock_take`;
- release (cancelled order, failed payment) and restock: :func:`stock_release`;
- adjust by a delta (the admin's "Change stock by"): :func:`stock_adjust`;
- set to a level (a variant's create/update): :func:`stock_set_locked`;
- import a batch (the inventory API's upsert, new products and variants with their stock, new
  levels): :func:`stock_import`.

Keys: variants are named by primary key inside (release, adjust, set, the cart's lines); at the
API edge (the inventory API) by public id, a variant's or, for a product with exactly one
active variant, the product's (a product with several is :class:`VariantRequired`). Errors
name the ids the caller used. Orders are named by primary key (``order_id``): the catalog
never imports ``orders``.

Rows are locked with ``SELECT … FOR UPDATE`` in primary-key order (so two buyers of the same
variants in any order never deadlock), read under the lock, checked, then decremented in the
database (``SET quantity = quantity - n``); the ``quantity >= 0`` check constraint on the
variant is the last line of defence. Every change writes a :class:`StockMovement` row (with its
variant and product) in the same transaction, publishes the stock events of the variants that
crossed a line (``catalog.outbox``: out of stock, back in stock, low) and invalidates the
catalog cache on commit.

The statements are written by hand (``catalog.queries``): this is checkout's hot path, and the
ORM's per-statement compilation cost more CPU than the database's work (issue #5).

Query cost: one locking SELECT, one UPDATE per distinct variant, one INSERT for the ledger. At
the API edge the locking SELECT finds variants by their ids and products' variants by the
products' ids (a product with several variants is refused after the lock, which the refusal's
rollback releases).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from ecommerce.common.exceptions import InvalidRequest
from ecommerce.common.sql import db_decimal

from .cache import catalog_changed
from .exceptions import InsufficientStock, ProductDiscontinued, ProductNotFound, VariantRequired
from .models import Product, ProductVariant, StockMovement, StockMovementReason, TaxClass
from .outbox import stock_changes_publish
from .queries import stock_movements_insert, variant_quantity_add, variant_rows_lock

# Rows per bulk_update statement: its CASE WHEN pk = … has one branch per row, which the database
# tries for every row, so one statement for 10,000 variants costs 10,000² comparisons (a CSV
# import of 10,000 rows: 30 s in one statement, under 1 s in batches; docs/benchmarks.md).
BULK_UPDATE_BATCH = 200


def default_sku(slug: str, pk: int) -> str:
    """The generated SKU of a product's default variant: ``<SLUG>-<product pk>`` (unique
    because the pk is; the same rule as migration ``catalog`` 0005)."""
    return f"{slug[:40].upper()}-{pk}"


@dataclass(frozen=True)
class StockLine:
    """A wanted quantity of one variant, named by its public id (or its product's)."""

    product_public_id: str
    quantity: int


def stock_lines_merge(lines: Iterable[StockLine]) -> dict[str, int]:
    """Sum the quantities of repeated ids: ``{public_id: total quantity}``, order kept."""
    merged: dict[str, int] = {}
    for line in lines:
        merged[line.product_public_id] = merged.get(line.product_public_id, 0) + line.quantity
    return merged


@dataclass(frozen=True)
class LockedVariant:
    """A variant row as read under its lock (``quantity`` before any decrement), with its
    product's name and public id, the ``wanted`` quantity and the ``key`` the caller named it
    by (a public id; the variant's own for the cart's lines)."""

    pk: int
    public_id: str
    product_id: int
    product_public_id: str
    name: str
    sku: str
    options: dict[str, Any]
    price: Decimal
    quantity: int
    discontinued: bool
    wanted: int
    key: str = ""
    is_active: bool = True
    tax_class: str = TaxClass.STANDARD  # what the checkout prices with (orders.pricing)
    weight_grams: int | None = None


LockedProduct = LockedVariant  # the v1 name


def _options(value: Any) -> dict[str, Any]:
    """A JSON column as the driver returns it (a dict on PostgreSQL, text elsewhere)."""
    if isinstance(value, str):
        return dict(json.loads(value))
    return dict(value or {})


def _key(variant: LockedVariant) -> str:
    """How errors name a cart line's variant: by its product's id when it is the product's only
    variant (no options), else by its own id."""
    return variant.public_id if variant.options else variant.product_public_id


def _lock_rows(rows: Sequence[tuple[Any, ...]]) -> dict[int, LockedVariant]:
    return {
        int(row[0]): LockedVariant(
            pk=int(row[0]),
            public_id=row[1],
            product_id=int(row[2]),
            sku=row[3],
            options=_options(row[4]),
            price=db_decimal(row[5]),
            quantity=int(row[6]),
            is_active=bool(row[7]),
            product_public_id=row[8],
            name=row[9],
            discontinued=bool(row[10]),
            wanted=0,
            tax_class=row[11],
            weight_grams=row[12],
        )
        for row in rows
    }


def _keys_resolve(
    quantities: Mapping[str, int], locked: Mapping[int, LockedVariant]
) -> dict[int, tuple[str, int]]:
    """``{variant pk: (the caller's key, quantity)}`` for public ids of variants or of products
    with one active variant, from the rows locked for them. Raises :class:`ProductNotFound`
    (unknown ids) or :class:`VariantRequired` (products with several active variants)."""
    resolved: dict[int, tuple[str, int]] = {}
    missing: dict[str, str] = {}
    ambiguous: dict[str, list[str]] = {}
    for key, count in quantities.items():
        if key.startswith("var_"):
            rows = [v for v in locked.values() if v.public_id == key]
        else:
            rows = [v for v in locked.values() if v.product_public_id == key]
            if len(rows) > 1:
                active = [v for v in rows if v.is_active]
                if len(active) != 1:
                    ambiguous[key] = [v.public_id for v in sorted(rows, key=lambda v: v.pk)]
                    continue
                rows = active
        if not rows:
            missing[key] = "product not found"
            continue
        pk = rows[0].pk
        previous = resolved.get(pk)
        resolved[pk] = (previous[0] if previous else key, count + (previous[1] if previous else 0))
    if missing:
        raise ProductNotFound("One or more products do not exist.", details=missing)
    if ambiguous:
        raise VariantRequired(details=ambiguous)
    return resolved


def stock_lock(
    *,
    quantities: Mapping[str, int] | None = None,
    variant_quantities: Mapping[int, int] | None = None,
    manager_id: int | None = None,
) -> dict[int, LockedVariant]:
    """Lock the wanted variants (in primary-key order) and check them; changes nothing. Must
    run inside a transaction.

    The variants are named either by primary key, ``variant_quantities`` ``{pk: quantity}``
    (the cart's lines), or at the API edge by public id, ``quantities`` ``{public id:
    quantity}`` (the inventory API's request: a variant id, or the id of a product with one
    active variant). With ``manager_id``, only that manager's products count as existing.
    Raises :class:`ProductNotFound` (404), :class:`VariantRequired` (400),
    :class:`ProductDiscontinued` (409: the product is discontinued or the variant inactive) or
    :class:`InsufficientStock` (409), each naming every failing id in ``details``. Returns the
    locked rows keyed by variant primary key, in the order asked; pass them to
    :func:`stock_take_locked` in the same transaction.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("stock_lock() and stock_take() must run inside transaction.atomic()")
    if quantities:
        variants = _lock_rows(variant_rows_lock(public_ids=list(quantities), manager_id=manager_id))
        wanted = _keys_resolve(quantities, variants)
    else:
        wanted = {pk: ("", count) for pk, count in (variant_quantities or {}).items()}
        if not wanted:
            return {}
        variants = _lock_rows(variant_rows_lock(pks=list(wanted), manager_id=manager_id))
    missing = [pk for pk in wanted if pk not in variants]
    if missing:  # gone since resolved, or a cart line's variant row is gone
        details = {wanted[pk][0] or "product": "product not found" for pk in missing}
        raise ProductNotFound("One or more products do not exist.", details=details)
    named = [
        replace(variants[pk], wanted=count, key=key or _key(variants[pk]))
        for pk, (key, count) in wanted.items()
    ]
    discontinued = {v.key: "product is discontinued" for v in named if v.discontinued or not v.is_active}
    if discontinued:
        raise ProductDiscontinued(details=discontinued)
    short = {v.key: f"requested {v.wanted}, available {v.quantity}" for v in named if v.quantity < v.wanted}
    if short:
        raise InsufficientStock(details=short)
    return {v.pk: v for v in named}


def stock_take_locked(*, locked: Mapping[int, LockedVariant], order_id: int | None = None) -> None:
    """Decrement the stock of variants locked and checked by :func:`stock_lock` by their
    ``wanted`` quantity (one UPDATE per variant, in primary-key order) and write the ledger
    rows, in the caller's transaction."""
    for pk in sorted(locked):
        variant_quantity_add(pk, -locked[pk].wanted)
    _ledger_write(
        ((v.product_id, pk, -v.wanted) for pk, v in locked.items()),
        order_id=order_id,
        reason=StockMovementReason.SALE,
    )
    stock_changes_publish(
        {pk: (v.quantity, v.quantity - v.wanted) for pk, v in locked.items()},
        {pk: (v.product_public_id, v.name, v.public_id, v.sku) for pk, v in locked.items()},
    )


def stock_take(
    *,
    quantities: Mapping[str, int] | None = None,
    variant_quantities: Mapping[int, int] | None = None,
    order_id: int | None = None,
    manager_id: int | None = None,
) -> dict[int, LockedVariant]:
    """Lock, check and decrement stock (variants named as for :func:`stock_lock`); all or
    nothing. Must run inside a transaction (the caller's business operation); raises the
    errors of ``stock_lock``, and nothing is changed then. Returns the locked variants by
    primary key (quantities as they were before the decrement)."""
    locked = stock_lock(quantities=quantities, variant_quantities=variant_quantities, manager_id=manager_id)
    stock_take_locked(locked=locked, order_id=order_id)
    return locked


def _product_ids(variant_pks: Iterable[int]) -> dict[int, int]:
    return dict(ProductVariant.objects.filter(pk__in=list(variant_pks)).values_list("pk", "product_id"))


def stock_release(
    *,
    quantities: Mapping[int, int],
    order_id: int | None = None,
    reason: str = StockMovementReason.RELEASE,
    product_ids: Mapping[int, int] | None = None,
) -> None:
    """Give stock back: ``{variant pk: quantity}`` (cancelled order, failed payment, restock).
    ``product_ids`` ``{variant pk: product pk}``, when the caller holds them (an order's lines),
    spares reading them.

    Must run inside a transaction. Increments in primary-key order, in the database.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("stock_release() must run inside transaction.atomic()")
    if not quantities:
        return
    products = (
        dict(product_ids) if product_ids and set(quantities) <= set(product_ids) else _product_ids(quantities)
    )
    missing = [pk for pk in quantities if pk not in products]
    if missing:
        raise ProductNotFound(details={"variant": "variant not found"})
    for pk in sorted(quantities):
        variant_quantity_add(pk, quantities[pk])
    _ledger_write(
        ((products[pk], pk, count) for pk, count in quantities.items()), order_id=order_id, reason=reason
    )
    # stock.back_in for variants that were at 0 (read after the increments, under their locks)
    after = dict(ProductVariant.objects.filter(pk__in=list(quantities)).values_list("pk", "quantity"))
    stock_changes_publish({pk: (now - quantities[pk], now) for pk, now in after.items()})


ADJUST_REASONS = frozenset({StockMovementReason.RESTOCK, StockMovementReason.ADJUSTMENT})


def stock_adjust(*, variant_id: int, delta: int, reason: str, note: str = "") -> int:
    """Change one variant's stock by ``delta`` units (a person's decision: a delivery, a count,
    breakage) and write the ledger row with ``reason`` and ``note``; returns the new quantity.

    ``reason`` is ``restock`` (``delta`` > 0) or ``adjustment`` (either sign). One conditional
    ``UPDATE … SET quantity = quantity + delta WHERE quantity >= -delta`` in the database, so a
    concurrent checkout is never overwritten. Raises :class:`ProductNotFound` (404),
    :class:`InsufficientStock` (409: fewer units than the decrease) or ``InvalidRequest`` (400:
    zero delta, unknown reason, a negative restock); nothing is changed then. Owns its
    transaction (nested in the caller's when there is one, e.g. the admin's).
    """
    if delta == 0:
        raise InvalidRequest("The change must not be zero.", details={"delta": "must not be 0"})
    if reason not in ADJUST_REASONS:
        raise InvalidRequest("Unknown reason.", details={"reason": f"one of {sorted(ADJUST_REASONS)}"})
    if reason == StockMovementReason.RESTOCK and delta < 0:
        raise InvalidRequest("A restock adds units.", details={"delta": "must be positive for a restock"})
    with transaction.atomic():
        changed = ProductVariant.objects.filter(pk=variant_id, quantity__gte=max(0, -delta)).update(
            quantity=F("quantity") + delta, updated_at=timezone.now()
        )
        row = ProductVariant.objects.filter(pk=variant_id).values_list("quantity", "product_id").first()
        if row is None:
            raise ProductNotFound(details={"variant": "variant not found"})
        if not changed:
            raise InsufficientStock(details={"delta": f"requested {delta}, available {row[0]}"})
        StockMovement.objects.create(
            product_id=row[1], variant_id=variant_id, delta=delta, reason=reason, note=note[:255]
        )
        catalog_changed()
        stock_changes_publish({variant_id: (int(row[0]) - delta, int(row[0]))})
        return int(row[0])


def stock_set_locked(
    *,
    levels: Mapping[int, tuple[int, int]],
    reason: str | None = None,
    note: str = "",
    product_ids: Mapping[int, int] | None = None,
    publish: bool = True,
) -> dict[int, int]:
    """Set variants to new stock levels: ``{variant pk: (quantity now, new quantity)}``, where
    "quantity now" was read under the caller's row lock in this transaction. Writes only the
    variants whose level changes (``bulk_update``: one statement per batch) and one ledger row
    each, with ``reason`` (default: ``restock`` for an increase, ``adjustment`` for a decrease)
    and ``note``.

    Used by a product's and a variant's create and update (catalog services, the admin). Must
    run inside a transaction; raises ``InvalidRequest`` (400) for a negative level. Returns
    ``{variant pk: delta}`` of the variants changed. ``publish=False``: no stock event.
    """
    return stock_import(
        created=(), levels=levels, reason=reason, note=note, product_ids=product_ids, publish=publish
    )


def stock_import(
    *,
    created: Sequence[Product],
    levels: Mapping[int, tuple[int, int]],
    reason: str | None = None,
    note: str = "",
    created_variants: Sequence[ProductVariant] = (),
    product_ids: Mapping[int, int] | None = None,
    publish: bool = True,
) -> dict[int, int]:
    """A batch of stock levels (the inventory API's upsert, the admin's nested writes, CSV
    import).

    Inserts the new, unsaved products of ``created`` (one bulk ``INSERT``; their primary keys
    are set on the instances), each without options with its default variant (no options, the
    product's price, its ``quantity`` as opening stock, a generated SKU); inserts the new,
    unsaved variants in ``created_variants`` (of existing products, or of products with options
    in ``created``, set as their ``product``) with their ``quantity``; sets existing variants as
    :func:`stock_set_locked` does (``product_ids`` ``{variant pk: product pk}`` of those, when
    the caller holds them, spares reading them); and writes one ledger row per variant whose
    stock changed,
    all in one ``INSERT`` (a new product's opening row carries the product's ``created_at``:
    the demo seeding backdates both). Must run inside a transaction; returns ``{variant pk:
    delta}``.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("stock_import() and stock_set_locked() must run inside transaction.atomic()")
    if (
        any(new < 0 for _, new in levels.values())
        or any(p.quantity < 0 for p in created)
        or any(v.quantity < 0 for v in created_variants)
    ):
        raise InvalidRequest("Stock cannot be negative.", details={"quantity": "must be ≥ 0"})
    opened: dict[int, Any] = {}
    new_variants = list(created_variants)
    if created:
        Product.objects.bulk_create(created)
        _pks_fetch(Product, created, "public_id")
        for product in created:
            if product.options:  # a product with options: its variants are in created_variants
                continue
            new_variants.append(
                ProductVariant(
                    product_id=product.pk,
                    sku=default_sku(product.slug, product.pk),
                    price=product.price,
                    quantity=product.quantity,
                    created_at=product.created_at,
                    updated_at=product.updated_at,
                )
            )
    if new_variants:
        ProductVariant.objects.bulk_create(new_variants)  # product_id from a new product's pk
        _pks_fetch(ProductVariant, new_variants, "public_id")
        opened = {v.pk: v.created_at for v in new_variants}
    deltas = {v.pk: v.quantity for v in new_variants if v.quantity}
    products = {v.pk: v.product_id for v in new_variants}
    changed = {pk: new - now for pk, (now, new) in levels.items() if new != now}
    at = timezone.now()
    if changed:
        ProductVariant.objects.bulk_update(
            [ProductVariant(pk=pk, quantity=levels[pk][1], updated_at=at) for pk in sorted(changed)],
            ["quantity", "updated_at"],
            batch_size=BULK_UPDATE_BATCH,
        )
        known = product_ids or {}
        products.update(
            {pk: known[pk] for pk in changed} if set(changed) <= set(known) else _product_ids(changed)
        )
    deltas.update(changed)
    if not deltas:
        return {}
    if publish:  # new products' and variants' opening stock publishes no stock event
        stock_changes_publish({pk: levels[pk] for pk in changed})
    StockMovement.objects.bulk_create(
        StockMovement(
            product_id=products[pk],
            variant_id=pk,
            delta=delta,
            reason=reason or (StockMovementReason.RESTOCK if delta > 0 else StockMovementReason.ADJUSTMENT),
            note=note[:255],
            created_at=opened.get(pk, at),  # a new variant's opening stock is dated with it
        )
        for pk, delta in deltas.items()
    )
    catalog_changed()
    return deltas


def _pks_fetch(model: type[Product] | type[ProductVariant], objs: Sequence[Any], key: str) -> None:
    """Set the primary keys of freshly bulk-inserted rows where the database does not return
    them (MySQL/MariaDB: no ``RETURNING``)."""
    if all(obj.pk is not None for obj in objs):
        return
    pks = dict(  # pragma: no cover - MySQL
        model.objects.filter(**{f"{key}__in": [getattr(o, key) for o in objs]}).values_list(key, "pk")
    )
    for obj in objs:  # pragma: no cover - MySQL
        obj.pk = pks[getattr(obj, key)]


def stock_history_write(movements: Sequence[StockMovement]) -> None:
    """Backdated ledger rows that leave every variant's quantity as it is: a history of sales,
    releases and the restock that preceded them (the demo's past orders). Refuses rows that do
    not sum to zero per variant, so the ledger still sums to the quantity."""
    net: dict[int, int] = {}
    for movement in movements:
        net[movement.variant_id] = net.get(movement.variant_id, 0) + movement.delta
    unbalanced = sorted(pk for pk, delta in net.items() if delta)
    if unbalanced:
        raise ValueError(f"ledger history would change the stock of variants {unbalanced[:5]}")
    StockMovement.objects.bulk_create(movements, batch_size=1000)


def _ledger_write(deltas: Iterable[tuple[int, int, int]], *, order_id: int | None, reason: str) -> None:
    """One :class:`StockMovement` row per ``(product pk, variant pk, delta)``; the catalog cache
    is invalidated when the transaction commits."""
    stock_movements_insert(deltas, order_id=order_id, reason=reason, at=timezone.now())
    catalog_changed()
