"""Guest access to an order: the token in the order's link (``?token=``).

A guest has no account to sign in with, so the order placed by a guest checkout is read with a
token: an HMAC of the order's public id under ``SECRET_KEY`` (Django's signing, salted for this
use). Nothing is stored; rotating the key through ``SECRET_KEY_FALLBACKS`` keeps old links
working until the old key is dropped.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.conf import settings
from django.core.signing import Signer
from django.utils.crypto import constant_time_compare

from .models import Order, OrderChannel

_SALT = "orders.guest-access"


def order_access_token(order_public_id: str) -> str:
    """The token that opens ``order_public_id`` without an account."""
    return Signer(salt=_SALT).signature(order_public_id)


def order_access_token_valid(order_public_id: str, token: str) -> bool:
    """Whether ``token`` opens the order (the current key, or one of the fallback keys)."""
    for key in [settings.SECRET_KEY, *settings.SECRET_KEY_FALLBACKS]:
        if constant_time_compare(token, Signer(key=key, salt=_SALT).signature(order_public_id)):
            return True
    return False


def is_guest_order(order: Order) -> bool:
    """A shop order placed without an account: no user, no customer reference (an account's
    orders keep its ``usr_…`` id, or ``deleted``), the guest's email."""
    return (
        order.user_id is None
        and order.channel == OrderChannel.SHOP
        and not order.customer_ref
        and bool(order.customer_email)
    )


def order_guest_link(order: Order) -> str:
    """Where a guest reads their order: ``FRONTEND_URL/orders/<id>?token=…`` when a front end is
    configured, else the API's ``SITE_URL/api/orders/<id>/?token=…``."""
    query = urlencode({"token": order_access_token(order.public_id)})
    if settings.FRONTEND_URL:
        return f"{settings.FRONTEND_URL}/orders/{order.public_id}?{query}"
    return f"{settings.SITE_URL}/api/orders/{order.public_id}/?{query}"
