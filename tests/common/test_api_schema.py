"""The OpenAPI document reads like documentation (docs/api-schema.md).

* tags in the order a reader meets them, each with a description;
* a realistic example for every request body and every response, none of Swagger UI's
  generated placeholders (``"string"``, ``additionalProp1``), also on free-form objects;
* each operation documents only the error codes it can return, and names them; the last test of
  a whole run compares them with the statuses the test suite observed (``tests/helpers/api_observations.py``).

The tests that provoke the generic errors (body, token, page) on every operation that documents
them live here too, so that the comparison is not left to the schema fuzzer.
"""

from __future__ import annotations

import io
import json
import os
from collections.abc import Iterator
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.core.cache import cache
from django.test import override_settings
from django.utils import timezone

from accounts.services import address_create
from cart import services as cart_services
from catalog.attributes import attribute_create
from catalog.services import product_image_add
from discounts.services import promotion_create, voucher_create
from ecommerce.common.exceptions import ErrorCode
from ecommerce.common.schema import ERROR_CODES
from ecommerce.openapi import document_operations, names_code
from orders.selectors import CheckoutOwner
from orders.services.sessions import checkout_create
from shipping.services import shipping_zone_create
from taxes.services import tax_rate_create
from tests.factories import CategoryFactory, ManagedProductFactory, OrderFactory, ProductFactory
from tests.helpers import api_observations
from tests.helpers.api_observations import Documented, Observation, compare, documented_errors
from tests.helpers.images import picture
from webhooks import services as webhook_services

READING_ORDER = [
    "auth", "catalog", "cart", "checkout", "orders", "inventory", "analytics", "shipping", "taxes", "discounts", "webhooks", "service",
]  # fmt: skip
PLACEHOLDERS = {"string", "additionalProp1", "additionalProp2", "additionalProp3"}


@pytest.fixture(autouse=True)
def _clean_cache() -> Iterator[None]:
    cache.clear()
    yield
    cache.clear()


def operations(schema: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    for path, methods in schema["paths"].items():
        for method, operation in methods.items():
            yield method.upper(), path, operation


def _strings(value: Any) -> Iterator[str]:
    """Every key and string value inside an example."""
    if isinstance(value, dict):
        for key, item in value.items():
            yield str(key)
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)
    elif isinstance(value, str):
        yield value


# --- tags -----------------------------------------------------------------------------------


def test_tags_in_reading_order_with_descriptions(schema):
    assert [tag["name"] for tag in schema["tags"]] == READING_ORDER
    assert all(len(tag["description"]) > 20 for tag in schema["tags"])
    used = {tag for _, _, operation in operations(schema) for tag in operation["tags"]}
    assert used == set(READING_ORDER)


# --- examples -------------------------------------------------------------------------------


def test_every_request_body_and_response_has_an_example(schema):
    missing = []
    for method, path, operation in operations(schema):
        for media_type, media in operation.get("requestBody", {}).get("content", {}).items():
            if not media.get("examples"):
                missing.append(f"{method} {path} request {media_type}")
        success = [status for status in operation["responses"] if status < "400"]
        assert success, f"{method} {path} documents no success response"
        for status, response in operation["responses"].items():
            for media_type, media in response.get("content", {}).items():
                if not media.get("examples"):
                    missing.append(f"{method} {path} {status} {media_type}")
    assert not missing, "no example for:\n" + "\n".join(missing)


def test_no_generated_placeholder_in_any_example(schema):
    found = []
    for method, path, operation in operations(schema):
        bodies = [operation.get("requestBody", {}), *operation["responses"].values()]
        for body in bodies:
            for media in body.get("content", {}).values():
                for name, example in media.get("examples", {}).items():
                    if PLACEHOLDERS & set(_strings(example["value"])):
                        found.append(f"{method} {path} example {name}")
    assert not found, "placeholder values in:\n" + "\n".join(found)


