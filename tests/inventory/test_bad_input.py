"""Every kind of bad input of the issue: 400 INVALID_REQUEST with the offending field named in
``details`` (415 for another media type), and nothing written."""

from __future__ import annotations

from decimal import Decimal

import pytest

from accounts.models import StoreManager
from catalog.models import Product
from orders.models import Order
from tests.factories import ManagedProductFactory, StoreManagerFactory
from tests.helpers.inventory import send

PRODUCTS = "/api/inventory/products"
PROCESS = "/api/orders/process"
DISCONTINUE = "/api/inventory/discontinue"
COFFEE = {"name": "Premium Coffee Beans", "price": 15.99, "quantity": 100}


def item(**changes):
    return {**COFFEE, **changes}


def without(key):
    return {k: v for k, v in COFFEE.items() if k != key}


def assert_400(response, *fields):
    assert response.status_code == 400, response.content
    error = response.json()["error"]
    assert error["code"] == "INVALID_REQUEST"
    assert error["message"]
    for field in fields:
        assert field in error["details"], error["details"]
    return error


@pytest.mark.django_db
@pytest.mark.parametrize("path", [PRODUCTS, PROCESS, DISCONTINUE])
def test_non_json_body_is_400(api_client, path):
    response = api_client.post(path, "{not json", content_type="application/json")

    error = assert_400(response)
    assert error["message"].startswith("The request body is not valid JSON")


@pytest.mark.django_db
def test_nan_is_not_json(api_client):
    response = api_client.post(
        PRODUCTS,
        '{"manager_id": "mgr_1", "products": [{"name": "a", "price": NaN, "quantity": 1}]}',
        content_type="application/json",
    )
    assert_400(response)


@pytest.mark.django_db
def test_other_media_type_is_415(api_client):
    response = api_client.post(PRODUCTS, "manager_id=mgr_1", content_type="application/x-www-form-urlencoded")

    assert response.status_code == 415
    assert response.json()["error"]["code"] == "UNSUPPORTED_MEDIA_TYPE"


@pytest.mark.django_db
@pytest.mark.parametrize("body", [[], [1, 2], "mgr_123", 42, None, True])
@pytest.mark.parametrize("path", [PRODUCTS, PROCESS, DISCONTINUE])
def test_json_that_is_not_an_object_is_400(api_client, path, body):
    response = api_client.post(path, __import__("json").dumps(body), content_type="application/json")

    assert assert_400(response, "body")["details"] == {"body": "Must be a JSON object."}


@pytest.mark.django_db
def test_empty_body_is_400_naming_required_fields(api_client):
    response = api_client.post(PRODUCTS, "", content_type="application/json")

    assert_400(response, "manager_id", "products")


@pytest.mark.django_db
@pytest.mark.parametrize(
    "manager_id", ["", " ", "mgr 123", "mgr_123 ", "x" * 65, "mgr/1", "mgr_é", 123, None, True, ["mgr_1"]]
)
@pytest.mark.parametrize("path", [PRODUCTS, PROCESS, DISCONTINUE])
def test_missing_empty_or_malformed_manager_id_is_400(api_client, path, manager_id):
    body = {
        "manager_id": manager_id,
        "products": [COFFEE],
        "product_id": "prod_1",
        "customer": {"id": "c1", "email": "c@example.com"},
    }
    assert_400(send(api_client, "post", path, body), "manager_id")
    body.pop("manager_id")
    assert_400(send(api_client, "post", path, body), "manager_id")
    assert not StoreManager.objects.exists()


@pytest.mark.django_db
def test_manager_id_of_64_allowed_characters_is_accepted(api_client):
    manager_id = "A-z_9" * 12 + "abcd"
    response = send(api_client, "post", PRODUCTS, {"manager_id": manager_id, "products": [COFFEE]})

    assert response.status_code == 201
    assert StoreManager.objects.get().external_id == manager_id


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("products", "field"),
    [
        (None, "products"),
        ("Premium Coffee Beans", "products"),
        ({"name": "x"}, "products"),
        ([], "products"),
        ([COFFEE, "not an object"], "products.1"),
        ([COFFEE, without("name")], "products.1.name"),
        ([COFFEE, without("price")], "products.1.price"),
        ([COFFEE, without("quantity")], "products.1.quantity"),
        ([item(name="")], "products.0.name"),
        ([item(name="   ")], "products.0.name"),
        ([item(name=42)], "products.0.name"),
        ([item(name="x" * 201)], "products.0.name"),
        ([item(price=-0.01)], "products.0.price"),
        ([item(price="abc")], "products.0.price"),
        ([item(price="15.99")], "products.0.price"),
        ([item(price=True)], "products.0.price"),
        ([item(price=None)], "products.0.price"),
        ([item(price=15.999)], "products.0.price"),
        ([item(price=10_000_000_000)], "products.0.price"),
        ([item(price=1e50)], "products.0.price"),
        ([item(price=0.001)], "products.0.price"),
        ([item(quantity=-1)], "products.0.quantity"),
        ([item(quantity=2.5)], "products.0.quantity"),
        ([item(quantity=2.0)], "products.0.quantity"),
        ([item(quantity=True)], "products.0.quantity"),
        ([item(quantity="3")], "products.0.quantity"),
        ([item(quantity=2**31)], "products.0.quantity"),
        ([item(id=5)], "products.0.id"),
    ],
)
def test_bad_products_are_400_naming_item_and_field(api_client, products, field):
    body = {"manager_id": "mgr_123"}
    if products is not None:
        body["products"] = products

    error = assert_400(send(api_client, "post", PRODUCTS, body), field)

    assert error["message"]
    assert not Product.objects.exists()
    assert not StoreManager.objects.exists()


