"""Every failure under /api/ answers with {"error": {"code", "message", "details"}}."""

import json
import logging

import pytest
from rest_framework import serializers

from ecommerce.common.exceptions import validation_details
from tests.helpers import assert_envelope

pytestmark = pytest.mark.urls("tests.common.urls")


def test_unknown_api_path_is_404_envelope(client):
    error = assert_envelope(client.get("/api/does-not-exist/"), 404, "NOT_FOUND")
    assert error["details"] == {}


def test_unknown_api_path_without_slash_is_404_not_redirect(client):
    assert_envelope(client.get("/api/nothing-here"), 404, "NOT_FOUND")


def test_unauthenticated_is_401_envelope(client):
    response = client.get("/api/test/protected/")
    assert_envelope(response, 401, "AUTHENTICATION_REQUIRED")
    assert "Bearer" in response["WWW-Authenticate"]


def test_tampered_token_is_401_token_invalid(client):
    response = client.get("/api/test/protected/", HTTP_AUTHORIZATION="Bearer not.a.jwt")
    assert_envelope(response, 401, "TOKEN_INVALID")


def test_valid_token_passes(db, user, auth_client):
    response = auth_client(user).get("/api/test/protected/")
    assert response.status_code == 200


def test_method_not_allowed_is_405_envelope(client):
    assert_envelope(client.delete("/api/health/"), 405, "METHOD_NOT_ALLOWED")


def test_malformed_json_is_400_invalid_request(client):
    response = client.post("/api/test/echo/", data="{not json", content_type="application/json")
    error = assert_envelope(response, 400, "INVALID_REQUEST")
    assert "JSON" in error["message"]


def test_other_media_type_is_415(client):
    response = client.post("/api/test/echo/", data={"a": "b"})  # multipart form
    assert_envelope(response, 415, "UNSUPPORTED_MEDIA_TYPE")


def test_valid_json_is_accepted(client):
    response = client.post("/api/test/echo/", data=json.dumps({"a": 1}), content_type="application/json")
    assert response.status_code == 200
    assert response.json() == {"received": {"a": 1}}


def test_throttled_is_429_with_retry_after(client):
    response = client.get("/api/test/throttled/")
    assert_envelope(response, 429, "RATE_LIMITED")
    assert response["Retry-After"] == "42"


def test_application_error_keeps_code_and_details(client):
    error = assert_envelope(client.get("/api/test/conflict/"), 409, "INVALID_STATE")
    assert error["details"] == {"thing": "is in the wrong state"}
    assert error["message"] == "Nope."


def test_unhandled_exception_is_500_without_internals(client, caplog):
    with caplog.at_level(logging.ERROR, logger="ecommerce.errors"):
        response = client.get("/api/test/boom/", HTTP_X_REQUEST_ID="req-boom-1")
    error = assert_envelope(response, 500, "INTERNAL_ERROR")
    assert "secret-internal-detail" not in response.content.decode()
    assert "SELECT" not in response.content.decode()
    assert error["details"] == {}
    records = [r for r in caplog.records if r.name == "ecommerce.errors"]
    assert records and records[0].request_id == "req-boom-1"


def test_unhandled_exception_outside_drf_is_500_envelope(client):
    client.raise_request_exception = False
    response = client.get("/api/test/plain-boom/")
    assert_envelope(response, 500, "INTERNAL_ERROR")


def test_oversized_body_is_413_envelope(client, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 100
    body = json.dumps({"x": "y" * 500})
    response = client.post("/api/test/echo/", data=body, content_type="application/json")
    assert_envelope(response, 413, "PAYLOAD_TOO_LARGE")


class _Item(serializers.Serializer):
    price = serializers.DecimalField(max_digits=10, decimal_places=2, min_value=0)
    quantity = serializers.IntegerField(min_value=0)


class _Batch(serializers.Serializer):
    manager_id = serializers.CharField()
    products = _Item(many=True)
    customer = serializers.DictField()


def test_validation_details_use_dotted_paths():
    s = _Batch(
        data={
            "products": [{"price": "1.00", "quantity": 1}, {"price": "-1", "quantity": "x"}],
            "customer": "nope",
        }
    )
    assert not s.is_valid()
    details = validation_details(s.errors)
    assert set(details) == {"manager_id", "products.1.price", "products.1.quantity", "customer"}
    assert all(isinstance(v, str) and v for v in details.values())


def test_validation_details_non_field_errors():
    assert validation_details({"non_field_errors": ["Bad combination."]}) == {
        "non_field_errors": "Bad combination."
    }
    assert validation_details(["top-level problem"]) == {"non_field_errors": "top-level problem"}
    # an object-level error of a nested field is named by that field
    assert validation_details({"products": {"non_field_errors": ["Expected a list."]}}) == {
        "products": "Expected a list."
    }
    assert validation_details({"customer": [{"non_field_errors": ["Bad pair."]}]}) == {
        "customer.0": "Bad pair."
    }
