"""A small shop whose every figure is computed by hand in ``test_figures.py``.

Shop time zone Europe/Berlin. The period is 2025-03-24 … 2025-03-30 (a week ending on the day
clocks go forward: 02:00 CET → 03:00 CEST); the previous period is 2025-03-17 … 2025-03-23.

| order | channel       | status         | placed (local)            | lines          | total  |
|-------|---------------|----------------|---------------------------|----------------|--------|
| o1    | shop          | paid           | 03-24 00:00:00 (midnight) | A×2            | 20.00  |
| o2    | inventory_api | paid           | 03-25 12:00                | B×1, C×3       | 37.00  |
| o3    | shop          | delivered      | 03-30 00:30 CET (03-29 23:30 UTC) | B×2     | 50.00  |
| o4    | shop          | cancelled      | 03-26 10:00                | A×5            | 50.00  |
| o5    | shop          | pending        | 03-27 10:00                | C×1            |  4.00  |
| o6    | shop          | payment_failed | 03-27 11:00                | A×1            | 10.00  |
| o7    | shop          | paid           | 03-31 00:30 CEST (03-30 22:30 UTC): next period | A×1 | 10.00 |
| p1    | shop          | paid           | 03-20 12:00                | A×1            | 10.00  |
| p2    | inventory_api | cancelled      | 03-21 09:00                | C×1            |  4.00  |
| p3    | shop          | shipped        | 03-23 23:59:59             | A×3            | 30.00  |

Products: A 10.00 (category Coffee), B 25.00 (Coffee and Gifts), C 4.00 (no category).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from accounts.models import Role
from analytics.periods import Period
from analytics.services import rollup_rebuild
from catalog.models import Product
from orders.models import Order, OrderChannel, OrderStatus
from tests.factories import CategoryFactory, OrderFactory, ProductFactory, UserFactory

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


@pytest.fixture
def berlin_tz(settings):
    settings.SHOP_TIME_ZONE = "Europe/Berlin"
    settings.LOW_STOCK_THRESHOLD = 5


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


@pytest.fixture
def shop(db, berlin_tz) -> Shop:
    built = build_shop()
    rollup_rebuild()
    return built
