"""The analytics rollups and the live aggregate they must equal, in one comparable shape."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from accounts.models import Role
from analytics.models import DailyOrderStats, DailyProductSales
from analytics.periods import Period
from analytics.querysets import order_stats_live, order_units_live, product_sales_live
from catalog.models import Product
from orders.models import Order, OrderChannel, OrderStatus
from tests.factories import CategoryFactory, OrderFactory, ProductFactory, UserFactory


def rollup_state() -> tuple[set, set]:
    """The non-zero rows of both daily rollups, as sets of tuples."""
    orders = {
        (r.day, r.channel, r.status, r.orders, r.revenue, r.units)
        for r in DailyOrderStats.objects.all()
        if r.orders or r.revenue or r.units
    }
    products = {
        (r.day, r.channel, r.product_id, r.units, r.revenue)
        for r in DailyProductSales.objects.all()
        if r.units or r.revenue
    }
    return orders, products


def live_state() -> tuple[set, set]:
    """The same figures aggregated live from the orders, shaped like ``rollup_state``."""
    units = {(r["day"], r["k_channel"], r["k_status"]): r["units"] for r in order_units_live()}
    orders = {
        (
            r["day"],
            r["k_channel"],
            r["k_status"],
            r["orders"],
            Decimal(r["revenue"]).quantize(Decimal("0.01")),
            units[r["day"], r["k_channel"], r["k_status"]],
        )
        for r in order_stats_live()
    }
    products = {
        (
            r["day"],
            r["k_channel"],
            r["k_product"],
            r["units"],
            Decimal(r["revenue"]).quantize(Decimal("0.01")),
        )
        for r in product_sales_live()
    }
    return orders, products


BERLIN = ZoneInfo("Europe/Berlin")


PERIOD = Period(start=date(2025, 3, 24), end=date(2025, 3, 30))


def berlin(*args: int) -> datetime:
    return datetime(*args, tzinfo=BERLIN)


@dataclass
class Shop:
    a: Product
    b: Product
    c: Product
    orders: dict[str, Order]


def build_shop() -> Shop:
    coffee = CategoryFactory(name="Coffee")
    gifts = CategoryFactory(name="Gifts")
    a = ProductFactory(name="Arabica", price=Decimal("10.00"), quantity=10)
    b = ProductFactory(name="Brew kit", price=Decimal("25.00"), quantity=2)
    c = ProductFactory(name="Cocoa", price=Decimal("4.00"), quantity=30)
    a.categories.add(coffee)
    b.categories.add(coffee, gifts)
    # low stock: b (2) and d (0) are listed; e is discontinued, f has enough
    ProductFactory(name="Decaf", quantity=0)
    ProductFactory(name="Espresso", quantity=1, discontinued=True)
    ProductFactory(name="Filter", quantity=5)

    shopper = UserFactory(date_joined=berlin(2023, 6, 1))
    UserFactory(email="new@example.com", date_joined=berlin(2025, 3, 24, 0, 0))  # midnight: counted
    UserFactory(email="late@example.com", date_joined=berlin(2025, 3, 31, 0, 30))  # next period
    UserFactory(email="before@example.com", date_joined=berlin(2025, 3, 17, 8, 0))  # previous period
    UserFactory(email="staff@example.com", role=Role.ADMIN, date_joined=berlin(2025, 3, 25, 8, 0))

    shop, api = OrderChannel.SHOP, OrderChannel.INVENTORY_API
    S = OrderStatus
    spec = {
        "o1": (shop, S.PAID, berlin(2025, 3, 24, 0, 0, 0), [(a, 2)]),
        "o2": (api, S.PAID, berlin(2025, 3, 25, 12, 0), [(b, 1), (c, 3)]),
        "o3": (shop, S.DELIVERED, berlin(2025, 3, 30, 0, 30), [(b, 2)]),
        "o4": (shop, S.CANCELLED, berlin(2025, 3, 26, 10, 0), [(a, 5)]),
        "o5": (shop, S.PENDING, berlin(2025, 3, 27, 10, 0), [(c, 1)]),
        "o6": (shop, S.PAYMENT_FAILED, berlin(2025, 3, 27, 11, 0), [(a, 1)]),
        "o7": (shop, S.PAID, berlin(2025, 3, 31, 0, 30), [(a, 1)]),
        "p1": (shop, S.PAID, berlin(2025, 3, 20, 12, 0), [(a, 1)]),
        "p2": (api, S.CANCELLED, berlin(2025, 3, 21, 9, 0), [(c, 1)]),
        "p3": (shop, S.SHIPPED, berlin(2025, 3, 23, 23, 59, 59), [(a, 3)]),
    }
    orders = {}
    for name, (channel, status, placed, lines) in spec.items():
        user = shopper if channel == shop else None
        orders[name] = OrderFactory(channel=channel, status=status, created_at=placed, lines=lines, user=user)
    return Shop(a=a, b=b, c=c, orders=orders)
