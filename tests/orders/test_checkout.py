"""Checkout through HTTP: never oversell, never charge twice, keep every order."""

from decimal import Decimal

import pytest
from django.core import mail
from django.db import connection

from cart.models import CartLine
from catalog.models import Product, ProductVariant, StockMovement
from orders.models import IdempotencyKey, Order, OrderStatus
from orders.payments import TestGateway
from orders.services import order_transition
from tests.factories import ProductFactory
from tests.helpers.orders import checkout_body

pytestmark = pytest.mark.django_db


def quantities(*products):
    return [Product.objects.get(pk=p.pk).quantity for p in products]


def test_checkout_success(filled_cart, django_capture_on_commit_callbacks):
    user, client, coffee, tea = filled_cart
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/api/orders/", checkout_body(), format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["id"].startswith("ord_")
    assert body["status"] == "paid"
    assert body["total_amount"] == 44.97 and body["subtotal"] == 44.97 and body["currency"] == "USD"
    assert body["items"] == [
        {
            "product_id": coffee.public_id,
            "product": {"id": coffee.public_id, "name": "Coffee"},
            "variant_id": coffee.variants.get().public_id,
            "sku": coffee.variants.get().sku,
            "options": {},
            "name": "Coffee",
            "unit_price": 15.99,
            "quantity": 2,
            "line_total": 31.98,
            # no tax rate, zone or voucher configured: net = gross, nothing added or taken off
            "unit_price_net": 15.99,
            "unit_price_gross": 15.99,
            "tax_rate": 0.0,
            "discount": 0.0,
            "tax": 0.0,
            "total": 31.98,
        },
        {
            "product_id": tea.public_id,
            "product": {"id": tea.public_id, "name": "Tea"},
            "variant_id": tea.variants.get().public_id,
            "sku": tea.variants.get().sku,
            "options": {},
            "name": "Tea",
            "unit_price": 12.99,
            "quantity": 1,
            "line_total": 12.99,
            # no tax rate, zone or voucher configured: net = gross, nothing added or taken off
            "unit_price_net": 12.99,
            "unit_price_gross": 12.99,
            "tax_rate": 0.0,
            "discount": 0.0,
            "tax": 0.0,
            "total": 12.99,
        },
    ]
    assert body["customer"] == {"kind": "user", "id": user.public_id, "email": user.email}
    assert body["shipping_address"]["city"] == "London" and body["shipping_address"]["line2"] == ""
    assert [(e["from_status"], e["to_status"]) for e in body["timeline"]] == [
        (None, "pending"),
        ("pending", "paid"),
    ]
    assert quantities(coffee, tea) == [8, 4]
    assert not CartLine.objects.filter(cart__user=user).exists()
    assert len(mail.outbox) == 1 and body["id"] in mail.outbox[0].subject
    assert mail.outbox[0].to == [user.email]
    assert Order.objects.get().payment_reference.startswith("ch_")


def test_prices_are_copied_into_the_order(filled_cart):
    _, client, coffee, _ = filled_cart
    order_id = client.post("/api/orders/", checkout_body(), format="json").json()["id"]
    Product.objects.filter(pk=coffee.pk).update(price=Decimal("99.00"))
    assert client.get(f"/api/orders/{order_id}/").json()["items"][0]["unit_price"] == 15.99


def test_empty_cart_is_400(shopper):
    _, client = shopper
    response = client.post("/api/orders/", checkout_body(), format="json")
    assert response.status_code == 400 and response.json()["error"]["code"] == "CART_EMPTY"
    assert not Order.objects.exists()


@pytest.mark.parametrize("missing", ["shipping_address", "payment"])
def test_invalid_body_is_400(filled_cart, missing):
    _, client, *_ = filled_cart
    body = checkout_body()
    del body[missing]
    response = client.post("/api/orders/", body, format="json")
    assert response.status_code == 400 and missing in response.json()["error"]["details"]


def test_nested_address_error_is_dotted(filled_cart):
    _, client, *_ = filled_cart
    body = checkout_body()
    body["shipping_address"]["country"] = "Britain"
    response = client.post("/api/orders/", body, format="json")
    assert set(response.json()["error"]["details"]) == {"shipping_address.country"}


