"""Checkouts that die after phase 1 (issue #18, item 12): a retry with the same Idempotency-Key
finishes them, and ``reconcile_pending_orders`` settles those nobody retries.

The fault here is a worker killed mid-checkout (gunicorn's worker timeout ends the worker with
``SystemExit``), injected by test gateways that stop the request at a chosen moment; it runs on
every database. ``test_checkout_faults.py`` injects the other fault, a database connection
killed after the capture, on PostgreSQL and MariaDB."""

from datetime import timedelta

import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from django.utils import timezone

from cart.models import CartLine
from catalog.models import Product, StockMovement
from orders.models import Order, OrderEvent, OrderStatus
from orders.payments import PaymentState, TestGateway
from orders.services import orders_pending_reconcile
from tests.helpers.orders import checkout_body

pytestmark = pytest.mark.django_db

TEST_GATEWAY = "orders.payments.TestGateway"
HERE = "tests.orders.test_checkout_recovery"


class WorkerKilledAfterCapture(TestGateway):
    """The money is taken, then the worker dies before phase 3."""

    def capture(self, authorization, request):
        super().capture(authorization, request)
        raise SystemExit(1)


class WorkerKilledAfterAuthorize(TestGateway):
    def capture(self, authorization, request):
        raise SystemExit(1)


class WorkerKilledBeforeAuthorize(TestGateway):
    def authorize(self, request):
        raise SystemExit(1)


def die_during_checkout(
    settings, client, gateway: str, key: str | None = "retry-1", token: str = "tok_ok"
) -> Order:
    """Run a checkout whose worker dies at the moment ``gateway`` chooses; the test gateway
    (same in-memory ledger) is configured again afterwards. Returns the pending order."""
    settings.PAYMENT_GATEWAY = f"{HERE}.{gateway}"
    headers = {"HTTP_IDEMPOTENCY_KEY": key} if key else {}
    with pytest.raises(SystemExit):
        client.post("/api/orders/", checkout_body(token), format="json", **headers)
    settings.PAYMENT_GATEWAY = TEST_GATEWAY
    order = Order.objects.get()
    assert order.status == OrderStatus.PENDING  # the fault happened: stock held, cart emptied
    return order


def age(order: Order, minutes: int = 60) -> None:
    Order.objects.filter(pk=order.pk).update(created_at=timezone.now() - timedelta(minutes=minutes))


def stock() -> list[int]:
    return list(Product.objects.order_by("pk").values_list("quantity", flat=True))


def paid_events(order: Order) -> int:
    return OrderEvent.objects.filter(order=order, to_status=OrderStatus.PAID).count()


def assert_failed_and_restored(order: Order, user, coffee, tea) -> None:
    order.refresh_from_db()
    assert order.status == OrderStatus.PAYMENT_FAILED and paid_events(order) == 0
    assert stock() == [10, 5]
    assert sum(StockMovement.objects.filter(order=order).values_list("delta", flat=True)) == 0
    assert sorted(
        CartLine.objects.filter(cart__user=user).values_list("variant__product_id", "quantity")
    ) == [
        (coffee.pk, 2),
        (tea.pk, 1),
    ]


# --- A retry with the key finishes the job ------------------------------------------------------


def test_retry_with_key_finishes_an_order_captured_before_the_worker_died(
    filled_cart, settings, django_capture_on_commit_callbacks
):
    user, client, coffee, tea = filled_cart
    order = die_during_checkout(settings, client, "WorkerKilledAfterCapture")
    assert stock() == [8, 4] and not CartLine.objects.filter(cart__user=user).exists()
    with django_capture_on_commit_callbacks(execute=True):
        retry = client.post("/api/orders/", checkout_body(), format="json", HTTP_IDEMPOTENCY_KEY="retry-1")
    assert retry.status_code == 200, retry.content
    assert retry.json()["id"] == order.public_id and retry.json()["status"] == "paid"
    order.refresh_from_db()
    assert order.payment_reference == TestGateway().lookup(order.public_id).capture != ""
    assert paid_events(order) == 1 and stock() == [8, 4]
    assert sum(StockMovement.objects.filter(order=order).values_list("delta", flat=True)) == -3
    assert not CartLine.objects.filter(cart__user=user).exists()
    assert len(mail.outbox) == 1  # the confirmation, once
    again = client.post("/api/orders/", checkout_body(), format="json", HTTP_IDEMPOTENCY_KEY="retry-1")
    assert again.status_code == 200 and again.json()["status"] == "paid" and paid_events(order) == 1


