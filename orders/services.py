"""Order writes. ``order_create_with_stock`` is the one path by which any order is created
(shop checkout and the inventory API's ``POST /api/orders/process``)."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django.conf import settings

from accounts.models import User
from inventory.models import StoreManager

from .models import Order, OrderChannel, OrderEvent, OrderLine, OrderStatus
from .stock import stock_take

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
) -> Order:
    """Create an order and take its stock, inside the caller's transaction.

    ``quantities`` maps product public ids to (already merged) quantities. Stock is locked and
    taken through :func:`orders.stock.stock_take` (with ``manager``, only that manager's products
    exist); prices and names are copied from the locked rows; totals are exact decimals. Writes
    the first :class:`OrderEvent`. Raises the stock errors of ``stock_take``; the caller's
    transaction then rolls everything back.
    """
    order = Order.objects.create(
        channel=channel,
        status=status,
        user=user,
        manager=manager,
        customer_ref=customer_ref,
        customer_email=customer_email,
        shipping_address=dict(shipping_address or {}),
        currency=settings.SHOP_CURRENCY,
        subtotal=Decimal("0.00"),
        total_amount=Decimal("0.00"),
    )
    products = stock_take(quantities=quantities, order=order, manager_id=manager.pk if manager else None)
    lines = [
        OrderLine(
            order=order,
            product=products[public_id],
            product_public_id=public_id,
            name=products[public_id].name,
            unit_price=products[public_id].price,
            quantity=quantity,
            line_total=(products[public_id].price * quantity).quantize(CENT),
        )
        for public_id, quantity in quantities.items()
    ]
    OrderLine.objects.bulk_create(lines)
    order.subtotal = order.total_amount = sum((line.line_total for line in lines), Decimal("0.00"))
    order.save(update_fields=["subtotal", "total_amount", "updated_at"])
    OrderEvent.objects.create(
        order=order, from_status="", to_status=status, actor=actor, actor_label=actor_label
    )
    return order


def order_anonymise_for_user(*, user: User) -> int:
    """Blank the personal data on ``user``'s orders (account deletion keeps the orders).

    Returns how many orders were anonymised. Run inside the deleting transaction.
    """
    return Order.objects.filter(user=user).update(customer_email="", customer_ref="", shipping_address={})


__all__ = ["OrderChannel", "order_anonymise_for_user", "order_create_with_stock"]
