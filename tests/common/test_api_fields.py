"""Request strings are JSON strings: a number where the schema says ``string`` is a 400, never
stored as its text (schemathesis' ST201 found ``"description": -6.85e+214`` accepted)."""

from __future__ import annotations

import pytest

from catalog.models import Product
from tests.helpers import assert_envelope

pytestmark = pytest.mark.django_db


def test_product_description_given_as_a_number_is_refused(auth_client, admin_user):
    response = auth_client(admin_user).post(
        "/api/products/",
        {"name": "Mug", "description": -6.85e214, "price": 9.5, "quantity": 3},
        format="json",
    )

    error = assert_envelope(response, 400, "INVALID_REQUEST")
    assert set(error["details"]) == {"description"}
    assert not Product.objects.exists()


@pytest.mark.parametrize(
    "body", [{"email": 12345, "password": "x"}, {"email": "a@example.com", "password": 1234}]
)
def test_login_fields_given_as_numbers_are_refused(api_client, body):
    assert_envelope(api_client.post("/api/auth/login/", body, format="json"), 400, "INVALID_REQUEST")


def test_shipping_address_fields_given_as_numbers_are_refused(auth_client, user):
    body = {
        "shipping_address": {
            "name": 7,
            "line1": "1 Main St",
            "city": "Town",
            "postal_code": "1",
            "country": "GB",
        },
        "payment": {"method": "card", "token": "tok_ok"},
    }
    error = assert_envelope(
        auth_client(user).post("/api/orders/", body, format="json"), 400, "INVALID_REQUEST"
    )
    assert "shipping_address.name" in error["details"]
