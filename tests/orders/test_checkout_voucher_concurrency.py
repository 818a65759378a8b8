"""A voucher's usage limit under real concurrency: fifty buyers complete their checkout sessions
at once with a code limited to ten uses (PostgreSQL and MariaDB; skipped on SQLite)."""

from decimal import Decimal

import pytest
from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import RefreshToken

from cart.models import Cart, CartLine
from catalog.models import ProductVariant
from discounts.models import Voucher, VoucherUse
from discounts.services import voucher_create
from orders.models import CheckoutSession, Order
from orders.selectors import CheckoutOwner
from orders.services.sessions import checkout_create
from shipping.services import shipping_zone_create
from taxes.models import TaxRate
from tests.factories import ProductFactory, UserFactory
from tests.helpers.concurrency import conflict_retries, requires_server_database, run_in_threads

pytestmark = [pytest.mark.concurrency, pytest.mark.django_db(transaction=True)]
ADDRESS = {
    "name": "Ada",
    "line1": "Invalidenstr. 1",
    "city": "Berlin",
    "postal_code": "10115",
    "country": "DE",
}


@pytest.fixture(autouse=True)
def _checkout_limits_out_of_the_way(settings):
    settings.CHECKOUT_LIMIT_PER_USER = settings.CHECKOUT_LIMIT_PER_IP = (10_000, 600)


def test_fifty_completions_with_a_voucher_limited_to_ten_give_exactly_ten_orders():
    requires_server_database()
    zone = shipping_zone_create(
        name="Germany",
        countries=["DE"],
        methods=[{"name": "Standard", "price": Decimal("4.90"), "min_days": 1, "max_days": 3}],
    )
    method = zone.methods.get().public_id
    TaxRate.objects.create(country="DE", tax_class="standard", rate=Decimal("19.00"))
    voucher_create(data={"code": "TEN", "kind": "percentage", "value": Decimal("10"), "usage_limit": 10})
    product = ProductFactory(quantity=100, price=Decimal("20.00"))
    variant = product.variants.get()
    users = UserFactory.create_batch(50)
    sessions = []
    for user in users:
        cart = Cart.objects.create(user=user)
        CartLine.objects.create(cart=cart, variant=variant, quantity=1)
        session = checkout_create(owner=CheckoutOwner(user=user, cart_id=None))
        CheckoutSession.objects.filter(pk=session.pk).update(
            shipping_address=ADDRESS, shipping_method_id=method, discount_codes=["TEN"]
        )
        sessions.append(session.public_id)

    def complete(i):
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {RefreshToken.for_user(users[i]).access_token}")
        response = client.post(
            f"/api/checkout/{sessions[i]}/complete",
            {"payment": {"method": "card", "token": "tok_ok"}},
            format="json",
        )
        return response.status_code, response.json()

    with conflict_retries() as retries:
        results = run_in_threads(complete, 50)
    outcomes = [r for r in results if not isinstance(r, BaseException)]
    assert len(outcomes) == 50, [r for r in results if isinstance(r, BaseException)]
    assert [code for code, _ in outcomes].count(201) == 10
    refused = [body for code, body in outcomes if code != 201]
    assert len(refused) == 40 and all(body["error"]["code"] == "VOUCHER_EXHAUSTED" for body in refused)
    assert not retries  # the voucher's row lock orders the buyers; no deadlock was retried away
    assert Voucher.objects.get(code="TEN").used_count == 10
    assert VoucherUse.objects.filter(released_at__isnull=True).count() == 10
    orders = list(Order.objects.all())
    assert len(orders) == 10 and all(order.discount_codes == ["TEN"] for order in orders)
    assert ProductVariant.objects.get(pk=variant.pk).quantity == 90  # the refused took nothing
    losers = {users[i].pk for i, r in enumerate(outcomes) if r[0] != 201}
    assert CartLine.objects.filter(cart__user_id__in=losers).count() == 40  # their carts are kept