def test_retry_while_the_checkout_may_still_run_replays_it_then_captures_once_it_cannot(
    filled_cart, settings
):
    user, client, coffee, tea = filled_cart
    order = die_during_checkout(settings, client, "WorkerKilledAfterAuthorize")
    early = client.post("/api/orders/", checkout_body(), format="json", HTTP_IDEMPOTENCY_KEY="retry-1")
    assert early.status_code == 200 and early.json()["status"] == "pending"  # may still be running
    assert TestGateway().lookup(order.public_id).state == PaymentState.AUTHORIZED
    age(order, minutes=5)  # longer than any live checkout talks to the gateway
    late = client.post("/api/orders/", checkout_body(), format="json", HTTP_IDEMPOTENCY_KEY="retry-1")
    assert late.status_code == 200 and late.json()["status"] == "paid"
    at_gateway = TestGateway().lookup(order.public_id)
    assert at_gateway.state == PaymentState.CAPTURED
    order.refresh_from_db()
    assert order.payment_reference == at_gateway.capture and paid_events(order) == 1 and stock() == [8, 4]


def test_retry_charges_an_order_the_gateway_never_saw(filled_cart, settings):
    _, client, *_ = filled_cart
    order = die_during_checkout(settings, client, "WorkerKilledBeforeAuthorize")
    assert TestGateway().lookup(order.public_id).state == PaymentState.NONE
    age(order, minutes=5)
    retry = client.post("/api/orders/", checkout_body(), format="json", HTTP_IDEMPOTENCY_KEY="retry-1")
    assert retry.status_code == 200 and retry.json()["status"] == "paid"
    assert TestGateway().lookup(order.public_id).state == PaymentState.CAPTURED and stock() == [8, 4]


def test_retry_of_a_declined_capture_after_the_worker_died_fails_and_restores(filled_cart, settings):
    user, client, coffee, tea = filled_cart
    order = die_during_checkout(settings, client, "WorkerKilledAfterAuthorize", token="tok_capture_declined")
    age(order, minutes=5)
    retry = client.post(
        "/api/orders/", checkout_body("tok_capture_declined"), format="json", HTTP_IDEMPOTENCY_KEY="retry-1"
    )
    assert retry.status_code == 402 and retry.json()["error"]["details"]["payment"] == "capture_declined"
    assert TestGateway().lookup(order.public_id).state == PaymentState.FAILED  # voided
    assert_failed_and_restored(order, user, coffee, tea)


def test_retry_when_the_gateway_cannot_be_asked_is_503_and_keeps_the_order_pending(filled_cart, settings):
    _, client, *_ = filled_cart
    order = die_during_checkout(settings, client, "WorkerKilledAfterCapture")
    settings.PAYMENT_GATEWAY = "orders.payments_http.HttpPaymentGateway"
    settings.PAYMENT_GATEWAY_URL, settings.PAYMENT_GATEWAY_TIMEOUT = "http://127.0.0.1:9", 0.5  # refused
    retry = client.post("/api/orders/", checkout_body(), format="json", HTTP_IDEMPOTENCY_KEY="retry-1")
    assert retry.status_code == 503 and retry.json()["error"]["code"] == "SERVICE_UNAVAILABLE"
    assert retry.json()["error"]["details"] == {"payment": "pending", "order_id": order.public_id}
    order.refresh_from_db()
    assert order.status == OrderStatus.PENDING and stock() == [8, 4]


# --- reconcile_pending_orders -----------------------------------------------------------------


def test_reconcile_marks_an_order_captured_at_the_gateway_paid(filled_cart, settings):
    user, client, *_ = filled_cart
    order = die_during_checkout(settings, client, "WorkerKilledAfterCapture", key=None)
    age(order, minutes=settings.PENDING_ORDER_RECONCILE_AFTER_MINUTES + 1)
    call_command("reconcile_pending_orders")
    order.refresh_from_db()
    assert order.status == OrderStatus.PAID and paid_events(order) == 1
    assert order.payment_reference == TestGateway().lookup(order.public_id).capture != ""
    assert stock() == [8, 4] and not CartLine.objects.filter(cart__user=user).exists()
    assert orders_pending_reconcile().paid == []  # a second run has nothing left to do