@pytest.mark.parametrize(
    "token, reason", [("tok_declined", "card_declined"), ("tok_gateway_error", "payment gateway unavailable")]
)
def test_failed_payment_keeps_order_as_failed_and_restores_everything(filled_cart, token, reason):
    user, client, coffee, tea = filled_cart
    response = client.post("/api/orders/", checkout_body(token), format="json")
    assert response.status_code == 402
    error = response.json()["error"]
    assert error["code"] == "PAYMENT_FAILED" and error["details"]["payment"] == reason
    order = Order.objects.get()
    assert order.status == OrderStatus.PAYMENT_FAILED and error["details"]["order_id"] == order.public_id
    assert quantities(coffee, tea) == [10, 5]
    assert sorted(
        CartLine.objects.filter(cart__user=user).values_list("variant__product_id", "quantity")
    ) == [
        (coffee.pk, 2),
        (tea.pk, 1),
    ]
    assert sum(StockMovement.objects.filter(order=order).values_list("delta", flat=True)) == 0
    assert "tok_" not in response.content.decode()


def test_product_discontinued_after_it_was_put_in_the_cart(filled_cart):
    user, client, coffee, tea = filled_cart
    Product.objects.filter(pk=tea.pk).update(discontinued=True)
    response = client.post("/api/orders/", checkout_body(), format="json")
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "PRODUCT_DISCONTINUED"
    assert response.json()["error"]["details"] == {tea.public_id: "product is discontinued"}
    assert quantities(coffee) == [10] and not Order.objects.exists()
    assert CartLine.objects.filter(cart__user=user).count() == 2


def test_stock_dropped_below_cart_quantity(filled_cart):
    user, client, coffee, tea = filled_cart
    ProductVariant.objects.filter(product=coffee).update(quantity=1)
    response = client.post("/api/orders/", checkout_body(), format="json")
    assert response.status_code == 409
    assert response.json()["error"]["details"] == {coffee.public_id: "requested 2, available 1"}
    assert quantities(coffee, tea) == [1, 5] and not Order.objects.exists()
    assert CartLine.objects.filter(cart__user=user).count() == 2


