"""The API's conventions at the HTTP level (docs/api-conventions.md): ``Location`` on 201,
``Idempotent-Replayed`` on a replayed checkout, one product shape in cart and order lines,
the DELETE answers of the cart; and the schema declaring them."""

from __future__ import annotations

import pytest
from django.core.cache import cache

from tests.factories import AdminUserFactory, ProductFactory, UserFactory
from tests.helpers.orders import checkout_body

pytestmark = pytest.mark.django_db
PASSWORD = "correct-horse-battery-9"


@pytest.fixture(autouse=True)
def _clean_cache():
    cache.clear()
    yield
    cache.clear()


def test_created_register_points_at_me(api_client):
    response = api_client.post(
        "/api/auth/register", {"email": "new@example.com", "password": PASSWORD}, format="json"
    )
    assert response.status_code == 201
    assert response["Location"] == "http://testserver/api/auth/me/"


def test_created_product_and_category_point_at_their_detail(auth_client):
    admin = auth_client(AdminUserFactory())
    category = admin.post("/api/categories/", {"name": "Coffee"}, format="json")
    assert category.status_code == 201
    assert category["Location"] == f"http://testserver/api/categories/{category.json()['id']}/"
    assert admin.get(category["Location"]).json() == category.json()

    product = admin.post("/api/products", {"name": "Beans", "price": 15.99, "quantity": 3}, format="json")
    assert product.status_code == 201
    assert product["Location"] == f"http://testserver/api/products/{product.json()['id']}/"
    assert admin.get(product["Location"]).json()["id"] == product.json()["id"]


def test_created_cart_item_points_at_the_cart(auth_client):
    client = auth_client(UserFactory())
    product = ProductFactory()
    response = client.post("/api/cart/items/", {"product_id": product.public_id}, format="json")
    assert response.status_code == 201 and response["Location"] == "http://testserver/api/cart/"
    assert client.get(response["Location"]).json() == response.json()


def test_created_order_points_at_it_and_a_replay_says_so(auth_client):
    client = auth_client(UserFactory())
    product = ProductFactory(quantity=5)
    client.post("/api/cart/items/", {"product_id": product.public_id, "quantity": 2}, format="json")
    first = client.post("/api/orders/", checkout_body(), format="json", HTTP_IDEMPOTENCY_KEY="conv-1")
    assert first.status_code == 201 and "Idempotent-Replayed" not in first
    assert first["Location"] == f"http://testserver/api/orders/{first.json()['id']}/"
    assert client.get(first["Location"]).json()["id"] == first.json()["id"]

    replay = client.post("/api/orders/", checkout_body(), format="json", HTTP_IDEMPOTENCY_KEY="conv-1")
    assert replay.status_code == 200 and replay["Idempotent-Replayed"] == "true"
    assert replay.json()["id"] == first.json()["id"] and "Location" not in replay

    other = checkout_body()
    other["shipping_address"]["city"] = "Paris"
    conflict = client.post("/api/orders/", other, format="json", HTTP_IDEMPOTENCY_KEY="conv-1")
    assert conflict.status_code == 409 and conflict.json()["error"]["code"] == "IDEMPOTENCY_CONFLICT"
    assert "Idempotent-Replayed" not in conflict


def test_inventory_upsert_answers_201_without_location(api_client):
    body = {"manager_id": "mgr_conv", "products": [{"name": "Beans", "price": 15.99, "quantity": 1}]}
    created = api_client.post("/api/inventory/products", body, format="json")
    updated = api_client.post("/api/inventory/products", body, format="json")  # same name: an update
    assert (created.status_code, updated.status_code) == (201, 201)
    assert (
        "Location" not in created
        and created.json()["products"][0]["id"] == updated.json()["products"][0]["id"]
    )


def test_cart_and_order_lines_describe_the_product_alike(auth_client):
    client = auth_client(UserFactory())
    product = ProductFactory(name="Beans", price="15.99", quantity=5)
    cart = client.post("/api/cart/items/", {"product_id": product.public_id}, format="json").json()
    order = client.post("/api/orders/", checkout_body(), format="json").json()
    cart_product, order_line = cart["items"][0]["product"], order["items"][0]
    assert order_line["product"] == {"id": product.public_id, "name": "Beans"}
    assert {key: cart_product[key] for key in order_line["product"]} == order_line["product"]
    assert order_line["product_id"] == product.public_id and order_line["name"] == "Beans"  # kept


def test_cart_deletes_answer_as_the_contract_says(auth_client):
    """DELETE of an item answers the cart (200); DELETE of the whole cart answers 204."""
    client = auth_client(UserFactory())
    first, second = ProductFactory(), ProductFactory()
    for product in (first, second):
        client.post("/api/cart/items/", {"product_id": product.public_id}, format="json")
    item = client.delete(f"/api/cart/items/{first.public_id}/")
    assert item.status_code == 200 and [i["product"]["id"] for i in item.json()["items"]] == [
        second.public_id
    ]
    whole = client.delete("/api/cart/")
    assert whole.status_code == 204 and whole.content == b""
    assert client.get("/api/cart/").json()["items"] == []


def test_conventions_are_declared_in_the_schema(api_client):
    paths = api_client.get("/api/schema/?format=json").json()["paths"]
    created = [
        ("/api/auth/register/", "post"),
        ("/api/categories/", "post"),
        ("/api/products/", "post"),
        ("/api/cart/items/", "post"),
        ("/api/orders/", "post"),
    ]
    for path, method in created:
        header = paths[path][method]["responses"]["201"]["headers"]["Location"]
        assert header["required"] is True and header["schema"]["format"] == "uri"
    assert "Location" not in paths["/api/inventory/products/"]["post"]["responses"]["201"].get("headers", {})
    replayed = paths["/api/orders/"]["post"]["responses"]["200"]["headers"]["Idempotent-Replayed"]
    assert replayed["schema"]["enum"] == ["true"]
