"""Revenue net of discounts, shipping and tax reported apart (docs/analytics.md), on orders
priced like a checkout does (``build_priced_shop``: the worked examples of docs/pricing.md).

revenue = subtotal − discount_total, so revenue + shipping + tax = total_amount for every order.
"""

from __future__ import annotations

import csv
import io
from datetime import date
from decimal import Decimal

import pytest
from django.db.models import Sum
from django.test import Client

from analytics.models import DailyOrderStats
from analytics.selectors import (
    analytics_summary,
    kpis_get,
    revenue_by_category,
    revenue_per_day,
    rollup_mismatches,
    top_products,
)
from analytics.services import order_stats_record, rollup_rebuild
from orders.models import Order, OrderStatus
from tests.factories import AdminUserFactory, Breakdown, OrderFactory, ProductFactory, promotion, voucher
from tests.helpers.analytics import PERIOD, PricedShop, berlin, build_priced_shop, live_state, rollup_state

D = Decimal
WEEK = {"range": "custom", "start": "2025-03-24", "end": "2025-03-30"}


@pytest.fixture
def priced(db, berlin_tz) -> PricedShop:
    built = build_priced_shop()
    rollup_rebuild()
    return built


def test_the_orders_carry_the_worked_examples(priced):
    """The factory prices as docs/pricing.md computes by hand: the figures below rest on it."""
    amounts = {
        name: (o.subtotal, o.discount_total, o.shipping_total, o.tax_total, o.total_amount)
        for name, o in priced.orders.items()
    }
    assert amounts["q1"] == (D("62.99"), D("12.50"), D("4.90"), D("10.53"), D("65.92"))
    assert amounts["q2"] == (D("52.94"), D("10.51"), D("4.12"), D("8.84"), D("55.39"))
    assert amounts["q3"] == (D("50.00"), D("9.90"), D("4.90"), D("8.55"), D("53.55"))
    assert amounts["q5"] == (D("25.00"), D("0.00"), D("0.00"), D("0.00"), D("25.00"))
    q1 = Order.objects.get(pk=priced.orders["q1"].pk)
    assert q1.discount_codes == ["SAVE5"] and q1.tax_breakdown == [
        {"rate": "19", "base": "55.39", "tax": "10.53"}
    ]
    assert [(line.discount, line.tax, line.total) for line in q1.lines.order_by("pk")] == [
        (D("11.33"), D("7.35"), D("46.02")),
        (D("1.17"), D("2.25"), D("14.07")),
    ]


def test_revenue_is_net_of_discounts_with_shipping_and_tax_apart(priced):
    kpis, statuses = kpis_get(period=PERIOD)
    values = {name: (kpi.value, kpi.previous) for name, kpi in kpis.items()}
    # q1 62.99 − 12.50, q2 52.94 − 10.51, q3 50.00 − 9.90 (free shipping is a discount), q5 25.00
    assert values["revenue"] == (D("158.02"), D("50.49"))
    assert values["discount"] == (D("32.91"), D("12.50"))  # 12.50 + 10.51 + 9.90 | r1
    assert values["shipping"] == (D("13.92"), D("4.90"))  # 4.90 + 4.12 (net of gross 4.90) + 4.90
    assert values["tax"] == (D("27.92"), D("10.53"))  # 10.53 + 8.84 + 8.55
    assert values["orders"] == (4, 1)
    assert values["average_order_value"] == (D("39.51"), D("50.49"))  # 158.02 / 4 = 39.505, half up
    assert values["units_sold"] == (9, 3)  # 3 + 3 + 2 + 1
    # revenue + shipping + tax = what the orders totalled: 65.92 + 55.39 + 53.55 + 25.00
    assert values["revenue"][0] + values["shipping"][0] + values["tax"][0] == D("199.86")
    counted = Order.objects.filter(
        pk__in=[priced.orders[name].pk for name in ("q1", "q2", "q3", "q5")]
    ).aggregate(total=Sum("total_amount"))["total"]
    assert D(counted).quantize(D("0.01")) == D("199.86")
    # the cancelled order keeps its figures in its own status row, never in the revenue
    cancelled = next(row for row in statuses if row.status == OrderStatus.CANCELLED)
    assert (cancelled.orders, cancelled.revenue, cancelled.discount, cancelled.shipping, cancelled.tax) == (
        1,
        D("50.49"),
        D("12.50"),
        D("4.90"),
        D("10.53"),
    )


