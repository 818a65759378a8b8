"""Demo order history for the dashboard (``make run``'s demo data and the screenshot test).

Orders are written in bulk for existing products, without taking stock: they stand for past
sales. The rollups are rebuilt afterwards.
"""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.conf import settings
from django.db import transaction

from accounts.models import Role, User
from catalog.models import Product
from orders.models import Order, OrderChannel, OrderLine, OrderStatus

from .periods import shop_today, shop_tz
from .services import rollup_rebuild

# status mix of old orders: mostly delivered, some cancelled or failed
_STATUS_WEIGHTS = [
    (OrderStatus.DELIVERED, 60),
    (OrderStatus.SHIPPED, 12),
    (OrderStatus.PAID, 12),
    (OrderStatus.PENDING, 4),
    (OrderStatus.CANCELLED, 8),
    (OrderStatus.PAYMENT_FAILED, 4),
]


def demo_orders_seed(
    *, days: int = 90, orders_per_day: int = 12, end: date | None = None, seed: int = 42
) -> int:
    """Create about ``orders_per_day`` orders a day for ``days`` days up to ``end`` (default
    today), with a weekly rhythm and a slow upward trend. Returns how many orders were created.
    Does nothing when there are no products on sale."""
    rng = random.Random(seed)  # noqa: S311 - demo data, not security
    products = list(Product.objects.filter(discontinued=False).order_by("id")[:60])
    if not products:
        return 0
    customers = list(User.objects.filter(role=Role.CUSTOMER).order_by("id")[:50])
    end = end or shop_today()
    tz = shop_tz()
    statuses, weights = zip(*_STATUS_WEIGHTS, strict=True)
    popularity = [1 / (rank + 1) for rank in range(len(products))]
    orders: list[Order] = []
    lines_by_order: list[list[tuple[Product, int]]] = []
    for offset in range(days):
        day = end - timedelta(days=days - 1 - offset)
        trend = 0.7 + 0.6 * offset / max(days - 1, 1)
        weekend = 1.35 if day.weekday() >= 5 else 1.0
        for _ in range(max(0, round(rng.gauss(orders_per_day * trend * weekend, 2)))):
            channel = OrderChannel.INVENTORY_API if rng.random() < 0.25 else OrderChannel.SHOP
            status = (
                OrderStatus.PAID
                if channel == OrderChannel.INVENTORY_API
                else rng.choices(statuses, weights)[0]
            )
            customer = rng.choice(customers) if customers and channel == OrderChannel.SHOP else None
            placed = datetime.combine(day, time(rng.randint(7, 22), rng.randint(0, 59)), tzinfo=tz)
            picked = rng.choices(products, popularity, k=rng.randint(1, 4))
            lines = [(product, rng.randint(1, 3)) for product in dict.fromkeys(picked)]
            total = sum((p.price * q for p, q in lines), Decimal("0.00"))
            orders.append(
                Order(
                    channel=channel,
                    status=status,
                    user=customer,
                    customer_ref=customer.public_id if customer else f"cust_{rng.randint(1, 999)}",
                    customer_email=customer.email if customer else "",
                    currency=settings.SHOP_CURRENCY,
                    subtotal=total,
                    total_amount=total,
                    created_at=placed,
                )
            )
            lines_by_order.append(lines)
    with transaction.atomic():
        placed_at = [order.created_at for order in orders]
        Order.objects.bulk_create(orders, batch_size=500)
        for order, moment in zip(orders, placed_at, strict=True):
            order.created_at = moment  # auto_now_add overwrote it
        Order.objects.bulk_update(orders, ["created_at"], batch_size=500)
        OrderLine.objects.bulk_create(
            [
                OrderLine(
                    order=order,
                    product=product,
                    product_public_id=product.public_id,
                    name=product.name,
                    unit_price=product.price,
                    quantity=quantity,
                    line_total=product.price * quantity,
                )
                for order, lines in zip(orders, lines_by_order, strict=True)
                for product, quantity in lines
            ],
            batch_size=1000,
        )
    rollup_rebuild()
    return len(orders)
