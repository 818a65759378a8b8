"""The schema names what a generated client shows (docs/api-client.md, issue #13).

operationIds ``<resource>_<verb>`` from one table, component names without ``RequestRequest``,
readable enum member names, booleans typed as booleans, anonymous access declared on public
reads, required fields of whole-body PATCHes required. ``make contract`` proves the same with a
real generated client; these tests say which rule broke, fast.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.urls import path
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.utils import extend_schema
from rest_framework.views import APIView

from ecommerce.common.autoschema import OPERATION_IDS, add_enum_varnames
from tests.factories import ProductFactory

OPERATION_ID = re.compile(r"^[a-z]+(_[a-z]+)+$|^api_index$")
# drf-spectacular's own verbs, which the table replaces (``create`` stays, for plain creates)
SPECTACULAR_VERBS = ("_partial_update", "_destroy")


def _operations(schema: dict[str, Any]) -> dict[str, tuple[str, str, dict[str, Any]]]:
    return {
        operation["operationId"]: (method.upper(), path, operation)
        for path, methods in schema["paths"].items()
        for method, operation in methods.items()
    }


def test_every_operation_is_named_by_the_table(schema):
    operations = _operations(schema)
    named = {
        (method, path.rstrip("/") or "/"): operation_id
        for operation_id, (method, path, _) in operations.items()
    }
    assert named == OPERATION_IDS  # no route without a name, no stale name
    for operation_id in operations:
        assert OPERATION_ID.match(operation_id), operation_id
        assert not operation_id.endswith(SPECTACULAR_VERBS), operation_id
        assert not operation_id.endswith("_create") or operation_id.count("_") == 1, operation_id
    assert len(set(OPERATION_IDS.values())) == len(OPERATION_IDS)
    for expected in (
        "auth_login",
        "order_cancel",
        "cart_item_save_for_later",
        "product_list",
        "product_retrieve",
    ):
        assert expected in operations


def test_a_route_missing_from_the_table_is_a_schema_warning(capsys):
    class ThingApi(APIView):
        @extend_schema(tags=["service"], responses={200: None})
        def get(self, request):  # pragma: no cover - never called
            return None

    generated = SchemaGenerator(patterns=[path("api/things/", ThingApi.as_view())]).get_schema(
        request=None, public=True
    )
    assert (
        generated["paths"]["/api/things/"]["get"]["operationId"] == "api_things_retrieve"
    )  # drf-spectacular's
    assert "GET /api/things/: no operationId in OPERATION_IDS" in capsys.readouterr().err


def test_component_names_do_not_repeat_request(schema):
    names = set(schema["components"]["schemas"])
    assert not [name for name in names if name.endswith("RequestRequest")]
    assert {"EmailRequest", "TokenRefreshRequest", "LoginRequest"} <= names


def _enums(value: Any) -> list[dict[str, Any]]:
    if isinstance(value, dict):
        found = [value] if isinstance(value.get("enum"), list) else []
        return found + [enum for child in value.values() for enum in _enums(child)]
    if isinstance(value, list):
        return [enum for child in value for enum in _enums(child)]
    return []


def test_every_enum_has_readable_member_names(schema):
    enums = _enums(schema["components"]["schemas"]) + _enums(
        [operation.get("parameters", []) for _, _, operation in _operations(schema).values()]
    )
    assert enums
    for enum in enums:
        if None in enum["enum"]:
            continue  # NullEnum ([null], beside a nullable enum): the hook leaves it unnamed on purpose
        names = enum["x-enum-varnames"]
        assert len(names) == len(enum["enum"]) == len(set(names)), enum
        assert all(re.fullmatch(r"[A-Z][A-Z0-9_]*", name) for name in names), names
    ordering = next(
        p for p in schema["paths"]["/api/products/"]["get"]["parameters"] if p["name"] == "ordering"
    )
    named = dict(zip(ordering["schema"]["enum"], ordering["schema"]["x-enum-varnames"], strict=True))
    assert named["-price"] == "PRICE_DESC" and named["price"] == "PRICE_ASC"
    assert named["-created_at"] == "CREATED_AT_DESC" and named["relevance"] == "RELEVANCE"


def test_enum_varnames_hook_keeps_given_names_and_skips_nullable_enums():
    result = {
        "components": {
            "schemas": {
                "A": {"enum": ["x", "y"], "x-enum-varnames": ["EX", "WHY"]},
                "B": {"enum": ["a", None]},
                "C": {"enum": ["1st", "two words"]},
            }
        },
        "paths": {},
    }
    schemas = add_enum_varnames(result, generator=None)["components"]["schemas"]
    assert schemas["A"]["x-enum-varnames"] == ["EX", "WHY"]
    assert "x-enum-varnames" not in schemas["B"]
    assert schemas["C"]["x-enum-varnames"] == ["V_1ST", "TWO_WORDS"]


def test_in_stock_is_a_boolean(schema, api_client, db):
    parameter = next(
        p for p in schema["paths"]["/api/products/"]["get"]["parameters"] if p["name"] == "in_stock"
    )
    assert parameter["schema"]["type"] == "boolean"
    in_stock, sold_out = ProductFactory(quantity=3), ProductFactory(quantity=0)
    listed = {p["id"] for p in api_client.get("/api/products/", {"in_stock": "true"}).json()["results"]}
    assert in_stock.public_id in listed and sold_out.public_id not in listed
    everything = {p["id"] for p in api_client.get("/api/products/", {"in_stock": "false"}).json()["results"]}
    assert {in_stock.public_id, sold_out.public_id} <= everything


@pytest.mark.parametrize(
    "operation_id", ["product_list", "product_retrieve", "category_list", "category_retrieve"]
)
def test_public_reads_declare_anonymous_access(schema, operation_id):
    _, _, operation = _operations(schema)[operation_id]
    assert operation["security"] == [{"jwtAuth": []}, {}]


@pytest.mark.parametrize(
    "operation_id", ["product_create", "product_update", "category_delete", "cart_merge", "order_list"]
)
def test_signed_in_operations_do_not_declare_anonymous_access(schema, operation_id):
    _, _, operation = _operations(schema)[operation_id]
    assert operation["security"] == [{"jwtAuth": []}]


@pytest.mark.parametrize("operation_id", ["cart_retrieve", "cart_item_add", "cart_clear"])
def test_cart_operations_take_a_jwt_or_a_guest_cart_token(schema, operation_id):
    """Not anonymous: either a bearer JWT or a guest cart's ``X-Cart-Token`` (docs/cart.md)."""
    _, _, operation = _operations(schema)[operation_id]
    assert operation["security"] == [{"jwtAuth": []}, {"cartToken": []}]
    assert schema["components"]["securitySchemes"]["cartToken"]["name"] == "X-Cart-Token"