@pytest.mark.django_db
def test_more_than_1000_items_is_400(api_client):
    body = {"manager_id": "mgr_123", "products": [item(name=f"P{i}") for i in range(1001)]}

    error = assert_400(send(api_client, "post", PRODUCTS, body), "products")

    assert "1000" in error["details"]["products"]
    assert not Product.objects.exists()


@pytest.mark.django_db
def test_price_zero_and_quantity_zero_are_allowed_in_products(api_client):
    response = send(
        api_client, "post", PRODUCTS, {"manager_id": "mgr_1", "products": [item(price=0, quantity=0)]}
    )

    assert response.status_code == 201
    assert response.json()["products"][0]["price"] == 0
    assert response.json()["products"][0]["quantity"] == 0


@pytest.mark.django_db
def test_one_bad_item_rejects_the_whole_batch(api_client):
    existing = ManagedProductFactory(
        manager=StoreManagerFactory(external_id="mgr_1"), name="Kept", quantity=3
    )
    body = {
        "manager_id": "mgr_1",
        "products": [item(name="Kept", quantity=9), item(name="New"), item(price=-1)],
    }

    assert_400(send(api_client, "post", PRODUCTS, body), "products.2.price")

    existing.refresh_from_db()
    assert existing.quantity == 3
    assert Product.objects.count() == 1


@pytest.mark.django_db
def test_get_without_manager_id_or_with_unknown_status_is_400(api_client):
    assert_400(api_client.get(PRODUCTS), "manager_id")
    assert_400(api_client.get(f"{PRODUCTS}?manager_id="), "manager_id")
    assert_400(api_client.get(f"{PRODUCTS}?manager_id=mgr_1&status=sold"), "status")
    assert_400(api_client.get(f"{PRODUCTS}?manager_id=mgr_1&status=IN_STOCK"), "status")


@pytest.mark.django_db
def test_empty_status_means_all(api_client):
    product = ManagedProductFactory(manager=StoreManagerFactory(external_id="mgr_1"), discontinued=True)

    response = api_client.get(f"{PRODUCTS}?manager_id=mgr_1&status=")

    assert response.status_code == 200
    assert [p["id"] for p in response.json()["products"]] == [product.public_id]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"manager_id": "mgr_1"}, "product_id"),
        ({"manager_id": "mgr_1", "product_id": 7}, "product_id"),
        ({"manager_id": "mgr_1", "product_id": ""}, "product_id"),
    ],
)
def test_bad_discontinue_is_400(api_client, body, field):
    assert_400(send(api_client, "post", DISCONTINUE, body), field)


def order(**changes):
    body = {
        "manager_id": "mgr_1",
        "customer": {"id": "cust_456", "email": "customer@example.com"},
        "products": [{"product_id": "prod_1", "quantity": 1}],
    }
    body.update(changes)
    return body


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("body", "field"),
    [
        (order(customer=None), "customer"),
        ({k: v for k, v in order().items() if k != "customer"}, "customer"),
        (order(customer="cust_456"), "customer"),
        (order(customer={"email": "customer@example.com"}), "customer.id"),
        (order(customer={"id": "", "email": "customer@example.com"}), "customer.id"),
        (order(customer={"id": "bad id", "email": "customer@example.com"}), "customer.id"),
        (order(customer={"id": "c" * 65, "email": "customer@example.com"}), "customer.id"),
        (order(customer={"id": "cust_456"}), "customer.email"),
        (order(customer={"id": "cust_456", "email": "not-an-email"}), "customer.email"),
        (order(customer={"id": "cust_456", "email": "a@"}), "customer.email"),
        (order(products=[]), "products"),
        (order(products="prod_1"), "products"),
        ({k: v for k, v in order().items() if k != "products"}, "products"),
        (order(products=[{"quantity": 1}]), "products.0.product_id"),
        (order(products=[{"product_id": "prod_1"}]), "products.0.quantity"),
        (order(products=[{"product_id": "prod_1", "quantity": 0}]), "products.0.quantity"),
        (order(products=[{"product_id": "prod_1", "quantity": -2}]), "products.0.quantity"),
        (order(products=[{"product_id": "prod_1", "quantity": 1.5}]), "products.0.quantity"),
        (order(products=[{"product_id": "prod_1", "quantity": True}]), "products.0.quantity"),
        (order(products=[{"product_id": "prod_1", "quantity": "1"}]), "products.0.quantity"),
        (order(products=[{"product_id": "p", "quantity": 1}] * 1001), "products"),
    ],
)
def test_bad_orders_are_400_naming_the_field(api_client, body, field):
    product = ManagedProductFactory(manager=StoreManagerFactory(external_id="mgr_1"), quantity=5)

    assert_400(send(api_client, "post", PROCESS, body), field)

    product.refresh_from_db()
    assert product.quantity == 5
    assert not Order.objects.exists()


@pytest.mark.django_db
def test_trailing_zero_decimals_are_not_extra_decimals(api_client):
    body = '{"manager_id": "mgr_1", "products": [{"name": "A", "price": 15.990, "quantity": 1}, {"name": "B", "price": 2e1, "quantity": 1}]}'

    response = api_client.post(PRODUCTS, body, content_type="application/json")

    assert response.status_code == 201
    assert [p["price"] for p in response.json()["products"]] == [15.99, 20]
    assert sorted(Product.objects.values_list("price", flat=True)) == [Decimal("15.99"), Decimal("20.00")]
