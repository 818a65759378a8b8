"""Orders changed through the real services (checkout, payment failure, cancel, admin moves,
the inventory API) keep the analytics rollups equal to the live aggregate."""

import pytest

from tests.factories import AdminUserFactory, ProductFactory, UserFactory
from tests.helpers.analytics import live_state, rollup_state
from tests.helpers.orders import checkout_body

pytestmark = pytest.mark.django_db


def test_rollups_follow_every_order_change(auth_client, api_client):
    product = ProductFactory(quantity=100, price="7.50")
    admin = auth_client(AdminUserFactory())
    ids = []
    for token in ("tok_ok", "tok_ok", "tok_ok", "tok_declined"):
        shopper = auth_client(UserFactory())
        shopper.post("/api/cart/items/", {"product_id": product.public_id, "quantity": 2}, format="json")
        response = shopper.post("/api/orders/", checkout_body(token), format="json")
        ids.append((shopper, response.json().get("id")))
    shopper, first = ids[0]
    assert shopper.post(f"/api/orders/{first}/cancel/").status_code == 200
    _, second = ids[1]
    for status in ("shipped", "delivered"):
        assert admin.patch(f"/api/orders/{second}/", {"status": status}, format="json").status_code == 200
    api_client.post(
        "/api/inventory/products",
        {"manager_id": "mgr_roll", "products": [{"name": "Beans", "price": 3.25, "quantity": 9}]},
        format="json",
    )
    beans = api_client.get("/api/inventory/products", {"manager_id": "mgr_roll"}).json()["products"][0]["id"]
    body = {
        "manager_id": "mgr_roll",
        "customer": {"id": "cust_1", "email": "c@example.com"},
        "products": [{"product_id": beans, "quantity": 4}],
    }
    assert api_client.post("/api/orders/process", body, format="json").status_code == 200

    orders, products = rollup_state()
    assert (orders, products) == live_state()
    assert {row[2] for row in orders} == {"cancelled", "paid", "delivered", "payment_failed"}
    assert any(row[1] == "inventory_api" for row in orders)
