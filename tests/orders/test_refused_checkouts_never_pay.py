"""A checkout that is refused before payment never reaches the payment gateway: no
authorization is held on a customer's card for an order that cannot exist, and a replayed
request never charges again. A recording gateway proves zero calls."""

from __future__ import annotations

import pytest

from catalog.models import Product, ProductVariant
from orders.models import Order
from tests.helpers import assert_envelope
from tests.helpers.orders import checkout_body
from tests.helpers.recording_gateway import RECORDING_GATEWAY, RecordingGateway


@pytest.fixture
def gateway(settings) -> type[RecordingGateway]:
    settings.PAYMENT_GATEWAY = RECORDING_GATEWAY
    RecordingGateway.reset()
    yield RecordingGateway
    RecordingGateway.reset()


def test_the_recording_gateway_sees_a_paid_checkout(filled_cart, gateway):
    """The control: a checkout that pays is recorded, so an empty record below means something."""
    _, client, *_ = filled_cart
    response = client.post("/api/orders/", checkout_body(), format="json")
    assert response.status_code == 201
    assert [method for method, _ in gateway.calls] == ["authorize", "capture"]


def test_checkout_refused_for_stock_never_reaches_the_gateway(filled_cart, gateway):
    _, client, coffee, _ = filled_cart
    ProductVariant.objects.filter(product=coffee).update(quantity=1)
    assert_envelope(client.post("/api/orders/", checkout_body(), format="json"), 409, "INSUFFICIENT_STOCK")
    assert gateway.calls == [] and not Order.objects.exists()


def test_checkout_of_a_discontinued_product_never_reaches_the_gateway(filled_cart, gateway):
    _, client, _, tea = filled_cart
    Product.objects.filter(pk=tea.pk).update(discontinued=True)
    assert_envelope(client.post("/api/orders/", checkout_body(), format="json"), 409, "PRODUCT_DISCONTINUED")
    assert gateway.calls == [] and not Order.objects.exists()


def test_checkout_of_an_empty_cart_never_reaches_the_gateway(shopper, gateway):
    _, client = shopper
    assert_envelope(client.post("/api/orders/", checkout_body(), format="json"), 400, "CART_EMPTY")
    assert gateway.calls == []


def test_replayed_idempotency_key_never_reaches_the_gateway_again(filled_cart, gateway):
    _, client, *_ = filled_cart
    first = client.post("/api/orders/", checkout_body(), format="json", HTTP_IDEMPOTENCY_KEY="once")
    assert first.status_code == 201
    gateway.reset()
    replay = client.post("/api/orders/", checkout_body(), format="json", HTTP_IDEMPOTENCY_KEY="once")
    assert (replay.status_code, replay.json()["id"]) == (200, first.json()["id"])
    assert gateway.calls == []
    other = checkout_body()
    other["shipping_address"]["city"] = "Paris"
    conflict = client.post("/api/orders/", other, format="json", HTTP_IDEMPOTENCY_KEY="once")
    assert_envelope(conflict, 409, "IDEMPOTENCY_CONFLICT")
    assert gateway.calls == [] and Order.objects.count() == 1


def test_replayed_decline_never_reaches_the_gateway_again(filled_cart, gateway):
    _, client, *_ = filled_cart
    body = checkout_body("tok_declined")
    first = client.post("/api/orders/", body, format="json", HTTP_IDEMPOTENCY_KEY="declined")
    assert_envelope(first, 402, "PAYMENT_FAILED")
    gateway.reset()
    replay = client.post("/api/orders/", body, format="json", HTTP_IDEMPOTENCY_KEY="declined")
    assert_envelope(replay, 402, "PAYMENT_FAILED")
    assert gateway.calls == [] and Order.objects.count() == 1
