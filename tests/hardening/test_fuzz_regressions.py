"""Regression tests for what fuzzing the API found (``test_schema_fuzz.py`` and hand-made
hostile inputs built from the schema's operations).

Each finding (F1: JSON nested too deeply; F2: a NUL byte in a path id on PostgreSQL; F3:
analytics dates at the edge of the calendar) answered 500 before its fix; these tests hold the
4xx + envelope answer in place.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import RefreshToken

from orders.models import OrderStatus
from tests.factories import (
    AdminUserFactory,
    CategoryFactory,
    OrderFactory,
    ProductFactory,
    UserFactory,
)
from tests.helpers import assert_envelope

ENVELOPE_KEYS = {"code", "message", "details"}
ADDRESS = {"name": "Ada", "line1": "1 Road", "city": "London", "postal_code": "N1", "country": "GB"}


def bearer(user: Any) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {RefreshToken.for_user(user).access_token}")
    client.raise_request_exception = False  # a 500 is an answer to assert on, not a crash
    return client


def anonymous() -> APIClient:
    client = APIClient()
    client.raise_request_exception = False
    return client


# --- F1: deeply nested JSON -------------------------------------------------------------

DEEP_ARRAY = "[" * 50_000 + "]" * 50_000  # 100 kB, far below the 2 MiB body limit
DEEP_OBJECT = '{"a":' * 50_000 + "1" + "}" * 50_000

# Endpoints that parse the body before anything else can refuse the request.
BODY_FIRST = [
    ("anonymous", "/api/auth/register"),
    ("anonymous", "/api/auth/login"),
    ("anonymous", "/api/auth/password/reset"),
    ("customer", "/api/cart/items/"),
    ("customer", "/api/orders/"),
    ("admin", "/api/products/"),
    ("admin", "/api/categories/"),
    ("anonymous", "/api/inventory/products"),
    ("anonymous", "/api/orders/process"),
]


@pytest.mark.parametrize("body", [DEEP_ARRAY, DEEP_OBJECT], ids=["array", "object"])
@pytest.mark.parametrize(("who", "url"), BODY_FIRST)
def test_deeply_nested_json_is_invalid_request(db: None, who: str, url: str, body: str) -> None:
    client = {"anonymous": anonymous, "customer": lambda: bearer(UserFactory())}.get(who)
    client = client() if client else bearer(AdminUserFactory())

    response = client.post(url, body, content_type="application/json")

    assert_envelope(response, 400, "INVALID_REQUEST")


def test_moderately_nested_json_is_still_parsed(db: None) -> None:
    """The fix for F1 must not refuse ordinary nesting: a 200-deep value is a plain 400 on the
    field, like any wrong type."""
    nested = json.dumps({"product_id": json.loads("[" * 200 + "]" * 200), "quantity": 1})
    response = bearer(UserFactory()).post("/api/cart/items/", nested, content_type="application/json")
    error = assert_envelope(response, 400, "INVALID_REQUEST")
    assert "product_id" in error["details"]


# --- F2: NUL in a path id -----------------------------------------------------------------

NUL = "%00"
PATH_ID_CASES = [
    pytest.param("customer", "GET", f"/api/products/{NUL}/", None, id="GET products/{id}"),
    pytest.param(
        "admin",
        "PUT",
        f"/api/products/{NUL}/",
        {"name": "x", "price": 1, "quantity": 1},
        id="PUT products/{id}",
    ),
    pytest.param("admin", "PATCH", f"/api/products/{NUL}/", {"price": 1}, id="PATCH products/{id}"),
    pytest.param("admin", "DELETE", f"/api/products/{NUL}/", None, id="DELETE products/{id}"),
    pytest.param("customer", "GET", f"/api/categories/{NUL}/", None, id="GET categories/{id}"),
    pytest.param("admin", "PATCH", f"/api/categories/{NUL}/", {"name": "x"}, id="PATCH categories/{id}"),
    pytest.param("admin", "DELETE", f"/api/categories/{NUL}/", None, id="DELETE categories/{id}"),
    pytest.param("customer", "PATCH", f"/api/cart/items/{NUL}/", {"quantity": 1}, id="PATCH cart/items/{id}"),
    pytest.param("customer", "DELETE", f"/api/cart/items/{NUL}/", None, id="DELETE cart/items/{id}"),
    pytest.param("customer", "POST", f"/api/cart/items/{NUL}/save-for-later/", None, id="save-for-later"),
    pytest.param("customer", "POST", f"/api/cart/saved/{NUL}/move-to-cart/", None, id="move-to-cart"),
    pytest.param("customer", "GET", f"/api/orders/{NUL}/", None, id="GET orders/{id}"),
    pytest.param("admin", "PATCH", f"/api/orders/{NUL}/", {"status": "paid"}, id="PATCH orders/{id}"),
    pytest.param("customer", "POST", f"/api/orders/{NUL}/cancel/", None, id="orders/{id}/cancel"),
    pytest.param(
        "anonymous",
        "POST",
        f"/api/auth/social/{NUL}/",
        {"access_token": "x"},
        id="auth/social/{provider}",
    ),
]


@pytest.mark.parametrize(("who", "method", "url", "body"), PATH_ID_CASES)
def test_nul_in_path_id_is_not_found(db: None, who: str, method: str, url: str, body: Any) -> None:
    """No id contains NUL, so such a path names nothing: a 404 (400 would do), never a 500."""
    client = {"anonymous": anonymous, "customer": lambda: bearer(UserFactory())}.get(who)
    client = client() if client else bearer(AdminUserFactory())
    ProductFactory()
    CategoryFactory()

    response = client.generic(
        method, url, json.dumps(body) if body is not None else "", content_type="application/json"
    )

    assert_envelope(response, (400, 404))


def test_nul_in_query_and_body_values_is_invalid_request(db: None) -> None:
    """Where a serializer sees the value first, NUL is a 400 on that field (DRF's CharField
    refuses it): the behaviour the path ids of F2 should match."""
    admin = bearer(AdminUserFactory())
    assert_envelope(admin.get("/api/products/?search=%00"), 400, "INVALID_REQUEST")
    assert_envelope(admin.get("/api/orders/?user=%00"), 400, "INVALID_REQUEST")
    response = admin.post("/api/cart/items/", {"product_id": "\x00", "quantity": 1}, format="json")
    assert_envelope(response, 400, "INVALID_REQUEST")
    response = anonymous().post(
        "/api/inventory/discontinue", {"manager_id": "mgr_1", "product_id": "\x00"}, format="json"
    )
    assert response.status_code in (400, 404)


# --- F3: analytics periods at the edges of the calendar ------------------------------------


@pytest.mark.parametrize(
    "query",
    ["from=9999-12-31&to=9999-12-31", "from=0001-01-01&to=0001-01-02", "to=0001-01-01"],
    ids=["last-day", "first-days", "to-only"],
)
def test_analytics_period_at_calendar_edges_is_invalid_request(db: None, query: str) -> None:
    response = bearer(AdminUserFactory()).get(f"/api/analytics/summary?{query}")
    assert_envelope(response, 400, "INVALID_REQUEST")


def test_analytics_period_inside_the_calendar_still_works(db: None) -> None:
    response = bearer(AdminUserFactory()).get("/api/analytics/summary?from=2024-02-28&to=2024-03-01")
    assert response.status_code == 200, response.content
    assert response.json()["period"] == {"from": "2024-02-28", "to": "2024-03-01", "days": 3}


# --- fixed while fuzzing (schema annotations) ---------------------------------------------


def _schema() -> dict[str, Any]:
    response = anonymous().get("/api/schema/?format=json")
    assert response.status_code == 200
    return response.json()


def test_order_history_is_documented_as_a_page(db: None) -> None:
    """GET /api/orders/ answers a page (the contract's page object); the schema said a bare
    array, so every client generated from it broke on the first call."""
    customer = UserFactory()
    OrderFactory(user=customer, status=OrderStatus.PAID, lines=[(ProductFactory(), 1)])
    body = bearer(customer).get("/api/orders/").json()
    page_fields = {"count", "next", "previous", "page", "page_size", "total_pages", "results"}
    assert set(body) == page_fields and body["count"] == 1

    schema = _schema()
    ref = schema["paths"]["/api/orders/"]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
    page = schema["components"]["schemas"][ref["$ref"].rsplit("/", 1)[1]]
    assert set(page["properties"]) == page_fields
    assert page["properties"]["results"]["items"] == {"$ref": "#/components/schemas/Order"}


def test_conflicts_are_documented_on_writes(db: None) -> None:
    """409 (stock, state, idempotency) can answer any write; the schema left it out of e.g.
    PATCH /api/cart/items/{id} and POST /api/orders/{id}/cancel."""
    customer = UserFactory()
    product = ProductFactory(quantity=2)
    client = bearer(customer)
    client.post("/api/cart/items/", {"product_id": product.public_id, "quantity": 1}, format="json")
    response = client.patch(f"/api/cart/items/{product.public_id}/", {"quantity": 3}, format="json")
    assert_envelope(response, 409, "INSUFFICIENT_STOCK")

    paths = _schema()["paths"]
    for path, method in [
        ("/api/cart/items/{product_id}/", "patch"),
        ("/api/cart/items/", "post"),
        ("/api/orders/", "post"),
        ("/api/orders/{order_id}/", "patch"),
        ("/api/orders/{order_id}/cancel/", "post"),
    ]:
        documented = paths[path][method]["responses"]["409"]["content"]["application/json"]["schema"]
        assert documented == {"$ref": "#/components/schemas/ErrorEnvelope"}, (path, method)
    assert "409" not in paths["/api/products/"]["get"]["responses"]
    # Each operation documents only the codes it can return (docs/api-schema.md): deleting a
    # product that orders reference discontinues it (204), it is never a 409.
    assert "409" not in paths["/api/products/{product_id}/"]["delete"]["responses"]


def test_checkout_payment_failure_is_documented_with_the_envelope(db: None) -> None:
    """A declined payment answers 402 with the envelope; the schema documented no body."""
    customer = UserFactory()
    client = bearer(customer)
    client.post("/api/cart/items/", {"product_id": ProductFactory().public_id}, format="json")
    response = client.post(
        "/api/orders/", {"shipping_address": ADDRESS, "payment": {"token": "tok_declined"}}, format="json"
    )
    assert_envelope(response, 402, "PAYMENT_FAILED")

    documented = _schema()["paths"]["/api/orders/"]["post"]["responses"]["402"]
    assert documented["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/ErrorEnvelope"
    }