def test_reconcile_voids_an_authorization_never_captured_and_fails_the_order(filled_cart, settings):
    user, client, coffee, tea = filled_cart
    order = die_during_checkout(settings, client, "WorkerKilledAfterAuthorize", key=None)
    age(order, minutes=settings.PENDING_ORDER_RECONCILE_AFTER_MINUTES + 1)
    report = orders_pending_reconcile()
    assert (report.paid, report.failed, report.pending) == ([], [order.public_id], [])
    assert TestGateway().lookup(order.public_id).state == PaymentState.FAILED  # voided
    assert_failed_and_restored(order, user, coffee, tea)


def test_reconcile_fails_an_order_the_gateway_never_saw(filled_cart, settings):
    user, client, coffee, tea = filled_cart
    order = die_during_checkout(settings, client, "WorkerKilledBeforeAuthorize", key="retry-2")
    age(order, minutes=settings.PENDING_ORDER_RECONCILE_AFTER_MINUTES + 1)
    call_command("reconcile_pending_orders")
    assert_failed_and_restored(order, user, coffee, tea)
    retry = client.post("/api/orders/", checkout_body(), format="json", HTTP_IDEMPOTENCY_KEY="retry-2")
    assert retry.status_code == 402  # the key now replays the failure; nothing is charged
    assert TestGateway().lookup(order.public_id).state == PaymentState.NONE


def test_reconcile_leaves_young_orders_alone(filled_cart, settings):
    _, client, *_ = filled_cart
    settings.PENDING_ORDER_RECONCILE_AFTER_MINUTES = 15
    order = die_during_checkout(settings, client, "WorkerKilledAfterAuthorize", key=None)
    age(order, minutes=10)
    assert orders_pending_reconcile() == orders_pending_reconcile(older_than=timedelta(minutes=20))
    assert orders_pending_reconcile().failed == []
    # even "--older-than-minutes 0" never touches a checkout that may still be running
    Order.objects.filter(pk=order.pk).update(created_at=timezone.now())
    call_command("reconcile_pending_orders", "--older-than-minutes", "0")
    order.refresh_from_db()
    assert order.status == OrderStatus.PENDING
    assert TestGateway().lookup(order.public_id).state == PaymentState.AUTHORIZED
    age(order, minutes=10)
    call_command("reconcile_pending_orders", "--older-than-minutes", "5")
    order.refresh_from_db()
    assert order.status == OrderStatus.PAYMENT_FAILED


def test_reconcile_with_the_gateway_down_keeps_orders_pending_and_exits_nonzero(filled_cart, settings):
    _, client, *_ = filled_cart
    order = die_during_checkout(settings, client, "WorkerKilledAfterCapture", key=None)
    age(order)
    settings.PAYMENT_GATEWAY = "orders.payments_http.HttpPaymentGateway"
    settings.PAYMENT_GATEWAY_URL, settings.PAYMENT_GATEWAY_TIMEOUT = "http://127.0.0.1:9", 0.5
    with pytest.raises(CommandError, match="1 pending orders could not be settled"):
        call_command("reconcile_pending_orders")
    order.refresh_from_db()
    assert order.status == OrderStatus.PENDING and stock() == [8, 4]


class ReconciledWhileAuthorizing(TestGateway):
    """Reconciliation fails the order (the gateway has no payment yet) while the checkout is
    still about to authorize: its capture then succeeds for an order already failed."""

    refunds: list[str] = []

    def authorize(self, request):
        orders_pending_reconcile(older_than=timedelta(0))
        return super().authorize(request)

    def refund(self, reference, amount, currency):
        type(self).refunds.append(reference)
        return super().refund(reference, amount, currency)


def test_money_captured_for_an_order_reconciled_as_failed_is_refunded(filled_cart, settings):
    user, client, coffee, tea = filled_cart
    settings.PAYMENT_GATEWAY = f"{HERE}.ReconciledWhileAuthorizing"
    settings.PAYMENT_GATEWAY_TIMEOUT = 0  # no in-flight grace: the race can happen
    ReconciledWhileAuthorizing.refunds.clear()
    response = client.post("/api/orders/", checkout_body(), format="json")
    assert response.status_code == 402
    order = Order.objects.get()
    assert order.status == OrderStatus.PAYMENT_FAILED and order.payment_reference.startswith("ch_")
    assert ReconciledWhileAuthorizing.refunds == [order.payment_reference]
    assert order.events.order_by("pk").last().note.startswith("refunded (re_")
    assert_failed_and_restored(order, user, coffee, tea)