def test_every_day_adds_up(priced):
    points = {p.date: p for p in revenue_per_day(period=PERIOD)}
    figures = {day: (p.revenue, p.discount, p.shipping, p.tax) for day, p in points.items()}
    assert figures[date(2025, 3, 24)] == (D("50.49"), D("12.50"), D("4.90"), D("10.53"))
    assert figures[date(2025, 3, 25)] == (D("82.53"), D("20.41"), D("9.02"), D("17.39"))  # q2 + q3
    assert figures[date(2025, 3, 26)] == (D("25.00"), D("0.00"), D("0.00"), D("0.00"))  # q5; q4 cancelled
    assert figures[date(2025, 3, 27)] == (D("0.00"),) * 4
    assert points[date(2025, 3, 26)].orders_placed == 2


def test_products_and_categories_are_net_of_their_discounts(priced):
    by_revenue = top_products(period=PERIOD, by="revenue")
    assert [(p.name, p.revenue, p.units, p.discount, p.tax) for p in by_revenue] == [
        # lines' total − tax: q1 38.67 + q2 32.50 + q3 45.00 + q5 25.00
        ("Tee", D("141.17"), 7, D("25.85"), D("22.07")),
        ("Mug", D("21.75"), 2, D("2.16"), D("4.14")),  # q1 11.82 + q2 9.93
    ]
    # the lines hold every discount but the shipping's: 162.92 = 158.02 + q3's free shipping 4.90
    assert sum(p.revenue for p in by_revenue) == kpis_get(period=PERIOD)[0]["revenue"].value + D("4.90")
    assert [(c.name, c.revenue, c.discount, c.tax) for c in revenue_by_category(period=PERIOD)] == [
        ("Apparel", D("141.17"), D("25.85"), D("22.07")),
        ("Kitchen", D("21.75"), D("2.16"), D("4.14")),
    ]


def test_rollups_kept_by_the_hook_equal_the_rebuild_and_the_live_aggregate(db, berlin_tz):
    shop = build_priced_shop()
    for order in shop.orders.values():  # as the order services do, order by order
        order_stats_record(order=order, from_status="", to_status=order.status)
    assert rollup_state() == live_state()
    assert any(row[6] for row in rollup_state()[0])  # discounts are in the rows, not only zeros
    q1 = shop.orders["q1"]
    Order.objects.filter(pk=q1.pk).update(status=OrderStatus.CANCELLED)
    order_stats_record(order=q1, from_status=OrderStatus.PAID, to_status=OrderStatus.CANCELLED)
    assert rollup_state() == live_state()
    kept = rollup_state()
    rollup_rebuild()
    assert rollup_state() == kept


def test_the_nightly_check_compares_the_new_columns(priced):
    assert rollup_mismatches(days=7, today=PERIOD.end) == []
    row = DailyOrderStats.objects.get(day=date(2025, 3, 25), status=OrderStatus.SHIPPED)
    DailyOrderStats.objects.filter(pk=row.pk).update(tax=row.tax + D("0.01"))
    assert rollup_mismatches(days=7, today=PERIOD.end) == [date(2025, 3, 25)]


