"""Cart through HTTP: each user sees only their own cart; adds are checked against stock."""

from decimal import Decimal

import pytest

from cart.models import CartLine
from tests.factories import ProductFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def shopper(auth_client):
    user = UserFactory()
    return user, auth_client(user)


def test_anonymous_gets_401(api_client):
    response = api_client.get("/api/cart/")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "AUTHENTICATION_REQUIRED"


def test_empty_cart_shape(shopper):
    _, client = shopper
    for path in ("/api/cart/", "/api/cart"):
        response = client.get(path)
        assert response.status_code == 200
        assert response.json() == {
            "items": [],
            "saved_for_later": [],
            "subtotal": 0.0,
            "item_count": 0,
            "currency": "USD",
        }


def test_add_merges_lines_and_computes_totals(shopper):
    user, client = shopper
    coffee = ProductFactory(name="Coffee", price=Decimal("15.99"), quantity=10)
    tea = ProductFactory(name="Tea", price=Decimal("4.50"), quantity=3)
    assert (
        client.post(
            "/api/cart/items/", {"product_id": coffee.public_id, "quantity": 2}, format="json"
        ).status_code
        == 201
    )
    client.post("/api/cart/items", {"product_id": coffee.public_id}, format="json")
    response = client.post("/api/cart/items/", {"product_id": tea.public_id, "quantity": 2}, format="json")
    assert response.status_code == 201
    body = response.json()
    assert [(i["product"]["id"], i["quantity"], i["unit_price"], i["line_total"]) for i in body["items"]] == [
        (coffee.public_id, 3, 15.99, 47.97),
        (tea.public_id, 2, 4.5, 9.0),
    ]
    assert body["items"][0]["product"] == {
        "id": coffee.public_id,
        "name": "Coffee",
        "price": 15.99,
        "status": "in_stock",
    }
    assert body["subtotal"] == 56.97
    assert body["item_count"] == 5
    assert CartLine.objects.filter(cart__user=user).count() == 2


def test_prices_shown_are_current(shopper):
    _, client = shopper
    product = ProductFactory(price=Decimal("10.00"))
    client.post("/api/cart/items/", {"product_id": product.public_id}, format="json")
    product.variants.update(price=Decimal("12.00"))  # the price lives on the variant
    assert client.get("/api/cart/").json()["subtotal"] == 12.0


@pytest.mark.parametrize(
    "payload, field",
    [
        ({"product_id": "x", "quantity": 0}, "quantity"),
        ({"product_id": "x", "quantity": -1}, "quantity"),
        ({"product_id": "x", "quantity": 1.5}, "quantity"),
        ({"product_id": "x", "quantity": "2"}, "quantity"),
        ({"product_id": "x", "quantity": True}, "quantity"),
        ({"quantity": 1}, "product_id"),
    ],
)
def test_bad_quantities_are_400(shopper, payload, field):
    _, client = shopper
    response = client.post("/api/cart/items/", payload, format="json")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "INVALID_REQUEST"
    assert field in response.json()["error"]["details"]
    assert not CartLine.objects.exists()


def test_unknown_discontinued_and_too_many(shopper):
    _, client = shopper
    gone = ProductFactory(discontinued=True)
    few = ProductFactory(quantity=2)
    response = client.post("/api/cart/items/", {"product_id": "prod_unknown"}, format="json")
    assert response.status_code == 404 and response.json()["error"]["code"] == "PRODUCT_NOT_FOUND"
    response = client.post("/api/cart/items/", {"product_id": gone.public_id}, format="json")
    assert response.status_code == 409 and response.json()["error"]["code"] == "PRODUCT_DISCONTINUED"
    response = client.post("/api/cart/items/", {"product_id": few.public_id, "quantity": 3}, format="json")
    assert response.status_code == 409
    assert response.json()["error"] == {
        "code": "INSUFFICIENT_STOCK",
        "message": "Not enough stock for one or more products.",
        "details": {few.public_id: "requested 3, available 2"},
    }
    assert not CartLine.objects.exists()


