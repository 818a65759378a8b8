"""The contract's inventory examples, literally (``api-contract.md``, "Store-manager inventory API").

Same paths (with and without a trailing slash), same JSON bodies, same status codes and body
shapes, and the error envelope on every failure.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.cache import cache

from catalog.cache import catalog_version
from catalog.models import Product, StockMovement
from inventory.models import AuditEvent
from orders.models import Order, OrderStatus
from tests.helpers import assert_envelope
from tests.helpers.inventory import send
from tests.helpers.ratelimit import fresh_rate_window

UPSERT_BODY = {
    "manager_id": "mgr_123",
    "products": [
        {"name": "Premium Coffee Beans", "price": 15.99, "quantity": 100},
        {"name": "Organic Green Tea", "price": 12.99, "quantity": 50},
    ],
}


def upsert(api_client, body=UPSERT_BODY, path="/api/inventory/products"):
    response = send(api_client, "post", path, body)
    assert response.status_code == 201, response.content
    return response.json()["products"]


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/api/inventory/products", "/api/inventory/products/"])
def test_example_1_upsert_returns_201_with_products_as_stored(api_client, path):
    response = send(api_client, "post", path, UPSERT_BODY)

    assert response.status_code == 201
    products = response.json()["products"]
    assert [set(p) for p in products] == [{"id", "name", "price", "quantity"}] * 2
    assert [(p["name"], p["price"], p["quantity"]) for p in products] == [
        ("Premium Coffee Beans", 15.99, 100),
        ("Organic Green Tea", 12.99, 50),
    ]
    assert all(isinstance(p["id"], str) and p["id"].startswith("prod_") for p in products)
    stored = Product.objects.get(public_id=products[0]["id"])
    assert (stored.manager.external_id, stored.price, stored.quantity) == ("mgr_123", Decimal("15.99"), 100)


@pytest.mark.django_db
def test_example_1_same_name_updates_and_id_updates(api_client):
    coffee, tea = upsert(api_client)
    again = upsert(
        api_client,
        {
            "manager_id": "mgr_123",
            "products": [
                {"name": "Premium Coffee Beans", "price": 16.49, "quantity": 80},
                {"id": tea["id"], "name": "Organic Green Tea", "price": 12.99, "quantity": 0},
            ],
        },
    )
    assert again == [
        {"id": coffee["id"], "name": "Premium Coffee Beans", "price": 16.49, "quantity": 80},
        {"id": tea["id"], "name": "Organic Green Tea", "price": 12.99, "quantity": 0},
    ]
    assert Product.objects.filter(manager__external_id="mgr_123").count() == 2


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/api/inventory/products", "/api/inventory/products/"])
def test_example_2_list_by_status_exact_shape(api_client, path):
    coffee, tea = upsert(api_client)
    upsert(
        api_client, {"manager_id": "mgr_other", "products": [{"name": "Other", "price": 1, "quantity": 1}]}
    )

    response = api_client.get(f"{path}?status=in_stock&manager_id=mgr_123")

    assert response.status_code == 200
    assert response.json() == {
        "products": [
            {"id": coffee["id"], "name": "Premium Coffee Beans", "price": 15.99, "quantity": 100},
            {"id": tea["id"], "name": "Organic Green Tea", "price": 12.99, "quantity": 50},
        ]
    }


@pytest.mark.django_db
def test_example_2_every_status_and_absent_status(api_client):
    coffee, tea = upsert(api_client)
    upsert(
        api_client,
        {"manager_id": "mgr_123", "products": [{"name": "Organic Green Tea", "price": 12.99, "quantity": 0}]},
    )
    send(
        api_client,
        "post",
        "/api/inventory/discontinue",
        {"manager_id": "mgr_123", "product_id": coffee["id"]},
    )

    def ids(query: str) -> list[str]:
        response = api_client.get(f"/api/inventory/products?{query}")
        assert response.status_code == 200
        assert all(set(p) == {"id", "name", "price", "quantity"} for p in response.json()["products"])
        return [p["id"] for p in response.json()["products"]]

    assert ids("status=in_stock&manager_id=mgr_123") == []
    assert ids("status=out_of_stock&manager_id=mgr_123") == [tea["id"]]
    assert ids("status=discontinued&manager_id=mgr_123") == [coffee["id"]]
    assert ids("manager_id=mgr_123") == [coffee["id"], tea["id"]]


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/api/inventory/discontinue", "/api/inventory/discontinue/"])
def test_example_3_discontinue_204_empty_and_idempotent(api_client, path):
    coffee, _ = upsert(api_client)
    body = {"manager_id": "mgr_123", "product_id": coffee["id"]}

    first = send(api_client, "post", path, body)
    after_first = _product_state(coffee["id"])
    ledger, audit_rows, version = _ledger(), AuditEvent.objects.count(), catalog_version()
    second = send(api_client, "post", path, body)

    assert (first.status_code, first.content) == (204, b"")
    assert (second.status_code, second.content) == (204, b"")
    assert after_first["discontinued"] is True
    # the second call changed nothing: the row, the stock ledger, orders and the catalog version
    assert _product_state(coffee["id"]) == after_first
    assert _ledger() == ledger and not Order.objects.exists()
    assert version is not None and catalog_version() == version
    # the audit log has one row per request; only the first one records a change
    first_audit, second_audit = AuditEvent.objects.order_by("pk")[audit_rows - 1 : audit_rows + 1]
    assert AuditEvent.objects.count() == audit_rows + 1
    assert [
        (c["product_id"], c["before"]["discontinued"], c["after"]["discontinued"])
        for c in first_audit.changes
    ] == [(coffee["id"], False, True)]
    assert second_audit.status_code == 204 and second_audit.changes == []


def _product_state(public_id: str) -> dict:
    """Every column of the product row."""
    return Product.objects.filter(public_id=public_id).values().get()


def _ledger() -> list[tuple]:
    return list(StockMovement.objects.order_by("pk").values_list("pk", "product_id", "delta", "reason"))


@pytest.mark.django_db
def test_example_3_unknown_or_other_managers_product_is_404(api_client):
    coffee, _ = upsert(api_client)
    unknown = send(
        api_client, "post", "/api/inventory/discontinue", {"manager_id": "mgr_123", "product_id": "prod_001"}
    )
    foreign = send(
        api_client,
        "post",
        "/api/inventory/discontinue",
        {"manager_id": "mgr_999", "product_id": coffee["id"]},
    )

    assert assert_envelope(unknown, 404, "PRODUCT_NOT_FOUND")["details"] == {
        "product_id": "No product with this id belongs to this manager."
    }
    assert_envelope(foreign, 404, "PRODUCT_NOT_FOUND")
    assert Product.objects.get(public_id=coffee["id"]).discontinued is False


def process_body(first: str, second: str, q1: int = 2, q2: int = 1) -> dict:
    return {
        "manager_id": "mgr_123",
        "customer": {"id": "cust_456", "email": "customer@example.com"},
        "products": [{"product_id": first, "quantity": q1}, {"product_id": second, "quantity": q2}],
    }


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/api/orders/process", "/api/orders/process/"])
def test_example_4_process_returns_200_and_takes_stock(api_client, path):
    coffee, tea = upsert(api_client)

    response = send(api_client, "post", path, process_body(coffee["id"], tea["id"]))

    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"order_id", "status", "total_amount"}
    assert body["order_id"].startswith("ord_")
    assert body["status"] == "processed"
    assert body["total_amount"] == 44.97
    order = Order.objects.get(public_id=body["order_id"])
    assert (order.status, order.total_amount, order.customer_ref, order.customer_email) == (
        OrderStatus.PAID,
        Decimal("44.97"),
        "cust_456",
        "customer@example.com",
    )
    assert Product.objects.get(public_id=coffee["id"]).quantity == 98
    assert Product.objects.get(public_id=tea["id"]).quantity == 49


@pytest.mark.django_db
def test_example_4_unknown_product_404_nothing_changes(api_client):
    coffee, _ = upsert(api_client)

    response = send(api_client, "post", "/api/orders/process", process_body(coffee["id"], "prod_002"))

    assert assert_envelope(response, 404, "PRODUCT_NOT_FOUND")["details"] == {"prod_002": "product not found"}
    assert Product.objects.get(public_id=coffee["id"]).quantity == 100
    assert not Order.objects.exists()


@pytest.mark.django_db
def test_example_4_other_managers_product_is_404(api_client):
    coffee, _ = upsert(api_client)
    (other,) = upsert(
        api_client, {"manager_id": "mgr_9", "products": [{"name": "X", "price": 1, "quantity": 5}]}
    )

    response = send(api_client, "post", "/api/orders/process", process_body(coffee["id"], other["id"]))

    assert set(assert_envelope(response, 404, "PRODUCT_NOT_FOUND")["details"]) == {other["id"]}
    assert Product.objects.get(public_id=coffee["id"]).quantity == 100


@pytest.mark.django_db
def test_example_4_insufficient_stock_409_names_products(api_client):
    coffee, tea = upsert(api_client)

    response = send(api_client, "post", "/api/orders/process", process_body(coffee["id"], tea["id"], 2, 51))

    assert assert_envelope(response, 409, "INSUFFICIENT_STOCK")["details"] == {
        tea["id"]: "requested 51, available 50"
    }
    assert Product.objects.get(public_id=coffee["id"]).quantity == 100
    assert not Order.objects.exists()


@pytest.mark.django_db
def test_example_4_discontinued_409_names_products(api_client):
    coffee, tea = upsert(api_client)
    send(api_client, "post", "/api/inventory/discontinue", {"manager_id": "mgr_123", "product_id": tea["id"]})

    response = send(api_client, "post", "/api/orders/process", process_body(coffee["id"], tea["id"]))

    assert assert_envelope(response, 409, "PRODUCT_DISCONTINUED")["details"] == {
        tea["id"]: "product is discontinued"
    }
    assert Product.objects.get(public_id=coffee["id"]).quantity == 100


@pytest.mark.django_db
def test_example_4_repeated_product_ids_are_summed_before_the_check(api_client):
    coffee, _ = upsert(
        api_client,
        {
            "manager_id": "mgr_123",
            "products": [
                {"name": "C", "price": 15.99, "quantity": 3},
                {"name": "T", "price": 1, "quantity": 1},
            ],
        },
    )

    refused = send(api_client, "post", "/api/orders/process", process_body(coffee["id"], coffee["id"], 2, 2))
    accepted = send(api_client, "post", "/api/orders/process", process_body(coffee["id"], coffee["id"], 2, 1))

    assert assert_envelope(refused, 409, "INSUFFICIENT_STOCK")["details"] == {
        coffee["id"]: "requested 4, available 3"
    }
    assert accepted.status_code == 200
    assert accepted.json()["total_amount"] == 47.97
    assert Product.objects.get(public_id=coffee["id"]).quantity == 0


@pytest.mark.django_db
def test_missing_manager_id_and_unknown_status_are_400(api_client):
    missing = api_client.get("/api/inventory/products?status=in_stock")
    unknown = api_client.get("/api/inventory/products?status=sold&manager_id=mgr_123")

    assert set(assert_envelope(missing, 400, "INVALID_REQUEST")["details"]) == {"manager_id"}
    assert set(assert_envelope(unknown, 400, "INVALID_REQUEST")["details"]) == {"status"}


@pytest.mark.django_db
def test_rate_limit_101st_request_is_429_with_retry_after_other_manager_unaffected(api_client, settings):
    settings.INVENTORY_RATE_LIMIT = 100
    settings.INVENTORY_RATE_WINDOW = 3600
    fresh_rate_window(3600)
    cache.clear()
    statuses = [api_client.get("/api/inventory/products?manager_id=mgr_123").status_code for _ in range(100)]

    limited = send(api_client, "post", "/api/inventory/products", UPSERT_BODY)
    other = api_client.get("/api/inventory/products?manager_id=mgr_456")

    assert statuses == [200] * 100
    assert_envelope(limited, 429, "RATE_LIMITED")
    assert 1 <= int(limited["Retry-After"]) <= 3600
    assert other.status_code == 200
    assert not Product.objects.exists()


@pytest.mark.django_db(transaction=True)  # real commits, so on_commit invalidation runs
def test_read_right_after_write_is_never_stale(api_client):
    coffee, tea = upsert(api_client)
    assert (
        api_client.get("/api/inventory/products?manager_id=mgr_123&status=in_stock").json()["products"][0][
            "quantity"
        ]
        == 100
    )

    send(api_client, "post", "/api/orders/process", process_body(coffee["id"], tea["id"]))

    listed = api_client.get("/api/inventory/products?manager_id=mgr_123&status=in_stock").json()["products"]
    assert [p["quantity"] for p in listed] == [98, 49]
