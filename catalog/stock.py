"""The one home of stock: every change of a product's quantity goes through this module, and
writes its :class:`StockMovement` ledger row in the same transaction.

- take (shop checkout and the inventory API's orders): :func:`stock_lock` +
  :func:`stock_take_locked`, or :func:`stock_take`;
- release (cancelled order, failed payment) and restock: :func:`stock_release`;
- adjust by a delta (the admin's "Change stock by"): :func:`stock_adjust`;
- set to a level (a product's create/update): :func:`stock_set_locked`;
- import a batch (the inventory API's upsert: new products with their stock, new levels):
  :func:`stock_import`.

Keys: products are named by primary key inside (release, adjust, set); take and lock receive
the public ids their callers hold (cart lines, the inventory API's request) because their
errors name those ids and their one locking statement finds the rows by them. Orders are
named by primary key (``order_id``): the catalog never imports ``orders``.

Rows are locked with ``SELECT … FOR UPDATE`` in primary-key order (so two buyers of the same
products in any order never deadlock), read under the lock, checked, then decremented in the
database (``SET quantity = quantity - n``); the ``quantity >= 0`` check constraint is the last
line of defence. Every change writes a :class:`StockMovement` row in the same transaction,
publishes the stock events of the products that crossed a line (``catalog.outbox``: out of stock,
back in stock, low) and invalidates the catalog cache on commit.

The statements are written by hand (``ecommerce.common.sql``): this is checkout's hot path,
and the ORM's per-statement compilation cost more CPU than the database's work (issue #5).

Query cost: one locking SELECT, one UPDATE per distinct product, one INSERT for the ledger.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from decimal import Decimal

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from ecommerce.common.exceptions import InvalidRequest
from ecommerce.common.sql import db_decimal

from .cache import catalog_changed
from .exceptions import InsufficientStock, ProductDiscontinued, ProductNotFound
from .models import Product, StockMovement, StockMovementReason
from .outbox import stock_changes_publish
from .queries import product_quantity_add, product_rows_lock, stock_movements_insert


@dataclass(frozen=True)
class StockLine:
    """A wanted quantity of one product, named by its public id."""

    product_public_id: str
    quantity: int


def stock_lines_merge(lines: Iterable[StockLine]) -> dict[str, int]:
    """Sum the quantities of repeated products: ``{public_id: total quantity}``, order kept."""
    merged: dict[str, int] = {}
    for line in lines:
        merged[line.product_public_id] = merged.get(line.product_public_id, 0) + line.quantity
    return merged


@dataclass(frozen=True)
class LockedProduct:
    """A product row as read under its lock (``quantity`` before any decrement), with the
    ``wanted`` quantity the caller asked for."""

    pk: int
    public_id: str
    name: str
    price: Decimal
    quantity: int
    discontinued: bool
    wanted: int


def stock_lock(
    *,
    quantities: Mapping[str, int] | None = None,
    product_quantities: Mapping[int, int] | None = None,
    manager_id: int | None = None,
) -> dict[int, LockedProduct]:
    """Lock the wanted products (in primary-key order) and check them; changes nothing. Must
    run inside a transaction.

    The products are named either by primary key, ``product_quantities`` ``{pk: quantity}``
    (the cart's lines), or at the API edge by public id, ``quantities`` ``{public id:
    quantity}`` (the inventory API's request); one locking ``SELECT`` reads both keys, so the
    errors name public ids either way. With ``manager_id``, only that manager's products count
    as existing. Raises :class:`ProductNotFound` (404), :class:`ProductDiscontinued` or
    :class:`InsufficientStock` (409), each naming every failing product in ``details``.
    Returns the locked rows keyed by primary key, in the order asked; pass them to
    :func:`stock_take_locked` in the same transaction.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("stock_lock() and stock_take() must run inside transaction.atomic()")
    by_public_id = quantities is not None
    wanted: Mapping[int, int] | Mapping[str, int] = (
        quantities if quantities is not None else (product_quantities or {})
    )
    if not wanted:
        return {}
    rows = product_rows_lock(
        list(wanted),  # type: ignore[arg-type]  # the keys of one kind
        by_public_id=by_public_id,
        manager_id=manager_id,
    )
    products = {
        (row[1] if by_public_id else row[0]): LockedProduct(
            row[0], row[1], row[2], db_decimal(row[3]), row[4], bool(row[5]), 0
        )
        for row in rows
    }

    missing = {str(key): "product not found" for key in wanted if key not in products}
    if missing:
        if not by_public_id:  # a cart line's product row is gone: no public id to name
            missing = {"product": "product not found"}
        raise ProductNotFound("One or more products do not exist.", details=missing)
    named = [(products[key], count) for key, count in wanted.items()]
    discontinued = {p.public_id: "product is discontinued" for p, _ in named if p.discontinued}
    if discontinued:
        raise ProductDiscontinued(details=discontinued)
    short = {
        p.public_id: f"requested {count}, available {p.quantity}" for p, count in named if p.quantity < count
    }
    if short:
        raise InsufficientStock(details=short)
    return {p.pk: replace(p, wanted=count) for p, count in named}


def stock_take_locked(*, locked: Mapping[int, LockedProduct], order_id: int | None = None) -> None:
    """Decrement the stock of products locked and checked by :func:`stock_lock` by their
    ``wanted`` quantity (one UPDATE per product, in primary-key order) and write the ledger
    rows, in the caller's transaction."""
    for pk in sorted(locked):
        product_quantity_add(pk, -locked[pk].wanted)
    _ledger_write(
        ((pk, -product.wanted) for pk, product in locked.items()),
        order_id=order_id,
        reason=StockMovementReason.SALE,
    )
    stock_changes_publish(
        {pk: (p.quantity, p.quantity - p.wanted) for pk, p in locked.items()},
        {pk: (p.public_id, p.name) for pk, p in locked.items()},
    )


def stock_take(
    *,
    quantities: Mapping[str, int] | None = None,
    product_quantities: Mapping[int, int] | None = None,
    order_id: int | None = None,
    manager_id: int | None = None,
) -> dict[int, LockedProduct]:
    """Lock, check and decrement stock (products named as for :func:`stock_lock`); all or nothing.

    :func:`stock_lock` then :func:`stock_take_locked`: must run inside a transaction (the
    caller's business operation); raises the errors of ``stock_lock``, and nothing is changed
    then. Returns the locked products by primary key (quantities as they were before the
    decrement).
    """
    locked = stock_lock(quantities=quantities, product_quantities=product_quantities, manager_id=manager_id)
    stock_take_locked(locked=locked, order_id=order_id)
    return locked


def stock_release(
    *, quantities: Mapping[int, int], order_id: int | None = None, reason: str = StockMovementReason.RELEASE
) -> None:
    """Give stock back: ``{product pk: quantity}`` (cancelled order, failed payment, restock).

    Must run inside a transaction. Increments in primary-key order, in the database.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("stock_release() must run inside transaction.atomic()")
    for pk in sorted(quantities):
        product_quantity_add(pk, quantities[pk])
    _ledger_write(quantities.items(), order_id=order_id, reason=reason)
    # stock.back_in for products that were at 0 (read after the increments, under their locks)
    after = dict(Product.objects.filter(pk__in=list(quantities)).values_list("pk", "quantity"))
    stock_changes_publish({pk: (now - quantities[pk], now) for pk, now in after.items()})


ADJUST_REASONS = frozenset({StockMovementReason.RESTOCK, StockMovementReason.ADJUSTMENT})


def stock_adjust(*, product_id: int, delta: int, reason: str, note: str = "") -> int:
    """Change one product's stock by ``delta`` units (a person's decision: a delivery, a count,
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
        changed = Product.objects.filter(pk=product_id, quantity__gte=max(0, -delta)).update(
            quantity=F("quantity") + delta, updated_at=timezone.now()
        )
        if not changed:
            current = Product.objects.filter(pk=product_id).values_list("quantity", flat=True).first()
            if current is None:
                raise ProductNotFound(details={"product": "product not found"})
            raise InsufficientStock(details={"delta": f"requested {delta}, available {current}"})
        StockMovement.objects.create(product_id=product_id, delta=delta, reason=reason, note=note[:255])
        catalog_changed()
        quantity = Product.objects.values_list("quantity", flat=True).get(pk=product_id)
        stock_changes_publish({product_id: (quantity - delta, quantity)})
        return quantity


def stock_set_locked(
    *,
    levels: Mapping[int, tuple[int, int]],
    reason: str | None = None,
    note: str = "",
    publish: bool = True,
) -> dict[int, int]:
    """Set products to new stock levels: ``{product pk: (quantity now, new quantity)}``, where
    "quantity now" was read under the caller's row lock in this transaction. Writes only the
    products whose level changes (``bulk_update``: one statement per batch) and one ledger row
    each, with ``reason`` (default: ``restock`` for an increase, ``adjustment`` for a decrease)
    and ``note``.

    Used by a product's create and update (catalog services, the admin). Must run inside a
    transaction; raises ``InvalidRequest`` (400) for a negative level. Returns ``{product pk:
    delta}`` of the products changed. ``publish=False``: no stock event (a new product's initial
    stock).
    """
    return stock_import(created=(), levels=levels, reason=reason, note=note, publish=publish)


def stock_import(
    *,
    created: Sequence[Product],
    levels: Mapping[int, tuple[int, int]],
    reason: str | None = None,
    note: str = "",
    publish: bool = True,
) -> dict[int, int]:
    """A batch of stock levels (the inventory API's upsert): inserts the new, unsaved products of
    ``created`` with their initial ``quantity`` (one bulk ``INSERT``; their primary keys are set
    on the instances), sets the existing ones as :func:`stock_set_locked` does, and writes one
    ledger row per product whose stock changed, all in one ``INSERT`` (a new product's opening
    row carries the product's ``created_at``: the demo seeding backdates both). Must run inside a
    transaction; returns ``{product pk: delta}``.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("stock_import() and stock_set_locked() must run inside transaction.atomic()")
    if any(new < 0 for _, new in levels.values()) or any(p.quantity < 0 for p in created):
        raise InvalidRequest("Stock cannot be negative.", details={"quantity": "must be ≥ 0"})
    if created:
        Product.objects.bulk_create(created)
        if any(product.pk is None for product in created):  # pragma: no cover - MySQL (no RETURNING)
            pks = dict(
                Product.objects.filter(public_id__in=[p.public_id for p in created]).values_list(
                    "public_id", "pk"
                )
            )
            for product in created:
                product.pk = pks[product.public_id]
    deltas = {product.pk: product.quantity for product in created if product.quantity}
    changed = {pk: new - now for pk, (now, new) in levels.items() if new != now}
    at = timezone.now()
    if changed:
        Product.objects.bulk_update(
            [Product(pk=pk, quantity=levels[pk][1], updated_at=at) for pk in sorted(changed)],
            ["quantity", "updated_at"],
        )
    deltas.update(changed)
    if not deltas:
        return {}
    if publish:
        stock_changes_publish({pk: levels[pk] for pk in changed})
    opened = {product.pk: product.created_at for product in created}
    StockMovement.objects.bulk_create(
        StockMovement(
            product_id=pk,
            delta=delta,
            reason=reason or (StockMovementReason.RESTOCK if delta > 0 else StockMovementReason.ADJUSTMENT),
            note=note[:255],
            created_at=opened.get(pk, at),  # a new product's opening stock is dated with the product
        )
        for pk, delta in deltas.items()
    )
    catalog_changed()
    return deltas


def stock_history_write(movements: Sequence[StockMovement]) -> None:
    """Backdated ledger rows that leave every product's quantity as it is: a history of sales,
    releases and the restock that preceded them (the demo's past orders). Refuses rows that do
    not sum to zero per product, so the ledger still sums to the quantity."""
    net: dict[int, int] = {}
    for movement in movements:
        net[movement.product_id] = net.get(movement.product_id, 0) + movement.delta
    unbalanced = sorted(pk for pk, delta in net.items() if delta)
    if unbalanced:
        raise ValueError(f"ledger history would change the stock of products {unbalanced[:5]}")
    StockMovement.objects.bulk_create(movements, batch_size=1000)


def _ledger_write(deltas: Iterable[tuple[int, int]], *, order_id: int | None, reason: str) -> None:
    """One :class:`StockMovement` row per ``(product pk, delta)``; the catalog cache is
    invalidated when the transaction commits."""
    stock_movements_insert(deltas, order_id=order_id, reason=reason, at=timezone.now())
    catalog_changed()
