"""Stock per variant under real concurrency (PostgreSQL and MariaDB; skipped on SQLite): two
buyers of two variants of one product never wait for each other, and fifty buyers of the last
units of one variant never oversell it."""

import threading

import pytest
from django.db import connections, transaction
from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import RefreshToken

from cart.models import Cart, CartLine
from catalog.models import Product, ProductVariant, StockMovement
from catalog.services import product_create
from catalog.stock import stock_take
from orders.models import Order
from tests.factories import UserFactory
from tests.helpers.concurrency import requires_server_database, run_in_threads
from tests.helpers.orders import checkout_body

pytestmark = [pytest.mark.concurrency, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _checkout_limits_out_of_the_way(settings):
    settings.CHECKOUT_LIMIT_PER_USER = settings.CHECKOUT_LIMIT_PER_IP = (10_000, 600)


def _tee(small: int, large: int) -> tuple[Product, ProductVariant, ProductVariant]:
    product = product_create(
        name="Tee",
        options=["size"],
        variants=[
            {"options": {"size": "S"}, "price": "10.00", "quantity": small},
            {"options": {"size": "L"}, "price": "12.00", "quantity": large},
        ],
    )
    s, large_variant = product.variants.order_by("position", "id")
    return product, s, large_variant


def _client(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {RefreshToken.for_user(user).access_token}")
    return client


def test_a_buyer_of_one_variant_never_waits_for_a_buyer_of_another():
    """One session has taken variant S (its row locked, its ledger row written, uncommitted):
    a whole checkout of variant L of the same product completes meanwhile."""
    requires_server_database()
    product, s, large = _tee(5, 5)
    buyer = UserFactory()
    CartLine.objects.create(cart=Cart.objects.create(user=buyer), variant=large, quantity=2)
    holding, release = threading.Event(), threading.Event()

    def hold_small() -> None:
        try:
            with transaction.atomic():
                stock_take(variant_quantities={s.pk: 1})
                holding.set()
                release.wait(30)
        finally:
            connections.close_all()

    outcome: dict[str, object] = {}

    def checkout_large() -> None:
        try:
            outcome["status"] = (
                _client(buyer).post("/api/orders/", checkout_body(), format="json").status_code
            )
        except BaseException as exc:  # noqa: BLE001 - reported by the test
            outcome["error"] = exc
        finally:
            connections.close_all()

    holder = threading.Thread(target=hold_small)
    holder.start()
    assert holding.wait(10)
    checkout = threading.Thread(target=checkout_large)
    checkout.start()
    checkout.join(15)
    finished = not checkout.is_alive()
    release.set()
    holder.join(30)
    checkout.join(30)
    assert finished, "the checkout of variant L waited for the session holding variant S"
    assert outcome == {"status": 201}
    assert list(
        ProductVariant.objects.filter(product=product).order_by("pk").values_list("quantity", flat=True)
    ) == [
        4,
        3,
    ]
    assert Product.objects.get(pk=product.pk).quantity == 7


def test_fifty_buyers_of_the_last_units_of_one_variant_never_oversell():
    requires_server_database()
    product, s, large = _tee(10, 7)
    users = UserFactory.create_batch(50)
    for user in users:
        CartLine.objects.create(cart=Cart.objects.create(user=user), variant=s, quantity=1)

    def checkout(i: int) -> int:
        return _client(users[i]).post("/api/orders/", checkout_body(), format="json").status_code

    results = run_in_threads(checkout, 50)
    assert [r for r in results if isinstance(r, BaseException)] == []
    assert results.count(201) == 10 and results.count(409) == 40
    s.refresh_from_db(), large.refresh_from_db()
    assert (s.quantity, large.quantity) == (0, 7)
    assert Order.objects.count() == 10
    # the ledger: the opening +10, then one -1 per sale
    assert sorted(StockMovement.objects.filter(variant=s).values_list("delta", flat=True)) == [-1] * 10 + [10]
    assert not StockMovement.objects.filter(variant=large).exclude(reason="adjustment").exists()
    assert set(Order.objects.values_list("lines__sku", flat=True)) == {s.sku}