def test_patch_quantity_zero_removes_and_stock_checked(shopper):
    _, client = shopper
    product = ProductFactory(quantity=5)
    client.post("/api/cart/items/", {"product_id": product.public_id}, format="json")
    response = client.patch(f"/api/cart/items/{product.public_id}/", {"quantity": 4}, format="json")
    assert response.status_code == 200 and response.json()["item_count"] == 4
    assert (
        client.patch(f"/api/cart/items/{product.public_id}", {"quantity": 6}, format="json").status_code
        == 409
    )
    response = client.patch(f"/api/cart/items/{product.public_id}/", {"quantity": 0}, format="json")
    assert response.status_code == 200 and response.json()["items"] == []
    response = client.patch(f"/api/cart/items/{product.public_id}/", {"quantity": 1}, format="json")
    assert response.status_code == 404 and response.json()["error"]["code"] == "NOT_FOUND"


def test_save_for_later_and_back(shopper):
    _, client = shopper
    product = ProductFactory(quantity=5)
    client.post("/api/cart/items/", {"product_id": product.public_id, "quantity": 2}, format="json")
    body = client.post(f"/api/cart/items/{product.public_id}/save-for-later/").json()
    assert body["items"] == [] and body["saved_for_later"][0]["quantity"] == 2 and body["subtotal"] == 0
    body = client.post(f"/api/cart/saved/{product.public_id}/move-to-cart").json()
    assert body["saved_for_later"] == [] and body["items"][0]["quantity"] == 2
    assert client.post(f"/api/cart/saved/{product.public_id}/move-to-cart/").status_code == 404


def test_move_to_cart_refused_when_discontinued_meanwhile(shopper):
    _, client = shopper
    product = ProductFactory(quantity=5)
    client.post("/api/cart/items/", {"product_id": product.public_id}, format="json")
    client.post(f"/api/cart/items/{product.public_id}/save-for-later/")
    product.discontinued = True
    product.save()
    response = client.post(f"/api/cart/saved/{product.public_id}/move-to-cart/")
    assert response.status_code == 409 and response.json()["error"]["code"] == "PRODUCT_DISCONTINUED"


def test_delete_line_and_clear_cart(shopper):
    _, client = shopper
    a, b, c = ProductFactory(), ProductFactory(), ProductFactory()
    for product in (a, b, c):
        client.post("/api/cart/items/", {"product_id": product.public_id}, format="json")
    client.post(f"/api/cart/items/{c.public_id}/save-for-later/")
    body = client.delete(f"/api/cart/items/{a.public_id}/").json()
    assert [i["product"]["id"] for i in body["items"]] == [b.public_id]
    assert client.delete(f"/api/cart/items/{a.public_id}/").status_code == 404
    assert client.delete("/api/cart/").status_code == 204
    body = client.get("/api/cart/").json()
    assert body["items"] == [] and [i["product"]["id"] for i in body["saved_for_later"]] == [c.public_id]


def test_users_never_see_each_others_cart(auth_client):
    alice, bob = UserFactory(), UserFactory()
    product = ProductFactory()
    auth_client(alice).post("/api/cart/items/", {"product_id": product.public_id}, format="json")
    bob_client = auth_client(bob)
    assert bob_client.get("/api/cart/").json()["items"] == []
    assert bob_client.delete(f"/api/cart/items/{product.public_id}/").status_code == 404
    assert (
        bob_client.patch(f"/api/cart/items/{product.public_id}/", {"quantity": 3}, format="json").status_code
        == 404
    )
    assert CartLine.objects.get(cart__user=alice).quantity == 1


def test_cart_read_is_one_query_for_many_lines(shopper, django_assert_max_num_queries):
    user, client = shopper
    for product in ProductFactory.create_batch(15):
        client.post("/api/cart/items/", {"product_id": product.public_id}, format="json")
    with django_assert_max_num_queries(2):  # the user (JWT) + the lines with their products
        assert client.get("/api/cart/").json()["item_count"] == 15