def test_free_form_objects_carry_an_example(schema):
    """A DictField/JSONField has no properties: Swagger UI would show ``additionalProp1`` or ``{}``."""
    missing = []
    for name, component in schema["components"]["schemas"].items():
        for prop, definition in component.get("properties", {}).items():
            shape = set(definition) - {"description", "readOnly", "writeOnly", "nullable", "example"}
            free_form = not shape or (definition.get("type") == "object" and not definition.get("properties"))
            if free_form and "example" not in definition:
                missing.append(f"{name}.{prop}")
            elif "example" in definition:
                assert not PLACEHOLDERS & set(_strings(definition["example"])), f"{name}.{prop}"
    assert not missing, "free-form objects without an example: " + ", ".join(missing)


def test_error_examples_are_the_envelope_of_each_documented_code(schema):
    for method, path, operation in operations(schema):
        for status, response in operation["responses"].items():
            if status < "400":
                continue
            codes = response["x-error-codes"]
            examples = response["content"]["application/json"]["examples"].values()
            shown = {example["value"]["error"]["code"] for example in examples}
            assert shown <= set(codes), f"{method} {path} {status}: examples of {shown - set(codes)}"
            if operation["operationId"] != "health_retrieve":  # its 503 adds the parts' states
                assert shown == set(codes), f"{method} {path} {status}: no example of {set(codes) - shown}"


# --- error codes ----------------------------------------------------------------------------


def test_each_operation_documents_only_its_own_error_codes(schema):
    documented = {
        operation["operationId"]: {status for status in operation["responses"] if status >= "400"}
        for _, _, operation in operations(schema)
    }
    # Anonymous reads: a bad token (401), an unknown filter value (400), a page past the end.
    assert documented["product_list"] == {"400", "401", "404", "500"}
    assert documented["auth_provider_list"] == {"500"}
    assert documented["cart_retrieve"] == {"401", "500"}
    assert documented["order_checkout"] == {"400", "401", "402", "409", "413", "415", "429", "500", "503"}
    assert all("405" not in statuses for statuses in documented.values())  # never for a real method


def test_account_deletion_documents_its_password_body(schema):
    """drf-spectacular documents no body on DELETE; ``REQUEST_BODIES`` adds this one."""
    body = schema["paths"]["/api/auth/me/"]["delete"]["requestBody"]["content"]["application/json"]
    assert body["schema"]["required"] == ["password"]
    assert list(body["examples"].values())[0]["value"] == {"password": "analytical-engine-1843"}


def test_success_responses_are_described(schema):
    for method, path, operation in operations(schema):
        for status, response in operation["responses"].items():
            assert response["description"], f"{method} {path} {status}"
    assert schema["paths"]["/api/cart/"]["get"]["responses"]["200"]["description"] == "OK"


def test_error_responses_name_their_codes(schema):
    for method, path, operation in operations(schema):
        for status, response in operation["responses"].items():
            if status < "400":
                continue
            codes = response["x-error-codes"]
            assert codes, f"{method} {path} {status} names no code"
            for code in codes:
                assert ERROR_CODES[code].status == int(status), f"{method} {path}: {code} is not a {status}"
                assert names_code(response["description"], code), f"{method} {path} {status}: {code}?"
            if status == "429":
                assert "Retry-After" in response["headers"]


def test_every_error_code_has_a_status_and_an_example():
    codes = {value for name, value in vars(ErrorCode).items() if name.isupper()}
    assert codes == set(ERROR_CODES)  # a new ErrorCode needs its ERROR_CODES entry
    assert all(400 <= doc.status < 600 and doc.message.endswith(".") for doc in ERROR_CODES.values())


def _one_operation(operation_id: str, responses: dict[str, Any] | None = None) -> dict[str, Any]:
    operation = {"operationId": operation_id, "tags": ["cart"], "responses": responses or {"200": {}}}
    return {"paths": {"/api/thing/": {"get": operation}}, "components": {"schemas": {}}}


