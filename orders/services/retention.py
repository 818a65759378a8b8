"""What the shop keeps and for how long, and whose it is: anonymising a deleted account's
orders, giving guest orders to the account that verifies their email, purging old idempotency
keys."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.utils import timezone

from accounts.models import User

from ..models import IdempotencyKey, Order, OrderChannel

ADDRESS_FIELDS_KEPT_ON_ANONYMISE = ("country",)


def order_anonymise_for_user(*, user: User) -> int:
    """Remove the personal data from ``user``'s orders (account deletion keeps the orders for
    the shop's books): the user link, email and customer reference go, and every address field
    but the country (kept for sales by country) is blanked. Run inside the deleting transaction.

    Returns how many orders were anonymised.
    """
    orders = list(
        Order.objects.select_for_update().filter(user=user).only("id", "shipping_address", "billing_address")
    )
    for order in orders:
        order.user = None
        order.customer_email = ""
        order.customer_ref = "deleted"
        order.shipping_address = _anonymised(order.shipping_address)
        order.billing_address = _anonymised(order.billing_address)
    Order.objects.bulk_update(
        orders, ["user", "customer_email", "customer_ref", "shipping_address", "billing_address"]
    )
    return len(orders)


def _anonymised(address: Any) -> dict[str, Any]:
    address = address if isinstance(address, dict) else {}
    return {key: (value if key in ADDRESS_FIELDS_KEPT_ON_ANONYMISE else "") for key, value in address.items()}


def orders_claim_for_user(*, user: User) -> int:
    """Guest orders placed with ``user``'s email join the account's history (the email was just
    proven to be theirs). Returns how many."""
    if not user.email:
        return 0
    return Order.objects.filter(
        user__isnull=True, channel=OrderChannel.SHOP, customer_email__iexact=user.email
    ).update(user=user, customer_ref=user.public_id, updated_at=timezone.now())


def orders_claim_for_user_receiver(sender: type[User], *, user: User, **kwargs: Any) -> None:
    """Receiver of :data:`accounts.signals.email_verified` (connected in ``OrdersConfig.ready``)."""
    orders_claim_for_user(user=user)


def order_anonymise_for_user_receiver(sender: type[User], *, user: User, **kwargs: Any) -> None:
    """Receiver of :data:`accounts.signals.user_deleting` (connected in ``OrdersConfig.ready``)."""
    order_anonymise_for_user(user=user)


def idempotency_keys_purge(*, older_than_hours: int | None = None) -> int:
    """Delete idempotency keys older than the retention (default ``IDEMPOTENCY_KEY_TTL_HOURS``)."""
    hours = older_than_hours if older_than_hours is not None else settings.IDEMPOTENCY_KEY_TTL_HOURS
    deleted, _ = IdempotencyKey.objects.filter(
        created_at__lt=timezone.now() - timedelta(hours=hours)
    ).delete()
    return deleted
