"""The one stock service: take and give back stock, for shop checkout and the inventory API.

Rows are locked with ``SELECT … FOR UPDATE`` in primary-key order (so two buyers of the same
products in any order never deadlock), re-read under the lock, checked, then decremented with
``F()`` expressions; the ``quantity >= 0`` check constraint is the last line of defence. Every
change writes a :class:`StockMovement` row in the same transaction and invalidates the catalog
cache on commit.

Query cost: one locking SELECT, one UPDATE per distinct product, one INSERT for the ledger.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from django.db import transaction
from django.db.models import F

from catalog.cache import catalog_changed
from catalog.models import Product

from .exceptions import InsufficientStock, ProductDiscontinued, ProductNotFound
from .models import Order, StockMovement, StockMovementReason


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


def stock_take(
    *,
    quantities: Mapping[str, int],
    order: Order | None = None,
    manager_id: int | None = None,
) -> dict[str, Product]:
    """Lock, check and decrement stock for ``{product public id: quantity}``; all or nothing.

    Must run inside a transaction (the caller's business operation). With ``manager_id``, only
    that manager's products count as existing. Raises :class:`ProductNotFound` (404),
    :class:`ProductDiscontinued` or :class:`InsufficientStock` (409), each naming every failing
    product in ``details``; nothing is changed then. Returns the locked products (quantities
    as they were before the decrement), keyed by public id.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("stock_take() must run inside transaction.atomic()")
    queryset = Product.objects.select_for_update().filter(public_id__in=list(quantities)).order_by("pk")
    if manager_id is not None:
        queryset = queryset.filter(manager_id=manager_id)
    products = {product.public_id: product for product in queryset}

    missing = {pid: "product not found" for pid in quantities if pid not in products}
    if missing:
        raise ProductNotFound(details=missing)
    discontinued = {pid: "product is discontinued" for pid in quantities if products[pid].discontinued}
    if discontinued:
        raise ProductDiscontinued(details=discontinued)
    short = {
        pid: f"requested {wanted}, available {products[pid].quantity}"
        for pid, wanted in quantities.items()
        if products[pid].quantity < wanted
    }
    if short:
        raise InsufficientStock(details=short)

    for pid in sorted(quantities, key=lambda p: products[p].pk):
        Product.objects.filter(pk=products[pid].pk).update(quantity=F("quantity") - quantities[pid])
    StockMovement.objects.bulk_create(
        StockMovement(product=products[pid], order=order, delta=-wanted, reason=StockMovementReason.SALE)
        for pid, wanted in quantities.items()
    )
    catalog_changed()
    return products


def stock_release(
    *, quantities: Mapping[int, int], order: Order | None = None, reason: str = StockMovementReason.RELEASE
) -> None:
    """Give stock back: ``{product pk: quantity}`` (cancelled order, failed payment, restock).

    Must run inside a transaction. Increments in primary-key order with ``F()``.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("stock_release() must run inside transaction.atomic()")
    for pk in sorted(quantities):
        Product.objects.filter(pk=pk).update(quantity=F("quantity") + quantities[pk])
    StockMovement.objects.bulk_create(
        StockMovement(product_id=pk, order=order, delta=quantity, reason=reason)
        for pk, quantity in quantities.items()
    )
    catalog_changed()