def test_an_operation_without_declared_errors_is_a_schema_warning(capsys):
    result = document_operations(_one_operation("thing_retrieve"), generator=None)
    warning = capsys.readouterr().err
    assert "thing_retrieve: no ERRORS entry" in warning
    assert "cart_retrieve: declared in ERRORS/EXAMPLES, but there is no such operation" in warning
    # still documented as returning INTERNAL_ERROR, the one code every operation has
    assert result["paths"]["/api/thing/"]["get"]["responses"]["500"]["x-error-codes"] == ["INTERNAL_ERROR"]


def test_a_status_documented_by_the_view_but_not_declared_is_a_schema_warning(capsys):
    result = _one_operation("cart_retrieve", {"200": {}, "409": {"description": "Conflict."}})
    document_operations(result, generator=None)
    assert "cart_retrieve: the view documents 409, but ERRORS declares no code" in capsys.readouterr().err


# --- the comparison itself ------------------------------------------------------------------

DOC = {
    ("GET", "/api/cart/"): Documented(
        "cart_retrieve",
        "cart/api/openapi.py",
        {401: frozenset({"TOKEN_INVALID"}), 500: frozenset({"INTERNAL_ERROR"})},
    )
}
TEST = "tests/cart/test_cart_api.py::test_x"


def test_compare_passes_when_documented_and_observed_agree():
    observed = {Observation("GET", "/api/cart/", 401, "TOKEN_INVALID"): TEST}
    assert compare(DOC, observed) == []  # 500 is allowed to stay unobserved


def test_compare_names_an_undocumented_status_and_where_to_declare_it():
    observed = {
        Observation("GET", "/api/cart/", 401, "TOKEN_INVALID"): TEST,
        Observation("GET", "/api/cart/", 429, "RATE_LIMITED"): TEST,
    }
    [problem] = compare(DOC, observed)
    assert "got 429 RATE_LIMITED, a status the schema does not document" in problem
    assert "add RATE_LIMITED to ERRORS['cart_retrieve'] in cart/api/openapi.py" in problem


def test_compare_names_an_undocumented_code_of_a_documented_status():
    observed = {Observation("GET", "/api/cart/", 401, "AUTHENTICATION_REQUIRED"): TEST}
    [problem] = compare(DOC, observed)
    assert "the schema names only TOKEN_INVALID for 401" in problem


def test_compare_names_a_documented_status_no_test_provoked():
    assert "documents 401 (TOKEN_INVALID), but no test observed it" in compare(DOC, {})[0]
    # the fuzzer's cases change with the schema: they do not count as provoking a status
    fuzzed = {Observation("GET", "/api/cart/", 401, "TOKEN_INVALID"): api_observations.FUZZ_MODULE + "::t"}
    assert len(compare(DOC, fuzzed)) == 1
    assert compare(DOC, {}, unprovoked_ok={401: "", 500: ""}) == []


def test_compare_ignores_routes_that_are_no_operation():
    observed = {Observation("GET", "/api/test/boom/", 500, "INTERNAL_ERROR"): TEST}
    assert len(compare(DOC, observed)) == 1  # only the unprovoked 401 of the cart


def test_a_code_is_named_as_a_word():
    assert names_code("`PRODUCT_NOT_FOUND`: unknown product.", "PRODUCT_NOT_FOUND")
    assert not names_code("`PRODUCT_NOT_FOUND`: unknown product.", "NOT_FOUND")


def test_route_template_is_the_openapi_path():
    assert api_observations.route_template("api/products/<str:product_id>") == "/api/products/{product_id}/"
    assert api_observations.route_template("api/orders/process/") == "/api/orders/process/"


# --- the generic errors, provoked on every operation that documents them -----------------------


