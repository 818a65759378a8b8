"""Writes of the store-manager inventory API: batch upsert, discontinue, order processing, and
the audit record of every request.

Each business operation owns its transaction (``atomic(durable=True)``). Every product write
calls :func:`catalog.cache.catalog_changed` inside it, so cached listings (this API's and the
shop's) are invalidated on commit. Every quantity change goes through ``catalog.stock``, which
writes its ``StockMovement`` row.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django.utils import timezone

from accounts.models import StoreManager
from catalog.cache import catalog_changed
from catalog.exceptions import ProductNotFound, VariantRequired
from catalog.models import Product, ProductVariant
from catalog.outbox import product_event_data, products_publish
from catalog.slugs import unique_slugs
from catalog.stock import StockLine, stock_import, stock_lines_merge
from ecommerce.common.db import retry_on_conflict
from ecommerce.common.exceptions import InvalidRequest
from ecommerce.events.outbox import events_publish
from orders.models import Order, OrderChannel, OrderStatus
from orders.services import OrderRecord, order_create

from .models import AuditEvent

logger = logging.getLogger("ecommerce.inventory")

MAX_BATCH = 1000
# A concurrent writer may take a slug between allocation and insert; the unique index refuses
# the row and the whole batch is retried from scratch.
UPSERT_ATTEMPTS = 3


@dataclass(frozen=True)
class ProductInput:
    """One validated item of a batch upsert."""

    name: str
    price: Decimal
    quantity: int
    public_id: str | None = None


@dataclass
class UpsertResult:
    products: list[Product]  # in the order of the request's items
    changes: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class ProcessResult:
    order: Order
    changes: list[dict[str, Any]] = field(default_factory=list)


def product_snapshot(product: Product) -> dict[str, Any]:
    """The audited state of a product (price as an exact decimal string)."""
    return {"price": str(product.price), "quantity": product.quantity, "discontinued": product.discontinued}


def _change(product: Product, action: str, before: dict[str, Any] | None) -> dict[str, Any]:
    return {
        "product_id": product.public_id,
        "name": product.name,
        "action": action,
        "before": before,
        "after": product_snapshot(product),
    }


def _manager_lock_or_create(*, external_id: str) -> StoreManager:
    """The manager row, locked (serialises batches of one manager), created on first use."""
    manager = StoreManager.objects.select_for_update().filter(external_id=external_id).first()
    if manager is None:
        try:
            with transaction.atomic():  # a savepoint: the insert may lose a race
                manager = StoreManager.objects.create(external_id=external_id)
        except IntegrityError:  # another request created it a moment ago
            manager = StoreManager.objects.select_for_update().get(external_id=external_id)
    return manager


def _resolve_targets(*, manager: StoreManager, items: Sequence[ProductInput]) -> list[Product | None]:
    """Match each item to this manager's product (by id, else by exact name) or ``None`` (new).

    Locks the matched rows in primary-key order. Raises ``ProductNotFound`` for an unknown or
    foreign id and ``InvalidRequest`` when two items name the same product.
    """
    ids = [item.public_id for item in items if item.public_id]
    names = [item.name for item in items if not item.public_id]
    # Lock order (``catalog.services.product_lock``'s rule, so a buyer, who holds variants and
    # then needs a shared lock on their products for its foreign keys, never deadlocks with it):
    # PostgreSQL locks the products FOR NO KEY UPDATE (which that shared lock does not wait for),
    # then their variants; MariaDB (any row lock blocks the foreign-key check) the variants
    # first, then the products. A product made here has exactly one variant; one with several
    # (made in the admin) cannot take a single price and quantity.
    no_key = connection.features.has_select_for_no_key_update
    matching = Product.objects.filter(manager=manager).filter(Q(public_id__in=ids) | Q(name__in=names))
    variants: dict[int, list[ProductVariant]] = {}

    def variants_lock(product_pks: list[int]) -> None:
        locked = ProductVariant.objects.select_for_update().filter(product_id__in=product_pks).order_by("pk")
        for variant in locked:
            variants.setdefault(variant.product_id, []).append(variant)

    if not no_key:
        variants_lock(list(matching.order_by("pk").values_list("pk", flat=True)))
    existing = list(matching.select_for_update(no_key=no_key).order_by("pk"))
    unlocked = [row.pk for row in existing if row.pk not in variants]  # all of them on PostgreSQL
    if unlocked:
        variants_lock(unlocked)
    for row in existing:
        own = variants.get(row.pk, [])
        row.quantity = sum(v.quantity for v in own if v.is_active)
        row.default_variant = own[0] if own else None  # type: ignore[attr-defined]
        row.variant_count = len(own)  # type: ignore[attr-defined]
    by_id = {product.public_id: product for product in existing}
    by_name: dict[str, Product] = {}
    product: Product | None  # below: a lookup that may miss
    for product in existing:  # exact, case-sensitive match in Python (MariaDB compares without case)
        by_name.setdefault(product.name, product)

    missing: dict[str, str] = {}
    duplicates: dict[str, str] = {}
    claimed: dict[int, int] = {}
    new_names: dict[str, int] = {}
    targets: list[Product | None] = []
    for index, item in enumerate(items):
        if item.public_id:
            product, key = by_id.get(item.public_id), f"products.{index}.id"
            if product is None:
                missing[key] = "No product with this id belongs to this manager."
        else:
            product, key = by_name.get(item.name), f"products.{index}.name"
        if product is not None:
            if product.pk in claimed:
                duplicates[key] = f"Names the same product as products.{claimed[product.pk]}."
            claimed.setdefault(product.pk, index)
        elif not item.public_id:
            if item.name in new_names:
                duplicates[key] = f"Same name as products.{new_names[item.name]}."
            new_names.setdefault(item.name, index)
        targets.append(product)
    if missing:
        raise ProductNotFound("One or more product ids do not belong to this manager.", details=missing)
    several = {
        str(index): [v.public_id for v in variants[target.pk]]
        for index, target in enumerate(targets)
        if target is not None and target.variant_count > 1  # type: ignore[attr-defined]
    }
    if several:
        raise VariantRequired(
            "A product with several variants takes its price and stock per variant.",
            details={f"products.{index}": ids for index, ids in several.items()},
        )
    if duplicates:
        raise InvalidRequest("A batch may name each product only once.", details=duplicates)
    return targets


def _upsert_once(*, manager_external_id: str, items: Sequence[ProductInput]) -> UpsertResult:
    with transaction.atomic(durable=True):
        manager = _manager_lock_or_create(external_id=manager_external_id)
        targets = _resolve_targets(manager=manager, items=items)
        now = timezone.now()
        result = UpsertResult(products=[])
        to_create: list[Product] = []
        to_update: list[Product] = []
        levels: dict[int, tuple[int, int]] = {}  # default variants: pk → (quantity now, new)
        repriced: list[ProductVariant] = []
        variant_products: dict[int, int] = {}  # the default variants changed: pk → product pk
        for item, product in zip(items, targets, strict=True):
            if product is None:
                product = Product(manager=manager, name=item.name, price=item.price)
                product.quantity = item.quantity
                to_create.append(product)
                result.changes.append(_change(product, "created", None))
            else:
                before = product_snapshot(product)
                renamed = product.name != item.name or product.price != item.price
                if renamed or item.quantity != product.quantity:
                    variant = product.default_variant  # type: ignore[attr-defined]
                    levels[variant.pk] = (product.quantity, item.quantity)
                    variant_products[variant.pk] = product.pk
                    if variant.price != item.price:
                        variant.price, variant.updated_at = item.price, now
                        repriced.append(variant)
                    product.name, product.price, product.quantity = item.name, item.price, item.quantity
                    product.updated_at = now
                    if renamed:
                        to_update.append(product)
                    result.changes.append(_change(product, "updated", before))
                else:
                    result.changes.append(_change(product, "unchanged", before))
            result.products.append(product)

        if to_create:
            for product, slug in zip(
                to_create, unique_slugs(Product, [p.name for p in to_create]), strict=True
            ):
                product.slug = slug
        if to_update:
            Product.objects.bulk_update(to_update, ["name", "price", "updated_at"])
        if repriced:
            ProductVariant.objects.bulk_update(repriced, ["price", "updated_at"])
        # New products with their stock, new quantities, and their ledger rows (restock up,
        # adjustment down): the stock module.
        stock_import(created=to_create, levels=levels, product_ids=variant_products)
        if to_create or to_update:
            catalog_changed()
        # product.created / product.updated (a new name, price or quantity): one INSERT
        events_publish(
            [("product.created", product_event_data(p, manager_id=manager.external_id)) for p in to_create]
            + [
                ("product.updated", product_event_data(p, manager_id=manager.external_id))
                for p in result.products
                if p.pk in variant_products.values() or p in to_update
            ]
        )
    return result


def inventory_products_upsert(*, manager_external_id: str, items: Sequence[ProductInput]) -> UpsertResult:
    """Create or update a batch of a manager's products, all or nothing.

    Each item updates the product with its ``public_id`` (which must be this manager's, else
    ``ProductNotFound``), else this manager's product with exactly the same name (the oldest,
    if several), else creates a product. The manager is created on first use. Quantity changes
    go to the stock ledger (``restock`` up, ``adjustment`` down). A bounded number of queries
    whatever the batch size. Returns the stored products in item order and the audit changes.
    """
    if not items or len(items) > MAX_BATCH:
        raise InvalidRequest(details={"products": f"Send between 1 and {MAX_BATCH} products."})
    return retry_on_conflict(
        lambda: _upsert_once(manager_external_id=manager_external_id, items=items),
        attempts=UPSERT_ATTEMPTS,
        also_retry=(IntegrityError,),
    )


def inventory_product_discontinue(
    *, manager_external_id: str, product_public_id: str
) -> list[dict[str, Any]]:
    """Mark one of the manager's products discontinued; idempotent.

    Raises ``ProductNotFound`` for an unknown product or another manager's. Returns the audit
    changes (empty when it was already discontinued).
    """
    with transaction.atomic(durable=True):
        product = (
            Product.objects.select_for_update(no_key=connection.features.has_select_for_no_key_update)
            .filter(public_id=product_public_id, manager__external_id=manager_external_id)
            .first()
        )
        if product is None:
            raise ProductNotFound(
                "No product with this id belongs to this manager.",
                details={"product_id": "No product with this id belongs to this manager."},
            )
        if product.discontinued:
            return []
        before = product_snapshot(product)
        product.discontinued = True
        product.save(update_fields=["discontinued", "updated_at"])
        products_publish("product.discontinued", [product], manager_id=manager_external_id)
        catalog_changed()
    return [_change(product, "discontinued", before)]


def inventory_order_process(
    *, manager_external_id: str, customer_ref: str, customer_email: str, lines: Sequence[StockLine]
) -> ProcessResult:
    """Create a paid order for the manager's products and take the stock, all or nothing.

    Repeated products are summed first. Goes through ``order_create_with_stock`` (the shop's
    checkout path): raises ``ProductNotFound`` (404), ``ProductDiscontinued`` or
    ``InsufficientStock`` (409), each naming the products in ``details``. The order is stored
    as ``paid``: payment is settled outside this system.
    """
    quantities = stock_lines_merge(lines)

    def process() -> OrderRecord:
        with transaction.atomic(durable=True):
            manager = StoreManager.objects.filter(external_id=manager_external_id).first()
            if manager is None:  # a manager with no products: none of them exists
                raise ProductNotFound(details=dict.fromkeys(quantities, "product not found"))
            return order_create(
                channel=OrderChannel.INVENTORY_API,
                quantities=quantities,
                manager=manager,
                customer_ref=customer_ref,
                customer_email=customer_email,
                status=OrderStatus.PAID,
                actor_label=manager.external_id,
            )

    record = retry_on_conflict(process)
    # The product rows as locked (quantities before the sale): nothing is read again.
    changes = []
    for product in record.products.values():
        before = {
            "price": str(product.price),
            "quantity": product.quantity,
            "discontinued": product.discontinued,
        }
        changes.append(
            {
                "product_id": product.key,
                "name": product.name,
                "action": "sold",
                "before": before,
                "after": {**before, "quantity": product.quantity - product.wanted},
            }
        )
    order = record.order
    return ProcessResult(order=order, changes=changes)


def audit_event_record(
    *,
    request_id: str,
    manager_external_id: str,
    client_ip: str | None,
    api_key_prefix: str = "",
    method: str,
    path: str,
    status_code: int,
    error_code: str,
    duration_ms: float,
    order_public_id: str = "",
    changes: Sequence[dict[str, Any]] = (),
) -> AuditEvent | None:
    """Store the audit row of one inventory API request; never raises (logs instead).

    Runs after the business transaction, so a refused or rolled-back request is audited too.
    """
    try:
        with transaction.atomic():
            return AuditEvent.objects.create(
                request_id=request_id[:128],
                manager_external_id=manager_external_id[:64],
                api_key_prefix=api_key_prefix[:32],
                client_ip=client_ip or None,
                method=method[:8],
                path=path[:255],
                status_code=status_code,
                error_code=error_code[:32],
                duration_ms=round(duration_ms, 2),
                order_public_id=order_public_id,
                changes=list(changes),
            )
    except Exception:  # noqa: BLE001 - the audit must never break the request it records
        logger.exception("inventory audit event could not be written", extra={"path": path})
        return None
