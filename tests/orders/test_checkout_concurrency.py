"""Checkout under real concurrency (PostgreSQL and MariaDB; skipped on SQLite)."""

import pytest
from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import RefreshToken

from cart.models import CartLine
from catalog.models import Product, StockMovement
from orders.models import Order
from tests.factories import ProductFactory, UserFactory
from tests.helpers.analytics import live_state, rollup_state
from tests.helpers.concurrency import conflict_retries, requires_server_database, run_in_threads
from tests.helpers.orders import checkout_body

pytestmark = [pytest.mark.concurrency, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _checkout_limits_out_of_the_way(settings):
    """Dozens of checkouts from one test IP (and by one user): the limits are tested elsewhere."""
    settings.CHECKOUT_LIMIT_PER_USER = settings.CHECKOUT_LIMIT_PER_IP = (10_000, 600)


def client_for(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {RefreshToken.for_user(user).access_token}")
    return client


def test_fifty_buyers_ten_in_stock():
    requires_server_database()
    product = ProductFactory(quantity=10)
    users = UserFactory.create_batch(50)
    for user in users:
        CartLine.objects.create(cart=_cart(user), variant=product.variants.get(), quantity=1)

    def checkout(i):
        response = client_for(users[i]).post("/api/orders/", checkout_body(), format="json")
        return response.status_code, response.json()

    results = run_in_threads(checkout, 50)
    statuses = [r[0] for r in results if not isinstance(r, BaseException)]
    assert len(statuses) == 50, [r for r in results if isinstance(r, BaseException)]
    assert statuses.count(201) == 10
    assert statuses.count(409) == 40
    assert all(body["error"]["code"] == "INSUFFICIENT_STOCK" for code, body in results if code == 409)
    assert Product.objects.get(pk=product.pk).quantity == 0
    assert Order.objects.count() == 10
    losers = {users[i].pk for i, r in enumerate(results) if r[0] == 409}
    assert (
        set(CartLine.objects.filter(cart__user_id__in=losers).values_list("cart__user_id", flat=True))
        == losers
    )
    assert sum(StockMovement.objects.values_list("delta", flat=True)) == -10
    assert rollup_state() == live_state()  # analytics counters: no lost update under load


def _cart(user):
    from cart.models import Cart

    return Cart.objects.create(user=user)


def test_opposite_line_orders_both_finish():
    requires_server_database()
    a, b = ProductFactory(quantity=100), ProductFactory(quantity=100)
    users = UserFactory.create_batch(10)
    for i, user in enumerate(users):
        cart = _cart(user)
        first, second = (a, b) if i % 2 else (b, a)
        CartLine.objects.create(cart=cart, variant=first.variants.get(), quantity=1)
        CartLine.objects.create(cart=cart, variant=second.variants.get(), quantity=1)

    def checkout(i):
        return client_for(users[i]).post("/api/orders/", checkout_body(), format="json").status_code

    with conflict_retries() as retries:
        assert run_in_threads(checkout, 10) == [201] * 10
    assert retries == [], "a deadlock was retried: rows are not locked in one order"
    assert [p.quantity for p in Product.objects.filter(pk__in=[a.pk, b.pk]).order_by("pk")] == [90, 90]
    assert rollup_state() == live_state()


def test_twenty_requests_one_idempotency_key_make_one_order():
    requires_server_database()
    product = ProductFactory(quantity=100)
    user = UserFactory()
    CartLine.objects.create(cart=_cart(user), variant=product.variants.get(), quantity=3)
    token = str(RefreshToken.for_user(user).access_token)

    def checkout(_):
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
        response = client.post(
            "/api/orders/", checkout_body(), format="json", HTTP_IDEMPOTENCY_KEY="same-key"
        )
        return response.status_code, response.json().get("id")

    results = run_in_threads(checkout, 20)
    assert all(not isinstance(r, BaseException) for r in results), results
    assert sorted(code for code, _ in results) == [200] * 19 + [201]
    assert len({order_id for _, order_id in results}) == 1
    assert Order.objects.count() == 1
    assert Product.objects.get(pk=product.pk).quantity == 97
