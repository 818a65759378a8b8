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
from tests.factories import (
    Breakdown,
    CategoryFactory,
    OrderFactory,
    ProductFactory,
    UserFactory,
    promotion,
    voucher,
)


def rollup_state() -> tuple[set, set]:
    """The non-zero rows of both daily rollups, as sets of tuples: order rows ``(day, channel,
    status, orders, revenue, units, discount, shipping, tax)``, product rows ``(day, channel,
    product pk, units, revenue, discount, tax)``."""
    orders = {
        (r.day, r.channel, r.status, r.orders, r.revenue, r.units, r.discount, r.shipping, r.tax)
        for r in DailyOrderStats.objects.all()
        if r.orders or r.revenue or r.units or r.discount or r.shipping or r.tax
    }
    products = {
        (r.day, r.channel, r.product_id, r.units, r.revenue, r.discount, r.tax)
        for r in DailyProductSales.objects.all()
        if r.units or r.revenue or r.discount or r.tax
    }
    return orders, products


def _cents(value: object) -> Decimal:
    return Decimal(value or 0).quantize(Decimal("0.01"))


def live_state() -> tuple[set, set]:
    """The same figures aggregated live from the orders, shaped like ``rollup_state``."""
    units = {(r["day"], r["k_channel"], r["k_status"]): r["units"] for r in order_units_live()}
    orders = {
        (
            r["day"],
            r["k_channel"],
            r["k_status"],
            r["orders"],
            _cents(r["revenue"]),
            units[r["day"], r["k_channel"], r["k_status"]],
            _cents(r["discount"]),
            _cents(r["shipping"]),
            _cents(r["tax"]),
        )
        for r in order_stats_live()
    }
    products = {
        (
            r["day"],
            r["k_channel"],
            r["k_product"],
            r["units"],
            _cents(r["revenue"]),
            _cents(r["discount"]),
            _cents(r["tax"]),
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


@dataclass
class PricedShop:
    tee: Product
    mug: Product
    orders: dict[str, Order]


def build_priced_shop() -> PricedShop:
    """Orders priced with discounts, shipping and tax: the worked examples of docs/pricing.md
    (their totals are computed by hand there), in the week of ``PERIOD`` (Berlin).

    | order | status    | placed      | example                               | subtotal | discount | shipping | tax   | total |
    |-------|-----------|-------------|---------------------------------------|----------|----------|----------|-------|-------|
    | q1    | paid      | 03-24 10:00 | 1, net: tee×2, mug×1, 15% + SAVE5     | 62.99    | 12.50    | 4.90     | 10.53 | 65.92 |
    | q2    | delivered | 03-25 10:00 | 2, the same entered gross             | 52.94    | 10.51    | 4.12     | 8.84  | 55.39 |
    | q3    | shipped   | 03-25 18:00 | 3, tee×2, 10% + FREESHIP              | 50.00    | 9.90     | 4.90     | 8.55  | 53.55 |
    | q4    | cancelled | 03-26 09:00 | 1                                     | (never counts)                             |
    | q5    | paid (inventory API) | 03-26 12:00 | none: tee×1             | 25.00    | 0        | 0        | 0     | 25.00 |
    | r1    | paid      | 03-20 10:00 | 1 (previous period)                   | 62.99    | 12.50    | 4.90     | 10.53 | 65.92 |
    """
    apparel, kitchen = CategoryFactory(name="Apparel"), CategoryFactory(name="Kitchen")
    tee = ProductFactory(name="Tee", price=Decimal("25.00"), quantity=50)
    mug = ProductFactory(name="Mug", price=Decimal("12.99"), quantity=50)
    tee.categories.add(apparel)
    mug.categories.add(kitchen)
    rate, shipping = Decimal("19"), Decimal("4.90")
    summer = promotion("prm_summer", "15", categories=frozenset({apparel.public_id}))
    example_1 = Breakdown(
        tax_rate=rate, shipping=shipping, discounts=[summer, voucher("SAVE5", "fixed", "5.00")]
    )
    example_2 = Breakdown(
        tax_rate=rate,
        shipping=shipping,
        discounts=[summer, voucher("SAVE5", "fixed", "5.00")],
        prices_include_tax=True,
    )
    example_3 = Breakdown(
        tax_rate=rate,
        shipping=shipping,
        discounts=[promotion("prm_ten", "10"), voucher("FREESHIP", "free_shipping", min_subtotal="50.00")],
    )
    shopper = UserFactory(date_joined=berlin(2023, 6, 1))
    shop, api, S = OrderChannel.SHOP, OrderChannel.INVENTORY_API, OrderStatus
    spec = {
        "q1": (shop, S.PAID, berlin(2025, 3, 24, 10), [(tee, 2), (mug, 1)], example_1),
        "q2": (shop, S.DELIVERED, berlin(2025, 3, 25, 10), [(tee, 2), (mug, 1)], example_2),
        "q3": (shop, S.SHIPPED, berlin(2025, 3, 25, 18), [(tee, 2)], example_3),
        "q4": (shop, S.CANCELLED, berlin(2025, 3, 26, 9), [(tee, 2), (mug, 1)], example_1),
        "q5": (api, S.PAID, berlin(2025, 3, 26, 12), [(tee, 1)], None),
        "r1": (shop, S.PAID, berlin(2025, 3, 20, 10), [(tee, 2), (mug, 1)], example_1),
    }
    orders = {}
    for name, (channel, status, placed, lines, breakdown) in spec.items():
        orders[name] = OrderFactory(
            channel=channel,
            status=status,
            created_at=placed,
            lines=lines,
            breakdown=breakdown,
            user=shopper if channel == shop else None,
        )
    return PricedShop(tee=tee, mug=mug, orders=orders)