@pytest.fixture
def ids(admin_user) -> dict[str, str]:
    product = ProductFactory(quantity=10)
    order = OrderFactory(user=admin_user, lines=[(product, 1)])
    endpoint = webhook_services.endpoint_create(url="https://93.184.215.14/hooks", events=["*"])
    delivery = webhook_services.endpoint_send_test(endpoint=endpoint)
    image = product_image_add(product=product, upload=io.BytesIO(picture("PNG", (8, 8))), size=100)
    cart_services.cart_item_add(user=admin_user, product_public_id=product.public_id, quantity=1)
    checkout = checkout_create(owner=CheckoutOwner(user=admin_user, cart_id=None))
    zone = shipping_zone_create(
        name="Z",
        countries=["DE"],
        methods=[{"name": "M", "price": Decimal("1"), "min_days": 1, "max_days": 1}],
    )
    return {
        "product_id": product.public_id,
        "variant_id": product.variants.get().public_id,
        "image_id": image.public_id,
        "category_id": CategoryFactory().public_id,
        "attribute_id": attribute_create(slug="color", name="Colour", type="text").public_id,
        "order_id": order.public_id,
        "provider": "google",
        "endpoint_id": endpoint.public_id,
        "delivery_id": delivery.public_id,
        "zone_id": zone.public_id,
        "checkout_id": checkout.public_id,
        "method_id": zone.methods.get().public_id,
        "rate_id": tax_rate_create(country="DE", rate=Decimal("19")).public_id,
        "voucher_id": voucher_create(data={"code": "TEN", "kind": "fixed", "value": Decimal("1")}).public_id,
        "promotion_id": promotion_create(
            data={
                "name": "P",
                "kind": "free_shipping",
                "starts_at": timezone.now(),
                "ends_at": timezone.now() + timedelta(days=1),
            }
        ).public_id,
        "address_id": address_create(
            user=admin_user,
            data={"name": "A", "line1": "1 Road", "city": "London", "postal_code": "N1 9GU", "country": "GB"},
        ).public_id,
    }


def _url(path: str, ids: dict[str, str]) -> str:
    return path.format(**ids)


@pytest.mark.django_db
@override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=1024)
def test_body_errors_on_every_operation_that_reads_a_json_body(schema, ids, admin_user, auth_client):
    client = auth_client(admin_user)
    checked = 0
    for method, path, operation in operations(schema):
        errors = operation["responses"]
        if "415" not in errors or _multipart(operation):
            continue
        call = getattr(client, method.lower())
        url = _url(path, ids)
        label = f"{method} {path}"
        response = call(url, data="name=coffee", content_type="text/plain")
        assert response.status_code == 415, label
        assert response.json()["error"]["code"] == "UNSUPPORTED_MEDIA_TYPE", label
        response = call(url, data='{"name": ', content_type="application/json")
        assert response.status_code == 400, label
        assert response.json()["error"]["code"] == "INVALID_REQUEST", label
        assert "413" in errors, label
        response = call(url, data=json.dumps({"name": "x" * 2000}), content_type="application/json")
        assert response.status_code == 413, label
        assert response.json()["error"]["code"] == "PAYLOAD_TOO_LARGE", label
        checked += 1
    assert checked >= 20


def _multipart(operation: dict[str, Any]) -> bool:
    """The operation reads ``multipart/form-data`` (an upload), not JSON."""
    return "multipart/form-data" in operation.get("requestBody", {}).get("content", {})


@pytest.mark.django_db
@override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=1024, IMAGE_MAX_BYTES=1024, CATALOG_IMPORT_MAX_BYTES=1024)
def test_body_errors_on_every_operation_that_reads_multipart(schema, ids, admin_user, auth_client):
    """Uploads: JSON or text is 415, a malformed form 400, a body over the upload limit 413."""
    client = auth_client(admin_user)
    checked = 0
    for method, path, operation in operations(schema):
        if not _multipart(operation):
            continue
        errors, url, label = operation["responses"], _url(path, ids), f"{method} {path}"
        assert {"400", "413", "415"} <= set(errors), label
        for data, content_type, status in (
            ('{"name": "x"}', "application/json", 415),
            ("name=coffee", "text/plain", 415),
            ("garbage", "multipart/form-data; boundary=", 400),
            ("x" * 100_000, "multipart/form-data; boundary=abc", 413),
        ):
            response = client.generic(method, url, data=data, content_type=content_type)
            assert response.status_code == status, (label, content_type)
            assert set(response.json()["error"]) == {"code", "message", "details"}
        checked += 1
    assert checked >= 1


