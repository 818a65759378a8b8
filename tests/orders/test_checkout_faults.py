"""The database connection dies after the gateway captured the money (checkout phase 3), on a
real server (gunicorn, persistent connections) talking to the fake provider; PostgreSQL and
MariaDB only (issue #18, item 12). The provider kills the shop's database sessions at the
chosen moment, as ``tests/common/test_faults.py`` kills them between requests."""

import json
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from datetime import timedelta

import pytest
from django.db import connection, connections
from django.utils import timezone
from rest_framework_simplejwt.tokens import RefreshToken

from cart.models import Cart, CartLine
from catalog.models import Product
from orders.models import Order, OrderEvent, OrderStatus
from orders.services import orders_pending_reconcile
from tests.factories import ProductFactory, UserFactory
from tests.helpers import ROOT
from tests.helpers.concurrency import requires_server_database
from tests.helpers.orders import checkout_body
from tests.helpers.servers import database_url as _database_url
from tests.helpers.servers import free_port as _free_port
from tests.helpers.servers import kill_other_connections as _kill_other_connections

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def psp_timeout() -> float:
    return 5


@pytest.fixture
def shop(transactional_db, psp):
    """gunicorn (one worker, persistent DB connections) serving the test database, paying
    through the fake provider."""
    requires_server_database("SQLite has no server connection to kill")
    port = _free_port()
    env = {**os.environ, "DATABASE_URL": _database_url(), "DJANGO_SETTINGS_MODULE": "ecommerce.settings.test",
           "CONN_MAX_AGE": "600", "LOG_LEVEL": "CRITICAL",
           "PAYMENT_GATEWAY": "orders.payments_http.HttpPaymentGateway", "PAYMENT_GATEWAY_URL": psp.url,
           "PAYMENT_GATEWAY_API_KEY": "sk_test_secret", "PAYMENT_GATEWAY_TIMEOUT": "5"}  # fmt: skip
    process = subprocess.Popen(  # noqa: S603 - fixed arguments
        [sys.executable, "-m", "gunicorn", "ecommerce.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", "1"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            urllib.request.urlopen(f"{url}/api/health/", timeout=1)  # noqa: S310
            break
        except OSError:
            time.sleep(0.1)
    yield url
    process.terminate()
    process.wait(10)


@pytest.fixture
def buyer():
    """A user with 2 × coffee (10 in stock) and 1 × tea (5) in the cart, and a bearer token."""
    user = UserFactory()
    coffee = ProductFactory(name="Coffee", price="15.99", quantity=10)
    tea = ProductFactory(name="Tea", price="12.99", quantity=5)
    cart = Cart.objects.create(user=user)
    CartLine.objects.create(cart=cart, variant=coffee.variants.get(), quantity=2)
    CartLine.objects.create(cart=cart, variant=tea.variants.get(), quantity=1)
    return user, str(RefreshToken.for_user(user).access_token), coffee, tea


def checkout(url: str, token: str, key: str, card: str = "tok_ok") -> tuple[int, dict]:
    request = urllib.request.Request(  # noqa: S310 - the test server
        f"{url}/api/orders/",
        data=json.dumps(checkout_body(card)).encode(),
        headers={
            "Content-Type": "application/json",
            "Authorization": f"Bearer {token}",
            "Idempotency-Key": key,
        },
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"{}")


def kill_shop_connections() -> None:
    """Run in the provider's thread: terminate every other session on the test database."""
    try:
        assert _kill_other_connections() >= 1
    finally:
        connection.close()


def checkout_with_connection_killed(psp, url, token, *, at: str, card: str = "tok_ok") -> Order:
    """A checkout during which the provider kills the shop's database sessions just before
    answering ``at``; returns the order it left pending (its request ended in a 5xx)."""
    connections.close_all()  # this thread holds no session that the kill would take down
    psp.hooks[at] = kill_shop_connections
    status, _ = checkout(url, token, "fault-1", card)
    psp.hooks.clear()
    assert status >= 500
    order = Order.objects.get()
    assert order.status == OrderStatus.PENDING
    return order


def stock() -> list[int]:
    return list(Product.objects.order_by("pk").values_list("quantity", flat=True))


def test_connection_killed_after_capture_then_retry_with_key_finishes_the_order(shop, psp, buyer):
    user, token, coffee, tea = buyer
    order = checkout_with_connection_killed(psp, shop, token, at="/capture")
    assert psp.state(order.public_id) == "captured"
    assert stock() == [8, 4] and not CartLine.objects.filter(cart__user=user).exists()

    status, body = checkout(shop, token, "fault-1")
    assert (status, body["id"], body["status"]) == (200, order.public_id, "paid")
    order.refresh_from_db()
    assert (
        order.status == OrderStatus.PAID
        and order.payment_reference == psp.payments[order.public_id]["capture"]
    )
    assert OrderEvent.objects.filter(order=order, to_status=OrderStatus.PAID).count() == 1
    assert [path for path, _, _ in psp.requests].count("/capture") == 1  # charged once
    assert stock() == [8, 4]


def test_connection_killed_after_capture_then_reconcile_marks_paid(shop, psp, buyer):
    user, token, coffee, tea = buyer
    order = checkout_with_connection_killed(psp, shop, token, at="/capture")
    Order.objects.filter(pk=order.pk).update(created_at=timezone.now() - timedelta(hours=1))
    report = orders_pending_reconcile()
    assert (report.paid, report.failed, report.pending) == ([order.public_id], [], [])
    order.refresh_from_db()
    assert (
        order.status == OrderStatus.PAID
        and order.payment_reference == psp.payments[order.public_id]["capture"]
    )
    assert stock() == [8, 4] and not CartLine.objects.filter(cart__user=user).exists()


@pytest.mark.parametrize("case", ["authorization_declined", "capture_declined", "authorized_only"])
def test_connection_killed_before_payment_then_reconcile_fails_and_restores(shop, psp, buyer, case):
    user, token, coffee, tea = buyer
    if case == "authorization_declined":
        order = checkout_with_connection_killed(psp, shop, token, at="/authorize", card="tok_declined")
        assert psp.state(order.public_id) == "declined"
    elif case == "capture_declined":
        psp.decline_captures = True
        order = checkout_with_connection_killed(psp, shop, token, at="/capture")
        assert psp.state(order.public_id) == "voided"
    else:  # the provider also fails the capture, the void and the lookup: 503, pending
        psp.fail_with, psp.fail_paths = 500, {"/capture", "/void", "/payments/"}
        order = checkout_with_connection_killed(psp, shop, token, at="/capture")
        psp.fail_with = None
        assert psp.state(order.public_id) == "authorized"
    Order.objects.filter(pk=order.pk).update(created_at=timezone.now() - timedelta(hours=1))
    report = orders_pending_reconcile()
    assert (report.paid, report.failed, report.pending) == ([], [order.public_id], [])
    order.refresh_from_db()
    assert order.status == OrderStatus.PAYMENT_FAILED
    assert not OrderEvent.objects.filter(order=order, to_status=OrderStatus.PAID).exists()
    assert psp.state(order.public_id) in ("declined", "voided")
    assert stock() == [10, 5]
    assert sorted(
        CartLine.objects.filter(cart__user=user).values_list("variant__product_id", "quantity")
    ) == [
        (coffee.pk, 2),
        (tea.pk, 1),
    ]
