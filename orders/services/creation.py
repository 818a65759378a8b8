"""Order creation: ``order_create_with_stock``, the one path by which any order is created
(shop checkout and the inventory API's ``POST /api/orders/process``)."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.utils import timezone

from accounts.models import StoreManager, User
from catalog.stock import stock_lock, stock_take_locked
from ecommerce.common.sql import (
    sql_insert_objects,
)

from ..models import Order, OrderLine, OrderStatus
from ..signals import order_status_changed
from .lifecycle import order_event_write

CENT = Decimal("0.01")


def order_create_with_stock(
    *,
    channel: str,
    quantities: Mapping[str, int],
    status: str = OrderStatus.PENDING,
    user: User | None = None,
    manager: StoreManager | None = None,
    customer_ref: str = "",
    customer_email: str = "",
    shipping_address: Mapping[str, Any] | None = None,
    actor: User | None = None,
    actor_label: str = "",
) -> tuple[Order, list[OrderLine]]:
    """Create an order and take its stock, inside the caller's transaction; returns the order
    and the lines it wrote.

    ``quantities`` maps product public ids to (already merged) quantities. The products are
    locked and checked by :func:`catalog.stock.stock_lock` (with ``manager``, only that manager's
    products exist) before anything is written, so the order row is written once, with its
    totals; then the stock is taken (:func:`catalog.stock.stock_take_locked`). Prices and names
    are copied from the locked rows; totals are exact decimals. Writes the first
    :class:`OrderEvent`. Raises the stock errors of ``stock_lock`` (nothing written).
    Hand-written SQL (``ecommerce.common.sql``): this is checkout's hot path; the instances
    returned are not read back.
    """
    locked = stock_lock(quantities=quantities, manager_id=manager.pk if manager else None)
    priced = [
        (public_id, quantity, locked[public_id], (locked[public_id].price * quantity).quantize(CENT))
        for public_id, quantity in quantities.items()
    ]
    total = sum((line_total for *_, line_total in priced), Decimal("0.00"))
    now = timezone.now()
    order = Order(
        channel=channel,
        status=status,
        user=user,
        manager=manager,
        customer_ref=customer_ref,
        customer_email=customer_email,
        shipping_address=dict(shipping_address or {}),
        currency=settings.SHOP_CURRENCY,
        subtotal=total,
        total_amount=total,
        created_at=now,
        updated_at=now,
    )
    sql_insert_objects([order], return_pk=True)
    stock_take_locked(locked=locked, quantities=quantities, order_id=order.pk)
    lines = [
        OrderLine(
            order=order,
            product_id=product.pk,
            product_public_id=public_id,
            name=product.name,
            unit_price=product.price,
            quantity=quantity,
            line_total=line_total,
        )
        for public_id, quantity, product, line_total in priced
    ]
    sql_insert_objects(lines)
    order_event_write(order, from_status="", to_status=status, actor=actor, actor_label=actor_label, at=now)
    order_status_changed.send(sender=Order, order=order, from_status="", to_status=status, lines=lines)
    return order, lines