@pytest.mark.django_db
def test_a_bad_token_is_refused_on_anonymous_reads(schema, ids, api_client):
    api_client.credentials(HTTP_AUTHORIZATION="Bearer not-a-jwt")
    checked = 0
    for method, path, operation in operations(schema):
        codes = operation["responses"].get("401", {}).get("x-error-codes", [])
        if method != "GET" or codes != ["TOKEN_INVALID"]:
            continue
        response = api_client.get(_url(path, ids))
        assert response.status_code == 401, path
        assert response.json()["error"]["code"] == "TOKEN_INVALID", path
        checked += 1
    assert checked == 8  # products, categories, variants and attributes, list and detail


@pytest.mark.django_db
def test_a_page_past_the_last_is_not_found(schema, ids, admin_user, auth_client):
    client = auth_client(admin_user)
    checked = 0
    for method, path, operation in operations(schema):
        names = {parameter["name"] for parameter in operation.get("parameters", [])}
        if method != "GET" or "page" not in names:
            continue
        response = client.get(f"{_url(path, ids)}?page=999")
        assert response.status_code == 404, path
        assert response.json()["error"]["code"] == "NOT_FOUND", path
        assert response.json()["error"]["message"].startswith("Invalid page"), path
        checked += 1
    # products, categories, orders, webhook endpoints, an endpoint's deliveries, shipping zones, a
    # zone's methods, tax rates, vouchers, promotions
    assert checked == 10


@pytest.mark.django_db
@override_settings(INVENTORY_RATE_LIMIT=1)
def test_every_inventory_operation_is_rate_limited(api_client):
    product = ManagedProductFactory(quantity=5)
    manager = product.manager.external_id
    requests = [
        ("get", f"/api/inventory/products?manager_id={manager}", None),
        ("post", "/api/inventory/products", {"manager_id": manager, "products": []}),
        ("post", "/api/inventory/discontinue", {"manager_id": manager, "product_id": product.public_id}),
        ("post", "/api/orders/process", {"manager_id": manager, "products": []}),
    ]
    for method, url, body in requests:
        cache.clear()
        call = getattr(api_client, method)
        call(url, body, format="json")
        response = call(url, body, format="json")
        assert response.status_code == 429, url
        assert response.json()["error"]["code"] == "RATE_LIMITED"
        assert int(response["Retry-After"]) > 0


# --- last test of a whole run ---------------------------------------------------------------


def test_documented_error_codes_match_observed_responses(request, schema):
    """Runs last (``tests.helpers.api_observations.Plugin``). With the whole suite behind it, it compares
    what the schema documents with every response the suite produced; after a partial run it uses
    a recorded whole run (``API_OBSERVATIONS_FILE``) plus this session's responses, or skips."""
    observed = dict(api_observations.RECORDER.seen)
    reason = api_observations.partial_run_reason(request.config)
    if reason is not None:
        recorded = Path(os.environ.get("API_OBSERVATIONS_FILE", "/nonexistent"))
        if not recorded.is_file():
            pytest.skip(f"{reason}: the comparison needs the whole suite (or API_OBSERVATIONS_FILE)")
        observed = {**api_observations.load(recorded), **observed}
    problems = compare(documented_errors(schema), observed)
    assert not problems, f"{len(problems)} mismatches (docs/api-schema.md):\n" + "\n".join(problems)
