"""A checkout whose authorization succeeds and whose capture is declined (issue #18, item 13):
the authorization is voided at the gateway, the order ends ``payment_failed`` (402
``PAYMENT_FAILED``), stock and cart are as before the checkout and nothing says ``paid``. On the
built-in test gateway and over HTTP against the fake provider."""

import pytest

from cart.models import CartLine
from catalog.models import Product, StockMovement
from orders.models import Order, OrderEvent, OrderStatus
from orders.payments import PaymentState, TestGateway
from tests.factories import ProductFactory
from tests.helpers.orders import checkout_body

pytestmark = pytest.mark.django_db


@pytest.fixture
def cart_with_saved_line(filled_cart):
    """``filled_cart`` plus a line saved for later (which checkout never touches)."""
    user, client, coffee, tea = filled_cart
    saved = ProductFactory(name="Saved", quantity=3)
    client.post("/api/cart/items/", {"product_id": saved.public_id, "quantity": 2}, format="json")
    client.post(f"/api/cart/items/{saved.public_id}/save-for-later/")
    return user, client, coffee, tea


def cart_state(user) -> list[tuple[int, int, bool]]:
    return sorted(
        CartLine.objects.filter(cart__user=user).values_list(
            "variant__product_id", "quantity", "saved_for_later"
        )
    )


def stock() -> list[int]:
    return list(Product.objects.order_by("pk").values_list("quantity", flat=True))


def assert_failed_and_restored(response, user, cart_before, stock_before) -> Order:
    assert response.status_code == 402, response.content
    error = response.json()["error"]
    assert error["code"] == "PAYMENT_FAILED" and error["details"]["payment"] == "capture_declined"
    order = Order.objects.get()
    assert order.status == OrderStatus.PAYMENT_FAILED and error["details"]["order_id"] == order.public_id
    assert order.payment_reference == ""
    assert not OrderEvent.objects.filter(order=order, to_status=OrderStatus.PAID).exists()
    assert list(order.events.values_list("from_status", "to_status")) == [
        ("", "pending"),
        ("pending", "payment_failed"),
    ]
    assert stock() == stock_before
    assert sum(StockMovement.objects.filter(order=order).values_list("delta", flat=True)) == 0
    assert cart_state(user) == cart_before
    return order


def test_test_gateway_capture_declined_token_voids_and_fails(cart_with_saved_line):
    user, client, *_ = cart_with_saved_line
    cart_before, stock_before = cart_state(user), stock()
    response = client.post("/api/orders/", checkout_body("tok_capture_declined"), format="json")
    order = assert_failed_and_restored(response, user, cart_before, stock_before)
    at_gateway = TestGateway().lookup(order.public_id)
    assert at_gateway.state == PaymentState.FAILED and at_gateway.authorization.startswith("auth_")
    assert at_gateway.capture == ""  # voided, never captured


def test_test_gateway_switch_declines_every_capture(cart_with_saved_line, monkeypatch):
    monkeypatch.setattr(TestGateway, "decline_captures", True)
    user, client, *_ = cart_with_saved_line
    cart_before, stock_before = cart_state(user), stock()
    response = client.post("/api/orders/", checkout_body("tok_ok"), format="json")
    order = assert_failed_and_restored(response, user, cart_before, stock_before)
    assert TestGateway().lookup(order.public_id).state == PaymentState.FAILED


def test_test_gateway_capture_declined_replay_is_the_same_402(cart_with_saved_line):
    user, client, coffee, _ = cart_with_saved_line
    first = client.post(
        "/api/orders/", checkout_body("tok_capture_declined"), format="json", HTTP_IDEMPOTENCY_KEY="cd-1"
    )
    again = client.post(
        "/api/orders/", checkout_body("tok_capture_declined"), format="json", HTTP_IDEMPOTENCY_KEY="cd-1"
    )
    assert (first.status_code, again.status_code) == (402, 402)
    assert first.json()["error"]["details"]["order_id"] == again.json()["error"]["details"]["order_id"]
    assert Order.objects.count() == 1 and Product.objects.get(pk=coffee.pk).quantity == 10


@pytest.mark.parametrize("switch", ["token", "provider"])
def test_http_gateway_capture_declined_voids_and_fails(psp, cart_with_saved_line, switch):
    user, client, *_ = cart_with_saved_line
    cart_before, stock_before = cart_state(user), stock()
    token = "tok_capture_declined" if switch == "token" else "tok_ok"
    psp.decline_captures = switch == "provider"
    response = client.post(
        "/api/orders/", checkout_body(token), format="json", HTTP_IDEMPOTENCY_KEY="cd-http"
    )
    order = assert_failed_and_restored(response, user, cart_before, stock_before)
    assert [path for path, _, _ in psp.requests] == ["/authorize", "/capture", "/void"]
    _, void_body, void_headers = psp.requests[2]
    assert void_body == {"authorization": "psp_1"} and void_headers["Idempotency-Key"] == "cd-http:void"
    assert psp.state(order.public_id) == "voided"


def test_http_capture_answer_lost_is_settled_by_voiding(psp, filled_cart):
    """The provider fails the capture (5xx): nobody knows whether it went through, so the
    authorization is voided; the void succeeds, so nothing was taken: payment_failed."""
    user, client, coffee, tea = filled_cart
    psp.fail_with, psp.fail_paths = 500, {"/capture"}
    response = client.post("/api/orders/", checkout_body(), format="json")
    assert response.status_code == 402
    assert response.json()["error"]["details"]["payment"] == "payment gateway unavailable"
    order = Order.objects.get()
    assert order.status == OrderStatus.PAYMENT_FAILED and psp.state(order.public_id) == "voided"
    assert stock() == [10, 5] and CartLine.objects.filter(cart__user=user).count() == 2


def test_http_capture_answer_lost_and_gateway_gone_leaves_order_pending(psp, filled_cart):
    """Capture, void and lookup all fail: the outcome is unknown, so the order is neither paid
    nor failed: 503 with Retry-After, the order stays pending with its stock held."""
    user, client, coffee, tea = filled_cart
    psp.fail_with, psp.fail_paths = 500, {"/capture", "/void", "/payments/"}
    response = client.post("/api/orders/", checkout_body(), format="json", HTTP_IDEMPOTENCY_KEY="lost-1")
    assert response.status_code == 503 and int(response["Retry-After"]) > 0
    error = response.json()["error"]
    assert error["code"] == "SERVICE_UNAVAILABLE" and error["details"]["payment"] == "pending"
    order = Order.objects.get()
    assert order.status == OrderStatus.PENDING and error["details"]["order_id"] == order.public_id
    assert stock() == [8, 4]
    assert psp.state(order.public_id) == "authorized"
