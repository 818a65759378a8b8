"""The dashboard inside the Django admin, its CSV exports and the cards on the admin index."""

from __future__ import annotations

import csv
import io
import json

import pytest
from django.test import Client

from tests.factories import AdminUserFactory, ProductFactory

DASHBOARD = "/admin/analytics/"
WEEK = {"range": "custom", "start": "2025-03-24", "end": "2025-03-30"}


@pytest.fixture
def admin_client(db) -> Client:
    client = Client()
    client.force_login(AdminUserFactory())
    return client


def kpi_values(html: str) -> dict[str, str]:
    """``data-kpi`` name → the text of its value paragraph (whitespace collapsed)."""
    out = {}
    for chunk in html.split('data-kpi="')[1:]:
        name = chunk.split('"', 1)[0]
        value = chunk.split('class="analytics-kpi-value">', 1)[1].split("</p>", 1)[0]
        out[name] = " ".join(value.replace("<small>", "").replace("</small>", "").split())
    return out


@pytest.mark.django_db
def test_anonymous_and_customers_get_the_admin_login(client, user):
    for path in (DASHBOARD, DASHBOARD + "export/daily.csv", DASHBOARD + "export/top-products.csv"):
        response = client.get(path)
        assert response.status_code == 302 and response["Location"].startswith("/admin/login/")
    client.force_login(user)  # a customer: not staff
    response = client.get(DASHBOARD)
    assert response.status_code == 302 and response["Location"] == "/admin/login/?next=/admin/analytics/"


def test_dashboard_shows_the_figures_within_the_query_budget(
    shop, admin_client, django_assert_max_num_queries
):
    with django_assert_max_num_queries(12):
        response = admin_client.get(DASHBOARD, WEEK)
    assert response.status_code == 200
    html = response.content.decode()
    assert kpi_values(html) == {
        "revenue": "107.00 USD",
        "orders": "3",
        "average_order_value": "35.67 USD",
        "units_sold": "8",
        "new_customers": "1",
        "cancellation_rate": "16.67 %",
        # orders placed before checkout v2: no discount, shipping or tax (tests/analytics/test_breakdown.py)
        "discount": "0.00 USD",
        "shipping": "0.00 USD",
        "tax": "0.00 USD",
    }
    assert 'revenue + shipping + tax = <span class="analytics-takings">107.00 USD</span>' in html
    assert "+167.5 %" in html and "-16.66 pts" in html
    assert "Europe/Berlin" in html and "both channels" in html
    # charts: vendored Chart.js from our static files, data for the script, tables without JS
    assert "/static/analytics/vendor/chart.umd.min.js" in html and "cdn" not in html.lower()
    for canvas in ("chart-days", "chart-status", "chart-categories", "chart-top-revenue", "chart-top-units"):
        assert f'id="{canvas}"' in html
    data = json.loads(
        html.split('<script id="analytics-data" type="application/json">')[1].split("</script>")[0]
    )
    assert data["days"]["revenue"] == [20.0, 37.0, 0.0, 0.0, 0.0, 0.0, 50.0]
    assert data["statuses"]["orders"] == [1, 2, 0, 1, 1, 1]
    assert data["topRevenue"] == {"labels": ["Brew kit", "Arabica", "Cocoa"], "values": [75.0, 20.0, 12.0]}
    assert data["categories"]["labels"] == ["Coffee", "Gifts", "Uncategorised"]
    assert "<td>2025-03-24</td>" in html  # the daily table
    # low stock links to the product's admin page; latest orders to the order's, in shop time
    assert (
        f'href="/admin/catalog/product/{shop.b.pk}/change/">Brew kit</a></td><td class="num">2</td>' in html
    )
    assert f"/admin/orders/order/{shop.orders['o3'].pk}/change/" in html
    assert "2025-03-30 00:30" in html
    assert 'href="?range=7d"' in html and 'href="?range=90d"' in html and 'href="?range=month"' in html


