"""Deleting an account anonymises its orders through a hook (``accounts.signals.user_deleting``,
connected by ``orders`` in ``OrdersConfig.ready``): accounts never imports orders, and the
receivers run inside the deleting transaction, so a failing one leaves everything as it was."""

import pytest

from accounts.models import User
from accounts.services import user_delete
from accounts.signals import user_deleting
from orders.models import Order
from orders.services import order_anonymise_for_user_receiver
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "a-Long-and-Unusual-passphrase-42"


def _order_of(user: User) -> Order:
    return Order.objects.create(
        user=user,
        customer_ref=user.public_id,
        customer_email=user.email,
        currency="USD",
        subtotal="1.00",
        total_amount="1.00",
        shipping_address={"name": "Someone", "country": "NL"},
    )


def test_orders_subscribe_to_the_account_deletion_hook():
    assert order_anonymise_for_user_receiver in [ref() for _, ref, *_ in user_deleting.receivers]


def test_a_failing_receiver_rolls_the_deletion_and_the_anonymisation_back():
    user = UserFactory(password=PASSWORD)
    order = _order_of(user)

    def fail(sender, **kwargs):
        raise RuntimeError("a subscriber failed")

    user_deleting.connect(fail, dispatch_uid="test.fail")
    try:
        with pytest.raises(RuntimeError):
            user_delete(user=user, password=PASSWORD)
    finally:
        user_deleting.disconnect(dispatch_uid="test.fail")
    order.refresh_from_db()
    assert User.objects.filter(pk=user.pk).exists()
    assert order.user_id == user.pk and order.customer_email == user.email


def test_deleting_anonymises_through_the_hook():
    user = UserFactory(password=PASSWORD)
    order = _order_of(user)
    user_delete(user=user, password=PASSWORD)
    order.refresh_from_db()
    assert order.user_id is None and order.customer_ref == "deleted"
    assert order.shipping_address == {"name": "", "country": "NL"}
