"""``GET /api/analytics/summary``: admins only, same figures as the dashboard, 400s with the envelope."""

from __future__ import annotations

from datetime import timedelta

import pytest

from analytics.periods import shop_today

URL = "/api/analytics/summary"


@pytest.mark.django_db
def test_anonymous_gets_401_envelope(api_client):
    response = api_client.get(URL)
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "AUTHENTICATION_REQUIRED"


def test_customer_gets_403_envelope(user, auth_client):
    response = auth_client(user).get(URL)
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "PERMISSION_DENIED"


def test_admin_gets_the_figures(shop, admin_user, auth_client):
    response = auth_client(admin_user).get(URL, {"from": "2025-03-24", "to": "2025-03-30"})
    assert response.status_code == 200
    body = response.json()
    assert body["period"] == {"from": "2025-03-24", "to": "2025-03-30", "days": 7}
    assert body["previous_period"] == {"from": "2025-03-17", "to": "2025-03-23", "days": 7}
    assert body["channel"] is None and body["currency"] == "USD" and body["time_zone"] == "Europe/Berlin"
    assert body["kpis"]["revenue"] == {"value": 107.0, "previous": 40.0, "change": 67.0, "change_pct": 167.5}
    assert body["kpis"]["orders"] == {"value": 3, "previous": 2, "change": 1, "change_pct": 50.0}
    assert body["kpis"]["average_order_value"]["value"] == 35.67
    assert body["kpis"]["units_sold"]["value"] == 8
    assert body["kpis"]["new_customers"] == {"value": 1, "previous": 1, "change": 0, "change_pct": 0.0}
    assert body["kpis"]["cancellation_rate"] == {
        "value": 16.67,
        "previous": 33.33,
        "change": -16.66,
        "change_pct": -50.0,
    }
    assert body["kpis"]["orders_placed"]["value"] == 6
    assert [d["revenue"] for d in body["revenue_per_day"]] == [20.0, 37.0, 0.0, 0.0, 0.0, 0.0, 50.0]
    assert body["revenue_per_day"][0] == {
        "date": "2025-03-24",
        "revenue": 20.0,
        "orders": 1,
        "orders_placed": 1,
        "discount": 0.0,  # orders placed before checkout v2 have none
        "shipping": 0.0,
        "tax": 0.0,
    }
    for part in ("discount", "shipping", "tax"):
        assert body["kpis"][part] == {"value": 0.0, "previous": 0.0, "change": 0.0, "change_pct": None}
    assert {row["status"]: row["orders"] for row in body["orders_by_status"]} == {
        "pending": 1,
        "paid": 2,
        "shipped": 0,
        "delivered": 1,
        "cancelled": 1,
        "payment_failed": 1,
    }
    assert body["top_products_by_revenue"][0] == {
        "id": shop.b.public_id,
        "name": "Brew kit",
        "revenue": 75.0,
        "units": 3,
        "discount": 0.0,
        "tax": 0.0,
    }
    assert [p["name"] for p in body["top_products_by_units"]] == ["Brew kit", "Cocoa", "Arabica"]
    assert [(c["name"], c["revenue"]) for c in body["revenue_by_category"]] == [
        ("Coffee", 95.0),
        ("Gifts", 75.0),
        ("Uncategorised", 12.0),
    ]
    assert body["low_stock_threshold"] == 5
    assert [(p["name"], p["quantity"]) for p in body["low_stock_products"]] == [("Decaf", 0), ("Brew kit", 2)]
    assert body["latest_orders"][0]["id"] == shop.orders["o3"].public_id
    assert body["latest_orders"][0]["created_at"] == "2025-03-29T23:30:00Z"


def test_channel_filter_and_trailing_slash(shop, admin_user, auth_client):
    client = auth_client(admin_user)
    response = client.get(URL + "/", {"from": "2025-03-24", "to": "2025-03-30", "channel": "inventory_api"})
    assert response.status_code == 200
    body = response.json()
    assert body["channel"] == "inventory_api"
    assert body["kpis"]["revenue"]["value"] == 37.0
    assert [o["channel"] for o in body["latest_orders"]] == ["inventory_api"]


def test_defaults_to_the_last_30_days(db, admin_user, auth_client):
    body = auth_client(admin_user).get(URL).json()
    today = shop_today()
    assert body["period"] == {
        "from": (today - timedelta(days=29)).isoformat(),
        "to": today.isoformat(),
        "days": 30,
    }
    assert body["kpis"]["revenue"]["value"] == 0.0 and len(body["revenue_per_day"]) == 30


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"from": "2025-13-01"}, "from"),
        ({"to": "yesterday"}, "to"),
        ({"from": "2025-03-30", "to": "2025-03-24"}, "from"),
        ({"from": "2020-01-01", "to": "2025-01-01"}, "from"),
        ({"channel": "fax"}, "channel"),
    ],
)
def test_bad_query_is_400_with_details(db, admin_user, auth_client, params, field):
    response = auth_client(admin_user).get(URL, params)
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "INVALID_REQUEST" and field in error["details"]


def test_other_methods_are_405(db, admin_user, auth_client):
    response = auth_client(admin_user).post(URL, {}, format="json")
    assert response.status_code == 405
    assert response.json()["error"]["code"] == "METHOD_NOT_ALLOWED"
