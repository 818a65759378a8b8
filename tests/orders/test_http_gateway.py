"""Checkout with the HTTP payment gateway against a real (fake) provider on 127.0.0.1."""

import pytest

from catalog.models import Product
from orders.models import Order, OrderStatus
from tests.helpers.orders import checkout_body

pytestmark = pytest.mark.django_db


@pytest.fixture
def psp_timeout() -> float:
    return 0.5


def test_paid_through_http_gateway(psp, filled_cart):
    _, client, coffee, _ = filled_cart
    response = client.post("/api/orders/", checkout_body(), format="json", HTTP_IDEMPOTENCY_KEY="http-1")
    assert response.status_code == 201 and response.json()["status"] == "paid"
    paths = [path for path, _, _ in psp.requests]
    assert paths == ["/authorize", "/capture"]
    _, body, headers = psp.requests[0]
    assert body["amount"] == "44.97" and body["token"] == "tok_ok"
    assert headers["Authorization"] == "Bearer sk_test_secret"
    assert headers["Idempotency-Key"] == "http-1:authorize"
    assert Order.objects.get().payment_reference == "psp_2"


def test_declined_through_http_gateway(psp, filled_cart):
    _, client, coffee, tea = filled_cart
    response = client.post("/api/orders/", checkout_body("tok_declined"), format="json")
    assert response.status_code == 402 and response.json()["error"]["details"]["payment"] == "card_declined"
    assert [p.quantity for p in Product.objects.order_by("pk")] == [10, 5]


@pytest.mark.parametrize("mode", ["timeout", "http500", "down"])
def test_gateway_timeout_or_outage_fails_order_and_returns_stock(psp, filled_cart, mode):
    user, client, coffee, tea = filled_cart
    if mode == "timeout":
        psp.delay = 1.5  # longer than PAYMENT_GATEWAY_TIMEOUT
    elif mode == "http500":
        psp.fail_with = 500
    else:
        psp.__exit__()  # the provider is gone: connection refused
    response = client.post("/api/orders/", checkout_body(), format="json")
    assert response.status_code == 402
    assert response.json()["error"]["details"]["payment"] == "payment gateway unavailable"
    order = Order.objects.get()
    assert order.status == OrderStatus.PAYMENT_FAILED
    assert [p.quantity for p in Product.objects.order_by("pk")] == [10, 5]
    assert user.cart.lines.count() == 2
    assert "sk_test_secret" not in response.content.decode()


def test_refund_through_http_gateway(psp, filled_cart):
    _, client, *_ = filled_cart
    order_id = client.post("/api/orders/", checkout_body(), format="json").json()["id"]
    assert client.post(f"/api/orders/{order_id}/cancel/").status_code == 200
    path, body, _ = psp.requests[-1]
    assert path == "/refund" and body["payment"] == "psp_2" and body["amount"] == "44.97"
