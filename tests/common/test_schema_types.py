"""The schema says what the server does: headers, constraints and types (docs/api-schema.md,
"Types, headers and constraints"). Each test reads the generated document and, where the
server's behaviour is the point, checks it against a real response."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import jsonschema
import pytest
from django.core.cache import cache

from accounts.ids import EXTERNAL_ID_SCHEMA_PATTERN, is_external_id
from ecommerce.openapi import IDEMPOTENCY_KEY_MAX_LENGTH
from inventory.services import MAX_BATCH
from tests.factories import UserFactory
from tests.helpers.orders import checkout_body


@pytest.fixture(autouse=True)
def _clean_cache() -> Iterator[None]:
    cache.clear()
    yield
    cache.clear()


def _operations(schema: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            yield path, method, operation


def _component(schema: dict[str, Any], name: str) -> dict[str, Any]:
    return schema["components"]["schemas"][name]


def _numbers(node: Any, where: str = "") -> Iterator[tuple[str, dict[str, Any]]]:
    if isinstance(node, dict):
        if node.get("type") == "number":
            yield where, node
        for key, value in node.items():
            if key not in ("example", "examples"):  # data shown in the docs, not schemas
                yield from _numbers(value, f"{where}/{key}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _numbers(value, f"{where}/{index}")


# --- headers ---------------------------------------------------------------------------------


def test_every_response_declares_x_request_id(schema):
    for path, method, operation in _operations(schema):
        for status, response in operation["responses"].items():
            header = response.get("headers", {}).get("X-Request-ID")
            assert header and header["required"] is True, (method, path, status)


@pytest.mark.django_db
def test_x_request_id_is_sent_on_success_and_error(api_client):
    assert api_client.get("/api/health/")["X-Request-ID"]
    assert api_client.get("/api/cart/")["X-Request-ID"]  # 401
    assert api_client.get("/api/cart/", HTTP_X_REQUEST_ID="abc-123")["X-Request-ID"] == "abc-123"


def test_429_and_503_declare_retry_after(schema):
    seen = 0
    for path, method, operation in _operations(schema):
        for status in ("429", "503"):
            if status in operation["responses"]:
                seen += 1
                header = operation["responses"][status]["headers"]["Retry-After"]
                assert header["required"] is True and header["schema"]["type"] == "integer", (method, path)
    assert seen >= 5


def test_rate_limited_operations_declare_ratelimit_headers_on_every_response(schema):
    limited = [
        (path, method, operation)
        for path, method, operation in _operations(schema)
        if "429" in operation["responses"]
    ]
    assert ("/api/orders/", "post") in {(p, m) for p, m, _ in limited}
    for path, method, operation in limited:
        for status, response in operation["responses"].items():
            assert {"RateLimit-Limit", "RateLimit-Remaining", "RateLimit-Reset"} <= set(
                response["headers"]
            ), (
                method,
                path,
                status,
            )
    health = schema["paths"]["/api/health/"]["get"]["responses"]["200"]["headers"]
    assert "RateLimit-Limit" not in health


@pytest.mark.django_db
def test_a_limited_endpoint_sends_the_declared_ratelimit_headers(schema, auth_client):
    client = auth_client(UserFactory())
    response = client.post("/api/orders/", {}, format="json")  # counted, then refused (400)
    declared = schema["paths"]["/api/orders/"]["post"]["responses"][str(response.status_code)]["headers"]
    for name in ("RateLimit-Limit", "RateLimit-Remaining", "RateLimit-Reset"):
        jsonschema.validate(int(response[name]), declared[name]["schema"])


def test_idempotency_key_is_limited_and_replays_are_declared(schema):
    checkout = schema["paths"]["/api/orders/"]["post"]
    (key,) = [p for p in checkout["parameters"] if p["name"] == "Idempotency-Key"]
    assert key["in"] == "header" and key["schema"]["maxLength"] == IDEMPOTENCY_KEY_MAX_LENGTH == 255
    replayed = checkout["responses"]["200"]["headers"]["Idempotent-Replayed"]
    assert replayed["schema"] == {"type": "string", "enum": ["true"]}
    assert "Idempotent-Replayed" not in checkout["responses"]["201"]["headers"]


@pytest.mark.django_db
def test_the_server_enforces_the_declared_idempotency_key_length(auth_client):
    client = auth_client(UserFactory())
    body = checkout_body()
    too_long = client.post(
        "/api/orders/", body, format="json", HTTP_IDEMPOTENCY_KEY="k" * (IDEMPOTENCY_KEY_MAX_LENGTH + 1)
    )
    longest = client.post(
        "/api/orders/", body, format="json", HTTP_IDEMPOTENCY_KEY="k" * IDEMPOTENCY_KEY_MAX_LENGTH
    )
    assert too_long.status_code == 400 and "Idempotency-Key" in too_long.json()["error"]["details"]
    assert longest.json()["error"]["code"] == "CART_EMPTY"  # the key was fine: the cart is empty


# --- constraints -----------------------------------------------------------------------------


def test_inventory_list_manager_id_has_the_servers_pattern(schema):
    (manager_id,) = [
        p
        for p in schema["paths"]["/api/inventory/products/"]["get"]["parameters"]
        if p["name"] == "manager_id"
    ]
    assert manager_id["schema"]["pattern"] == EXTERNAL_ID_SCHEMA_PATTERN == "^[A-Za-z0-9_-]{1,64}$"
    pattern = re.compile(EXTERNAL_ID_SCHEMA_PATTERN.replace("$", r"\Z"))  # ECMA $ = end of string
    for value in ("mgr_123", "a", "x" * 64, "x" * 65, "", "mgr 1", "mgr_1\n", "mgr/1", "é"):
        assert (pattern.match(value) is not None) == is_external_id(value), value


def test_inventory_arrays_declare_their_batch_bounds(schema):
    for name in ("InventoryProductsUpsertRequest", "InventoryOrderProcessRequest"):
        products = _component(schema, name)["properties"]["products"]
        assert (products["minItems"], products["maxItems"]) == (1, MAX_BATCH) == (1, 1000), name


def test_every_money_field_is_a_two_decimal_number_without_nonsense_bounds(schema):
    numbers = list(_numbers(schema))
    assert len(numbers) > 20
    for where, number in numbers:
        assert number["format"] == "decimal", where
        assert "exclusiveMinimum" not in number and "exclusiveMaximum" not in number, where
        assert number.get("minimum", 0) >= 0, where
        if "change_pct" not in where:
            assert number["multipleOf"] == 0.01, where
    prices = [n for w, n in numbers if w.endswith(("/price", "/unit_price"))]
    assert prices and all(p["minimum"] == 0 and p["maximum"] == 9999999999.99 for p in prices)
    change = _component(schema, "AnalyticsMoneyKpi")["properties"]["change"]
    assert "minimum" not in change  # value − previous can be negative


SOCIAL_BODIES = [
    ({"access_token": "t"}, True),
    ({"id_token": "t"}, True),
    ({"code": "c", "redirect_uri": "https://shop.example/cb"}, True),
    ({"access_token": "t", "redirect_uri": "https://shop.example/cb", "state": "s"}, True),
    ({}, False),
    ({"code": "c"}, False),
    ({"access_token": "t", "id_token": "t"}, False),
    ({"id_token": "t", "code": "c", "redirect_uri": "https://shop.example/cb"}, False),
    ({"redirect_uri": "https://shop.example/cb"}, False),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("body", "valid"), SOCIAL_BODIES)
def test_social_login_one_of_matches_the_server(schema, api_client, body, valid):
    component = {**_component(schema, "SocialLoginRequest"), "components": schema["components"]}
    assert jsonschema.Draft4Validator(component).is_valid(body) is valid
    response = api_client.post("/api/auth/social/no-such-provider/", body, format="json")
    assert (response.status_code == 400) is not valid, response.json()


# --- loose types -----------------------------------------------------------------------------


def test_order_types_are_explicit(schema):
    order = _component(schema, "Order")["properties"]
    assert order["channel"] == {"$ref": "#/components/schemas/OrderChannelEnum"}
    assert _component(schema, "OrderChannelEnum")["enum"] == ["shop", "inventory_api"]
    address = order["shipping_address"]
    assert address["nullable"] is True
    assert address["allOf"] == [{"$ref": "#/components/schemas/ShippingAddress"}]
    assert sorted(_component(schema, "ShippingAddress")["properties"]) == sorted(
        ["name", "line1", "line2", "city", "region", "postal_code", "country", "phone"]  # v2: region, phone
    )
    event = _component(schema, "OrderEvent")["properties"]
    assert event["to_status"] == {"$ref": "#/components/schemas/OrderStatusEnum"}
    assert event["from_status"]["nullable"] is True
    assert {"$ref": "#/components/schemas/OrderStatusEnum"} in event["from_status"]["oneOf"]


def test_order_customer_has_an_explicit_kind(schema):
    customer = _component(schema, "Customer")
    assert set(customer["required"]) == {"kind", "id", "email"}
    assert customer["properties"]["kind"]["allOf"] == [{"$ref": "#/components/schemas/CustomerKindEnum"}]
    assert _component(schema, "CustomerKindEnum")["enum"] == ["user", "guest", "external", "deleted"]
    assert customer["properties"]["id"]["nullable"] is True