def test_idempotency_key_replays_the_same_order(filled_cart):
    user, client, coffee, tea = filled_cart
    first = client.post("/api/orders/", checkout_body(), format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    second = client.post("/api/orders/", checkout_body(), format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert (first.status_code, second.status_code) == (201, 200)
    assert first.json()["id"] == second.json()["id"]
    assert Order.objects.count() == 1 and quantities(coffee, tea) == [8, 4]
    assert IdempotencyKey.objects.get(user=user, key="k-1").order.public_id == first.json()["id"]


def test_idempotency_key_with_another_body_is_409(filled_cart):
    _, client, *_ = filled_cart
    client.post("/api/orders/", checkout_body(), format="json", HTTP_IDEMPOTENCY_KEY="k-2")
    other = checkout_body()
    other["shipping_address"]["city"] = "Paris"
    response = client.post("/api/orders/", other, format="json", HTTP_IDEMPOTENCY_KEY="k-2")
    assert response.status_code == 409 and response.json()["error"]["code"] == "IDEMPOTENCY_CONFLICT"
    assert Order.objects.count() == 1


def test_idempotency_key_is_scoped_per_user(filled_cart, auth_client):
    _, client, coffee, _ = filled_cart
    client.post("/api/orders/", checkout_body(), format="json", HTTP_IDEMPOTENCY_KEY="shared")
    from tests.factories import UserFactory

    other = auth_client(UserFactory())
    other.post("/api/cart/items/", {"product_id": coffee.public_id}, format="json")
    response = other.post("/api/orders/", checkout_body(), format="json", HTTP_IDEMPOTENCY_KEY="shared")
    assert response.status_code == 201 and Order.objects.count() == 2


def test_key_held_by_a_request_still_running_is_409_and_changes_nothing(filled_cart):
    """The key row exists without an order (its request is still in its first transaction):
    claiming it fails on the unique index, which aborts the whole checkout transaction."""
    user, client, coffee, tea = filled_cart
    IdempotencyKey.objects.create(user=user, key="busy", request_hash="x")
    response = client.post("/api/orders/", checkout_body(), format="json", HTTP_IDEMPOTENCY_KEY="busy")
    assert response.status_code == 409
    assert response.json()["error"]["details"] == {"Idempotency-Key": "in progress"}
    assert not Order.objects.exists() and quantities(coffee, tea) == [10, 5]
    assert CartLine.objects.filter(cart__user=user).count() == 2
    assert IdempotencyKey.objects.get(user=user, key="busy").order is None


def test_keyed_request_that_fails_leaves_its_key_free(filled_cart):
    user, client, coffee, tea = filled_cart
    ProductVariant.objects.filter(product=coffee).update(quantity=1)
    failed = client.post("/api/orders/", checkout_body(), format="json", HTTP_IDEMPOTENCY_KEY="k-4")
    assert failed.status_code == 409 and not IdempotencyKey.objects.exists()
    ProductVariant.objects.filter(product=coffee).update(quantity=10)
    again = client.post("/api/orders/", checkout_body(), format="json", HTTP_IDEMPOTENCY_KEY="k-4")
    assert again.status_code == 201
    assert IdempotencyKey.objects.get(user=user, key="k-4").order.public_id == again.json()["id"]


def test_retry_after_a_declined_payment_replays_the_decline(filled_cart):
    _, client, coffee, _ = filled_cart
    first = client.post(
        "/api/orders/", checkout_body("tok_declined"), format="json", HTTP_IDEMPOTENCY_KEY="k-3"
    )
    again = client.post(
        "/api/orders/", checkout_body("tok_declined"), format="json", HTTP_IDEMPOTENCY_KEY="k-3"
    )
    assert (first.status_code, again.status_code) == (402, 402)
    assert first.json()["error"]["details"]["order_id"] == again.json()["error"]["details"]["order_id"]
    assert Order.objects.count() == 1 and quantities(coffee) == [10]


def test_overlong_idempotency_key_is_400(filled_cart):
    _, client, *_ = filled_cart
    response = client.post("/api/orders/", checkout_body(), format="json", HTTP_IDEMPOTENCY_KEY="k" * 256)
    assert response.status_code == 400 and "Idempotency-Key" in response.json()["error"]["details"]


def test_refused_mail_server_never_fails_checkout(
    filled_cart, settings, django_capture_on_commit_callbacks, caplog
):
    import socket

    with socket.socket() as probe:  # a port on which nothing listens: connections are refused
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", closed_port, 2
    _, client, *_ = filled_cart
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/api/orders/", checkout_body(), format="json")
    assert response.status_code == 201 and response.json()["status"] == "paid"
    assert any("email not sent" in r.message for r in caplog.records)


def _statements(captured) -> list[str]:
    """The captured statements' text (Django logs it for prepared statements too)."""
    return [q["sql"] for q in captured.captured_queries]


@pytest.mark.parametrize("lines", [1, 5, 20])
def test_checkout_query_budget(shopper, django_assert_max_num_queries, lines):
    _, client = shopper
    for product in ProductFactory.create_batch(lines, quantity=5):
        client.post("/api/cart/items/", {"product_id": product.public_id}, format="json")
    # constant part (auth, idempotency, cart, order, ledger, lines, events, analytics rollups,
    # payment phase 3) plus one UPDATE per distinct product; the response is built from the
    # rows the service wrote (no order, line or event is read back: issue #19); the outbox rows
    # (issue #14): order.created, the stock events (stock.low here), order.paid, one INSERT each
    # the pricing (issue #16, orders.pricing): the destination's tax rates, its shipping zone and
    # methods, the running promotions (the variants' tax classes come with their locked rows;
    # their categories are read only for a discount scoped by category)
    with django_assert_max_num_queries(28 + lines) as captured:
        response = client.post(
            "/api/orders/", checkout_body(), format="json", HTTP_IDEMPOTENCY_KEY=f"budget-{lines}"
        )
    assert response.status_code == 201
    assert len(response.json()["items"]) == lines and len(response.json()["timeline"]) == 2
    reads = [sql for sql in _statements(captured) if sql.lstrip().startswith("SELECT")]
    assert not [sql for sql in reads if "orders_order" in sql.split(" FROM ")[1].split()[0]]
    # the cart's lines are read without joining the products (pk in, pk out)
    assert not [sql for sql in reads if "cart_cartline" in sql and "catalog_product" in sql]


@pytest.mark.parametrize("lines", [1, 5])
def test_cancel_reads_the_order_once_under_its_lock(shopper, django_assert_max_num_queries, lines):
    """Cancel: the order is read once (locked, with its lines), its timeline once for the
    response; 404 for another user's order comes from that same locked read (issue #19)."""
    _, client = shopper
    for product in ProductFactory.create_batch(lines, quantity=5):
        client.post("/api/cart/items/", {"product_id": product.public_id}, format="json")
    order_id = client.post("/api/orders/", checkout_body(), format="json").json()["id"]
    # auth, savepoint, lock, lines, UPDATE, event, two rollups, one UPDATE per product, the
    # ledger, release, the refund's event, the timeline; the outbox (issue #14): the release's
    # read of the new quantities (stock.back_in), order.cancelled, the refund's savepoint pair
    # (its timeline row and order.refunded commit together), order.refunded
    with django_assert_max_num_queries(17 + lines) as captured:
        response = client.post(f"/api/orders/{order_id}/cancel/", format="json")
    assert response.status_code == 200 and response.json()["status"] == "cancelled"
    assert [event["to_status"] for event in response.json()["timeline"]][-2:] == ["cancelled", "cancelled"]
    read_prefix = f"SELECT {connection.ops.quote_name('orders_order')}."  # "…" or `…` (MariaDB)
    order_reads = [sql for sql in _statements(captured) if sql.lstrip().startswith(read_prefix)]
    assert len(order_reads) == 1 and "FOR UPDATE" in order_reads[0].upper() or connection.vendor == "sqlite"


class CancelledDuringCaptureGateway(TestGateway):
    """A gateway whose capture succeeds while, at that very moment, the customer cancels the
    pending order from another request (e.g. a second browser tab)."""

    refunds: list[str] = []

    def capture(self, authorization, request):
        order_transition(order_public_id=request.order_reference, to_status=OrderStatus.CANCELLED, actor=None)
        return super().capture(authorization, request)

    def refund(self, reference, amount, currency):
        type(self).refunds.append(reference)
        return super().refund(reference, amount, currency)


def test_order_cancelled_while_its_payment_is_taken_stays_cancelled_and_is_refunded(filled_cart, settings):
    user, client, coffee, tea = filled_cart
    settings.PAYMENT_GATEWAY = "tests.orders.test_checkout.CancelledDuringCaptureGateway"
    CancelledDuringCaptureGateway.refunds.clear()
    response = client.post("/api/orders/", checkout_body(), format="json")
    assert response.status_code == 409
    error = response.json()["error"]
    assert error["code"] == "INVALID_STATE" and error["details"]["status"] == "cancelled"
    order = Order.objects.get()
    assert order.status == OrderStatus.CANCELLED and error["details"]["order_id"] == order.public_id
    assert order.payment_reference.startswith("ch_")
    assert CancelledDuringCaptureGateway.refunds == [order.payment_reference]
    assert quantities(coffee, tea) == [10, 5]  # the cancellation gave the stock back, once
    assert sum(StockMovement.objects.filter(order=order).values_list("delta", flat=True)) == 0
    notes = list(order.events.order_by("pk").values_list("to_status", "note"))
    assert [status for status, _ in notes] == ["pending", "cancelled", "cancelled", "cancelled"]
    assert notes[2][1].startswith("payment captured after the order was cancelled")
    assert notes[3][1].startswith("refunded (re_")


class MarkedPaidDuringCaptureGateway(TestGateway):
    """An admin marks the pending order paid by hand while the gateway captures."""

    def capture(self, authorization, request):
        order_transition(order_public_id=request.order_reference, to_status=OrderStatus.PAID, actor=None)
        return super().capture(authorization, request)


def test_order_marked_paid_by_hand_during_capture_keeps_the_capture_on_record(filled_cart, settings):
    _, client, coffee, tea = filled_cart
    settings.PAYMENT_GATEWAY = "tests.orders.test_checkout.MarkedPaidDuringCaptureGateway"
    response = client.post("/api/orders/", checkout_body(), format="json")
    assert response.status_code == 201 and response.json()["status"] == "paid"
    order = Order.objects.get()
    assert order.payment_reference.startswith("ch_")
    assert order.events.order_by("pk").last().note == "payment captured; the order was already paid"
    assert quantities(coffee, tea) == [8, 4]
