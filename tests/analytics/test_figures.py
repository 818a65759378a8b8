"""Every figure of the dashboard/API against the hand-computed values of ``conftest.py``."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from analytics.periods import Period, period_for_preset, period_parse
from analytics.selectors import (
    Kpi,
    analytics_summary,
    kpis_get,
    latest_orders,
    low_stock_products,
    revenue_by_category,
    revenue_per_day,
    top_products,
)
from ecommerce.common.exceptions import InvalidRequest
from tests.helpers.analytics import PERIOD

D = Decimal


def values(kpis: dict[str, Kpi]) -> dict[str, tuple]:
    return {name: (kpi.value, kpi.previous) for name, kpi in kpis.items()}


def test_kpis_of_the_period_and_the_previous_one(shop):
    kpis, _ = kpis_get(period=PERIOD)
    assert values(kpis) == {
        "revenue": (D("107.00"), D("40.00")),  # o1 20 + o2 37 + o3 50 | p1 10 + p3 30
        "orders": (3, 2),
        "average_order_value": (D("35.67"), D("20.00")),  # 107 / 3
        "units_sold": (8, 4),  # 2 + (1 + 3) + 2 | 1 + 3
        "new_customers": (1, 1),  # joined at midnight 03-24 | 03-17; staff not counted
        "cancellation_rate": (D("16.67"), D("33.33")),  # o4 of 6 placed | p2 of 3
        "orders_placed": (6, 3),
        # orders placed before checkout v2: revenue = total (tests/analytics/test_breakdown.py)
        "discount": (D("0.00"), D("0.00")),
        "shipping": (D("0.00"), D("0.00")),
        "tax": (D("0.00"), D("0.00")),
    }
    assert kpis["revenue"].change == D("67.00") and kpis["revenue"].change_pct == D("167.5")
    assert kpis["orders"].change_pct == D("50.0")
    assert kpis["average_order_value"].change_pct == D("78.4")
    assert kpis["cancellation_rate"].change == D("-16.66") and kpis["cancellation_rate"].change_pct == D(
        "-50.0"
    )
    assert kpis["new_customers"].change == 0 and kpis["new_customers"].change_pct == D("0.0")


def test_orders_by_status_lists_every_status(shop):
    _, statuses = kpis_get(period=PERIOD)
    assert [(row.status, row.orders) for row in statuses] == [
        ("pending", 1),
        ("paid", 2),
        ("shipped", 0),
        ("delivered", 1),
        ("cancelled", 1),
        ("payment_failed", 1),
    ]
    assert {row.status: row.revenue for row in statuses}["cancelled"] == D("50.00")


def test_revenue_per_day_uses_shop_local_days_across_the_dst_change(shop):
    points = revenue_per_day(period=PERIOD)
    assert [(p.date, p.revenue, p.orders, p.orders_placed) for p in points] == [
        (date(2025, 3, 24), D("20.00"), 1, 1),  # o1 placed exactly at local midnight
        (date(2025, 3, 25), D("37.00"), 1, 1),
        (date(2025, 3, 26), D("0.00"), 0, 1),  # cancelled: placed, no revenue
        (date(2025, 3, 27), D("0.00"), 0, 2),  # pending + payment_failed
        (date(2025, 3, 28), D("0.00"), 0, 0),
        (date(2025, 3, 29), D("0.00"), 0, 0),  # o3 is 03-29 in UTC but 03-30 in Berlin
        (date(2025, 3, 30), D("50.00"), 1, 1),  # 23-hour day; o7 (22:30 UTC) is already 03-31
    ]


def test_period_bounds_are_local_midnights():
    assert PERIOD.days == 7
    assert PERIOD.previous == Period(start=date(2025, 3, 17), end=date(2025, 3, 23))


def test_period_bounds_follow_the_shop_time_zone(berlin_tz):
    assert PERIOD.starts_at.astimezone(UTC) == datetime(2025, 3, 23, 23, 0, tzinfo=UTC)
    # after the clocks went forward the next midnight is 22:00 UTC
    assert PERIOD.ends_before.astimezone(UTC) == datetime(2025, 3, 30, 22, 0, tzinfo=UTC)


def test_top_products_by_revenue_and_by_units(shop):
    by_revenue = top_products(period=PERIOD, by="revenue")
    assert [(p.id, p.revenue, p.units) for p in by_revenue] == [
        (shop.b.public_id, D("75.00"), 3),
        (shop.a.public_id, D("20.00"), 2),
        (shop.c.public_id, D("12.00"), 3),
    ]
    by_units = top_products(period=PERIOD, by="units")
    # b and c both sold 3: the older product first
    assert [(p.name, p.units) for p in by_units] == [("Brew kit", 3), ("Cocoa", 3), ("Arabica", 2)]
    assert [p.name for p in top_products(period=PERIOD, by="units", limit=1)] == ["Brew kit"]
    with pytest.raises(ValueError):
        top_products(period=PERIOD, by="price")


def test_revenue_by_category_counts_a_product_in_each_of_its_categories(shop):
    rows = revenue_by_category(period=PERIOD)
    assert [(row.name, row.revenue, row.units) for row in rows] == [
        ("Coffee", D("95.00"), 5),  # a 20 + b 75
        ("Gifts", D("75.00"), 3),
        ("Uncategorised", D("12.00"), 3),
    ]
    assert rows[0].id.startswith("cat_") and rows[2].id is None


@pytest.mark.parametrize(
    ("channel", "revenue", "orders", "placed", "cancellation", "units"),
    [
        ("shop", D("70.00"), 2, 5, D("20.00"), 4),  # o1 + o3; o4 of o1,o3,o4,o5,o6
        ("inventory_api", D("37.00"), 1, 1, D("0.00"), 4),  # o2
    ],
)
def test_channel_filter(shop, channel, revenue, orders, placed, cancellation, units):
    period = Period(start=PERIOD.start, end=PERIOD.end, channel=channel)
    kpis, _ = kpis_get(period=period)
    assert kpis["revenue"].value == revenue
    assert kpis["orders"].value == orders
    assert kpis["orders_placed"].value == placed
    assert kpis["cancellation_rate"].value == cancellation
    assert kpis["units_sold"].value == units
    assert kpis["new_customers"].value == 1  # sign-ups have no channel
    assert sum(p.revenue for p in revenue_per_day(period=period)) == revenue
    assert {o.channel for o in latest_orders(period=period)} == {channel}


def test_empty_period_is_all_zeros(shop):
    period = Period(start=date(2024, 1, 1), end=date(2024, 1, 7))
    summary = analytics_summary(period=period)
    assert {name: kpi.value for name, kpi in summary.kpis.items()} == {
        "revenue": D("0.00"),
        "orders": 0,
        "average_order_value": D("0.00"),
        "units_sold": 0,
        "new_customers": 0,
        "cancellation_rate": D("0.00"),
        "orders_placed": 0,
        "discount": D("0.00"),
        "shipping": D("0.00"),
        "tax": D("0.00"),
    }
    assert all(kpi.change_pct is None for kpi in summary.kpis.values())
    assert [(p.revenue, p.orders) for p in summary.revenue_per_day] == [(D("0.00"), 0)] * 7
    assert [row.orders for row in summary.orders_by_status] == [0] * 6
    assert summary.top_products_by_revenue == summary.top_products_by_units == []
    assert summary.revenue_by_category == summary.latest_orders == []


def test_low_stock_lists_products_on_sale_under_the_threshold(shop, settings):
    assert [(p.name, p.quantity) for p in low_stock_products()] == [("Decaf", 0), ("Brew kit", 2)]
    settings.LOW_STOCK_THRESHOLD = 6  # "Filter" has 5
    assert [p.name for p in low_stock_products()] == ["Decaf", "Brew kit", "Filter"]
    assert low_stock_products(threshold=1, limit=5)[0].name == "Decaf"


def test_latest_orders_of_the_period_newest_first(shop):
    rows = latest_orders(period=PERIOD)
    assert [row.id for row in rows] == [
        shop.orders[name].public_id for name in ("o3", "o6", "o5", "o4", "o2", "o1")
    ]
    assert rows[0].total_amount == D("50.00") and rows[0].status == "delivered"
    assert len(latest_orders(period=PERIOD, limit=2)) == 2


def test_summary_gathers_everything(shop):
    summary = analytics_summary(period=PERIOD)
    assert summary.previous_period == PERIOD.previous
    assert summary.time_zone == "Europe/Berlin" and summary.currency == "USD"
    assert summary.low_stock_threshold == 5
    assert summary.kpis["revenue"].value == D("107.00")
    assert len(summary.revenue_per_day) == 7


def test_presets_and_parsing():
    today = date(2025, 3, 30)
    assert period_for_preset("7d", today=today) == Period(date(2025, 3, 24), today)
    assert period_for_preset("90d", today=today).days == 90
    assert period_for_preset("month", today=today) == Period(date(2025, 3, 1), today)
    assert period_parse(today=today) == Period(today - timedelta(days=29), today)
    assert period_parse(start=date(2025, 3, 1), today=today) == Period(date(2025, 3, 1), today)
    assert period_parse(end=date(2025, 1, 30), today=today) == Period(date(2025, 1, 1), date(2025, 1, 30))
    assert period_parse(preset="7d", start=date(2020, 1, 1), today=today).days == 7
    assert (
        period_parse(preset="custom", start=today, end=today, channel="shop", today=today).channel == "shop"
    )
    for kwargs, field in [
        ({"start": today, "end": today - timedelta(days=1)}, "from"),
        ({"start": date(2020, 1, 1), "end": today}, "from"),
        ({"channel": "fax"}, "channel"),
        ({"preset": "year"}, "range"),
    ]:
        with pytest.raises(InvalidRequest) as caught:
            period_parse(today=today, **kwargs)
        assert field in caught.value.details
