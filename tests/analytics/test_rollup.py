"""The rollups the dashboard reads equal the live aggregate of the orders: after a rebuild,
and when kept current change by change through ``order_stats_record``."""

from __future__ import annotations

import random
from datetime import date
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import transaction

from analytics.models import DailyOrderStats, DailyProductSales
from analytics.selectors import revenue_per_day
from analytics.services import order_stats_record, rollup_rebuild
from orders.models import Order, OrderChannel, OrderStatus
from tests.factories import Breakdown, OrderFactory, ProductFactory, promotion, voucher
from tests.helpers.analytics import PERIOD, Period, berlin, build_shop, live_state, rollup_state
from tests.helpers.concurrency import requires_server_database, run_in_threads

S = OrderStatus
NEXT = {
    S.PENDING: [S.PAID, S.CANCELLED, S.PAYMENT_FAILED],
    S.PAID: [S.SHIPPED, S.CANCELLED],
    S.SHIPPED: [S.DELIVERED],
}


def test_rebuild_equals_the_live_aggregate(db, berlin_tz):
    build_shop()
    result = rollup_rebuild()
    assert (result.order_rows, result.product_rows) == (10, 7)  # o1 o2 o3 o7 p1 p3; o2 has 2 products
    assert rollup_state() == live_state()
    assert rollup_state()[0]  # not trivially empty
    rollup_rebuild()  # idempotent
    assert rollup_state() == live_state()


def test_partial_rebuild_touches_only_its_days(db, berlin_tz):
    shop = build_shop()
    rollup_rebuild()
    o1 = shop.orders["o1"]
    Order.objects.filter(pk=shop.orders["o2"].pk).update(status=S.CANCELLED)  # 03-25
    Order.objects.filter(pk=o1.pk).update(status=S.CANCELLED)  # 03-24, outside the rebuilt day
    rollup_rebuild(start=date(2025, 3, 25), end=date(2025, 3, 25))
    days = {p.date: p for p in revenue_per_day(period=PERIOD)}
    assert days[date(2025, 3, 25)].revenue == Decimal("0.00")
    assert days[date(2025, 3, 24)].revenue == Decimal("20.00")  # stale until its day is rebuilt
    call_command("analytics_rollup", "--from", "2025-03-24", "--to", "2025-03-24")
    assert revenue_per_day(period=PERIOD)[0].revenue == Decimal("0.00")
    assert rollup_state() == live_state()


def test_command_rebuilds_everything(db, berlin_tz, capsys):
    build_shop()
    call_command("analytics_rollup")
    assert "Rebuilt 10 order rows and 7 product rows" in capsys.readouterr().out
    assert rollup_state() == live_state()


def _place(order_kwargs: dict, lines: list) -> Order:
    """Create an order and record it the way the order services do."""
    order = OrderFactory(lines=lines, **order_kwargs)
    order_stats_record(order=order, from_status="", to_status=order.status, lines=list(order.lines.all()))
    return order


def _move(order: Order, to_status: str) -> None:
    from_status = order.status
    Order.objects.filter(pk=order.pk).update(status=to_status)
    order.status = to_status
    order_stats_record(order=order, from_status=from_status, to_status=to_status)


def _random_breakdown(rng: random.Random) -> Breakdown | None:
    """A shop order priced as a checkout does: some discount, shipping and tax, or none."""
    if rng.random() < 0.2:
        return None
    discounts = [
        d
        for d in (
            promotion("prm_spring", "15"),
            voucher("TEN", "percentage", "10"),
            voucher("SAVE5", "fixed", "5.00"),
            voucher("FREESHIP", "free_shipping"),
        )
        if rng.random() < 0.35
    ]
    return Breakdown(
        tax_rate=Decimal(rng.choice(["0", "7", "19", "21"])),
        shipping=rng.choice([None, Decimal("4.90"), Decimal("9.99")]),
        discounts=discounts,
        prices_include_tax=rng.random() < 0.5,
    )


def test_record_keeps_the_rollup_equal_to_the_live_aggregate(db, berlin_tz, django_assert_max_num_queries):
    """Random orders (both channels, around both DST changes and midnights) and random status
    changes along the state machine; after each step the rollup equals the live aggregate."""
    _random_orders_and_changes(django_assert_max_num_queries, priced=False)


def test_record_keeps_the_rollup_equal_with_discounts_shipping_and_tax(
    db, berlin_tz, django_assert_max_num_queries, request
):
    """The same with shop orders priced as a checkout prices them: random discounts, shipping
    and tax, entered net or gross; the rows carry each part and still equal the live aggregate."""
    _random_orders_and_changes(django_assert_max_num_queries, priced=True)
    rows = rollup_state()[0]
    assert any(row[6] for row in rows) and any(row[7] for row in rows) and any(row[8] for row in rows)