@pytest.mark.parametrize(
    "operation_id", ["api_index", "health_retrieve", "auth_provider_list", "auth_login", "auth_register"]
)
def test_operations_without_authentication_declare_no_requirement(schema, operation_id):
    """No ``security`` (the document has no global one): anonymous, and a generated client takes
    a plain ``Client`` (``[{}]`` would make openapi-python-client ask for a token)."""
    _, _, operation = _operations(schema)[operation_id]
    assert "security" not in operation
    assert "security" not in schema


def _request_schema(schema: dict[str, Any], operation_id: str, *, required: bool = True) -> dict[str, Any]:
    _, _, operation = _operations(schema)[operation_id]
    body = operation["requestBody"]
    assert body.get("required", False) is required
    ref = body["content"]["application/json"]["schema"]
    return schema["components"]["schemas"][ref["$ref"].rsplit("/", 1)[-1]] if "$ref" in ref else ref


def test_whole_body_patches_keep_their_required_fields(schema):
    assert _request_schema(schema, "cart_item_update")["required"] == ["quantity"]
    assert _request_schema(schema, "order_update_status")["required"] == ["status"]
    names = set(schema["components"]["schemas"])
    assert {"CartItemUpdateRequest", "OrderStatusUpdateRequest"} <= names
    assert "PatchedCartItemUpdateRequest" not in names
    # partial updates stay partial
    assert "required" not in _request_schema(schema, "product_update", required=False)


def test_cart_item_update_without_quantity_is_refused(auth_client, user):
    customer_client = auth_client(user)
    product = ProductFactory(quantity=5)
    assert (
        customer_client.post("/api/cart/items/", {"product_id": product.public_id}, format="json").status_code
        == 201
    )
    response = customer_client.patch(f"/api/cart/items/{product.public_id}/", {}, format="json")
    assert response.status_code == 400
    assert "quantity" in response.json()["error"]["details"]


def test_account_deletion_body_is_a_required_object_with_the_password(schema):
    body = _request_schema(schema, "auth_me_delete")
    assert body["type"] == "object" and body["required"] == ["password"]
    assert body["properties"]["password"]["type"] == "string"