def test_summary_api_reports_discount_shipping_and_tax(priced, admin_user, auth_client):
    body = (
        auth_client(admin_user)
        .get("/api/analytics/summary", {"from": "2025-03-24", "to": "2025-03-30"})
        .json()
    )
    kpis = body["kpis"]
    assert kpis["revenue"]["value"] == 158.02 and kpis["revenue"]["previous"] == 50.49
    assert kpis["discount"] == {"value": 32.91, "previous": 12.5, "change": 20.41, "change_pct": 163.3}
    assert kpis["shipping"]["value"] == 13.92 and kpis["tax"]["value"] == 27.92
    assert body["revenue_per_day"][1] == {
        "date": "2025-03-25",
        "revenue": 82.53,
        "orders": 2,
        "orders_placed": 2,
        "discount": 20.41,
        "shipping": 9.02,
        "tax": 17.39,
    }
    tee = body["top_products_by_revenue"][0]
    assert tee == {
        "id": priced.tee.public_id,
        "name": "Tee",
        "revenue": 141.17,
        "units": 7,
        "discount": 25.85,
        "tax": 22.07,
    }
    assert body["revenue_by_category"][1]["discount"] == 2.16


def test_dashboard_and_exports_show_the_breakdown(priced):
    client = Client()
    client.force_login(AdminUserFactory())
    response = client.get("/admin/analytics/", WEEK)
    html = response.content.decode()
    assert response.context["takings"] == D("199.86")
    for name, shown in (
        ("discount", "32.91"),
        ("shipping", "13.92"),
        ("tax", "27.92"),
        ("revenue", "158.02"),
    ):
        chunk = html.split(f'data-kpi="{name}"')[1].split("</div>")[0]
        assert f"{shown} <small>USD</small>" in chunk
    # the neutral figures are not coloured good or bad
    assert 'analytics-kpi-change up">' in html.split('data-kpi="discount"')[1]
    assert '<td>2025-03-25</td><td class="num">82.53</td>' in html
    assert '<td class="num">20.41</td><td class="num">9.02</td><td class="num">17.39</td>' in html
    assert "199.86 USD" in html
    data = response.context["chart_data"]["days"]
    assert data["shipping"][:3] == [4.9, 9.02, 0.0] and data["tax"][:2] == [10.53, 17.39]

    daily = list(
        csv.reader(io.StringIO(client.get("/admin/analytics/export/daily.csv", WEEK).content.decode()))
    )
    assert daily[2] == ["2025-03-25", "82.53", "2", "2", "20.41", "9.02", "17.39"]
    products = list(
        csv.reader(io.StringIO(client.get("/admin/analytics/export/top-products.csv", WEEK).content.decode()))
    )
    assert products[1] == ["1", priced.tee.public_id, "Tee", "7", "141.17", "25.85", "22.07"]


def test_summary_of_a_period_without_priced_orders_is_unchanged(priced):
    summary = analytics_summary(period=PERIOD.previous)
    assert summary.kpis["revenue"].value == D("50.49")  # r1
    assert summary.kpis["revenue"].value + summary.kpis["shipping"].value + summary.kpis["tax"].value == D(
        "65.92"
    )


def test_a_giveaway_with_free_shipping_has_a_negative_revenue(db, berlin_tz, admin_user, auth_client):
    """Everything discounted and the shipping given away too: revenue −5.00, shipping 5.00, total 0."""
    product = ProductFactory(price=D("20.00"))
    order = OrderFactory(
        lines=[(product, 1)],
        created_at=berlin(2025, 3, 24, 12),
        breakdown=Breakdown(
            shipping=D("5.00"), discounts=[promotion("prm_all", "100"), voucher("FREESHIP", "free_shipping")]
        ),
    )
    assert (order.subtotal, order.discount_total, order.shipping_total, order.total_amount) == (
        D("20.00"),
        D("25.00"),
        D("5.00"),
        D("0.00"),
    )
    rollup_rebuild()
    body = (
        auth_client(admin_user)
        .get("/api/analytics/summary", {"from": "2025-03-24", "to": "2025-03-24"})
        .json()
    )
    assert body["kpis"]["revenue"]["value"] == -5.0 and body["kpis"]["shipping"]["value"] == 5.0
    assert body["kpis"]["average_order_value"]["value"] == -5.0
    assert body["revenue_per_day"][0]["revenue"] == -5.0
    assert body["top_products_by_revenue"][0]["revenue"] == 0.0  # the line itself is free