def test_dashboard_channel_filter_and_presets(shop, admin_client):
    html = admin_client.get(DASHBOARD, {**WEEK, "channel": "shop"}).content.decode()
    assert kpi_values(html)["revenue"] == "70.00 USD"
    assert "channel shop" in html and '<option value="shop" selected>' in html
    response = admin_client.get(DASHBOARD, {"range": "7d", "channel": "shop"})
    assert response.status_code == 200
    assert response.context["summary"].period.days == 7 and response.context["preset"] == "7d"
    assert 'href="?range=30d&amp;channel=shop"' in response.content.decode()


def test_dashboard_without_orders(admin_client):
    response = admin_client.get(DASHBOARD)
    assert response.status_code == 200
    html = response.content.decode()
    assert response.context["preset"] == "30d"
    assert kpi_values(html)["revenue"] == "0.00 USD"
    assert "No orders in this period." in html and "Nothing is running low." in html


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"range": "custom", "start": "2025-03-30", "end": "2025-03-01"}, "must be on or before"),
        ({"start": "not-a-date"}, "Enter a valid date."),
        ({"range": "custom", "start": "2019-01-01", "end": "2025-03-01"}, "at most 731 days"),
    ],
)
def test_dashboard_invalid_input_shows_the_error_and_the_default_period(admin_client, params, message):
    response = admin_client.get(DASHBOARD, params)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert response.context["summary"].period.days == 30


def test_csv_export_of_the_daily_series(shop, admin_client):
    response = admin_client.get(DASHBOARD + "export/daily.csv", WEEK)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert (
        response["Content-Disposition"] == 'attachment; filename="revenue-per-day_2025-03-24_2025-03-30.csv"'
    )
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    zeros = ["0.00", "0.00", "0.00"]  # discount, shipping, tax: none before checkout v2
    assert rows == [
        ["date", "revenue", "orders", "orders_placed", "discount", "shipping", "tax"],
        ["2025-03-24", "20.00", "1", "1", *zeros],
        ["2025-03-25", "37.00", "1", "1", *zeros],
        ["2025-03-26", "0.00", "0", "1", *zeros],
        ["2025-03-27", "0.00", "0", "2", *zeros],
        ["2025-03-28", "0.00", "0", "0", *zeros],
        ["2025-03-29", "0.00", "0", "0", *zeros],
        ["2025-03-30", "50.00", "1", "1", *zeros],
    ]


def test_csv_export_of_the_top_products(shop, admin_client):
    response = admin_client.get(DASHBOARD + "export/top-products.csv", WEEK)
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows == [
        ["rank", "product_id", "name", "units", "revenue", "discount", "tax"],
        ["1", shop.b.public_id, "Brew kit", "3", "75.00", "0.00", "0.00"],
        ["2", shop.a.public_id, "Arabica", "2", "20.00", "0.00", "0.00"],
        ["3", shop.c.public_id, "Cocoa", "3", "12.00", "0.00", "0.00"],
    ]
    response = admin_client.get(
        DASHBOARD + "export/top-products.csv", {**WEEK, "by": "units", "channel": "shop"}
    )
    assert "top-products-by-units_2025-03-24_2025-03-30_shop.csv" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert [row[2] for row in rows[1:]] == ["Arabica", "Brew kit"]  # a 2 units (o1), b 2 units (o3)


def test_csv_cells_cannot_start_a_formula(db, berlin_tz, admin_client):
    from analytics.services import rollup_rebuild
    from tests.factories import OrderFactory
    from tests.helpers.analytics import berlin

    product = ProductFactory(name="=HYPERLINK(1)")
    OrderFactory(lines=[(product, 1)], created_at=berlin(2025, 3, 25, 9))
    rollup_rebuild()
    response = admin_client.get(DASHBOARD + "export/top-products.csv", WEEK)
    assert "'=HYPERLINK(1)" in response.content.decode()


def test_admin_index_shows_cards_and_links_the_dashboard(admin_client):
    response = admin_client.get("/admin/")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'href="/admin/analytics/"' in html and "Open the analytics dashboard" in html
    assert set(kpi_values(html)) == {"revenue", "orders", "average_order_value", "cancellation_rate"}
    assert "last 30 days" in html
    assert 'id="content-main"' in html  # the original index (app list) is still there