def _random_orders_and_changes(django_assert_max_num_queries, *, priced: bool) -> None:
    rng = random.Random(7)
    products = [ProductFactory(price=Decimal(price)) for price in ("1.99", "10.00", "24.50", "99.95")]
    instants = [
        berlin(2025, 3, 30, 0, 0),  # midnight of the spring-forward day
        berlin(2025, 3, 30, 1, 59),
        berlin(2025, 3, 30, 3, 0),
        berlin(2025, 3, 30, 23, 59, 59),
        berlin(2025, 3, 31, 0, 0),
        berlin(2025, 10, 26, 0, 30),
        berlin(2025, 10, 26, 2, 30),  # the ambiguous hour of the fall-back day (first pass)
        berlin(2025, 10, 26, 23, 30),
        berlin(2025, 10, 27, 0, 0),
        berlin(2025, 12, 31, 23, 59),
        berlin(2026, 1, 1, 0, 0),
    ]
    orders = []
    for index in range(40):
        lines = [(product, rng.randint(1, 4)) for product in rng.sample(products, rng.randint(1, 3))]
        channel = rng.choice([OrderChannel.SHOP, OrderChannel.INVENTORY_API])
        status = S.PAID if channel == OrderChannel.INVENTORY_API else S.PENDING
        order_kwargs = {"channel": channel, "status": status, "created_at": instants[index % 11]}
        if priced and channel == OrderChannel.SHOP:  # the inventory API never prices
            order_kwargs["breakdown"] = _random_breakdown(rng)
        with django_assert_max_num_queries(30 if priced else 20):
            orders.append(_place(order_kwargs, lines))
    assert rollup_state() == live_state()
    for _ in range(80):
        order = rng.choice(orders)
        if order.status in NEXT:
            _move(order, rng.choice(NEXT[order.status]))
    assert rollup_state() == live_state()
    assert DailyProductSales.objects.exists()
    snapshot = rollup_state()
    rollup_rebuild()
    assert rollup_state() == snapshot


def test_record_query_cost(db, berlin_tz, django_assert_num_queries):
    product = ProductFactory(price=Decimal("5.00"))
    order = OrderFactory(status=S.PENDING, lines=[(product, 2)], created_at=berlin(2025, 3, 24, 9))
    lines = list(order.lines.all())
    with django_assert_num_queries(1):  # pending: order row only
        order_stats_record(order=order, from_status="", to_status=S.PENDING, lines=lines)
    with django_assert_num_queries(4):  # into revenue: the update, lines, order rows, product rows
        _move(order, S.PAID)
    with django_assert_num_queries(3):  # paid → shipped: the update, lines, order rows
        _move(order, S.SHIPPED)
    with django_assert_num_queries(0):
        order_stats_record(order=order, from_status=S.SHIPPED, to_status=S.SHIPPED)
    assert DailyProductSales.objects.get().units == 2
    shipped = DailyOrderStats.objects.get(status=S.SHIPPED)
    assert (shipped.orders, shipped.revenue, shipped.units) == (1, Decimal("10.00"), 2)


def test_cancelling_a_paid_order_removes_its_sales(db, berlin_tz):
    product = ProductFactory(price=Decimal("3.00"))
    order = _place({"status": S.PAID, "created_at": berlin(2025, 3, 24, 0, 0)}, [(product, 3)])
    period = Period(start=date(2025, 3, 24), end=date(2025, 3, 24))
    assert revenue_per_day(period=period)[0].revenue == Decimal("9.00")
    _move(order, S.CANCELLED)
    assert revenue_per_day(period=period)[0].revenue == Decimal("0.00")
    assert DailyProductSales.objects.get().units == 0
    assert rollup_state() == live_state()


@pytest.mark.concurrency
@pytest.mark.django_db(transaction=True)
def test_concurrent_changes_on_the_same_rows_add_up(settings):
    """Threads record orders of the same day and channel at once: no lost update, no deadlock."""
    requires_server_database()
    settings.SHOP_TIME_ZONE = "Europe/Berlin"
    products = [ProductFactory(price=Decimal("2.00")) for _ in range(3)]
    placed = berlin(2025, 3, 24, 12)
    orders = [
        OrderFactory(
            status=S.PENDING,
            lines=[(p, 1) for p in products],
            created_at=placed,
            breakdown=Breakdown(tax_rate=Decimal("19"), shipping=Decimal("4.90")),
        )
        for _ in range(8)
    ]
    for order in orders:
        order_stats_record(order=order, from_status="", to_status=S.PENDING)

    def pay(index: int) -> None:
        order = Order.objects.get(pk=orders[index].pk)
        with transaction.atomic():
            Order.objects.filter(pk=order.pk).update(status=S.PAID)
            order_stats_record(order=order, from_status=S.PENDING, to_status=S.PAID)

    results = run_in_threads(pay, len(orders))
    assert all(result is None for result in results), results
    assert DailyOrderStats.objects.get(status=S.PAID).orders == 8
    assert DailyOrderStats.objects.get(status=S.PENDING).orders == 0
    assert sorted(DailyProductSales.objects.values_list("units", flat=True)) == [8, 8, 8]
    assert rollup_state() == live_state()
    day = revenue_per_day(period=Period(date(2025, 3, 24), date(2025, 3, 24)))[0]
    # 8 orders of 6.00 net, 4.90 shipping, 19% tax on 10.90 = 2.07 (1.14 on the lines, 0.93 shipping)
    assert (day.revenue, day.shipping, day.tax) == (Decimal("48.00"), Decimal("39.20"), Decimal("16.56"))
