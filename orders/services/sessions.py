"""Checkout sessions (``chk_…``): open one from a cart, set who and where and how, cancel it.

Completion is the shop checkout's (:func:`orders.services.checkout.checkout_complete`). A
session stores only what the buyer chose; its lines and amounts are the cart's, priced at each
read (``orders.selectors.checkout_get``). See ``docs/checkout.md``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from accounts.addresses import address_as_dict, address_validate
from accounts.selectors import address_get_for_user
from cart.models import Cart, CartLine
from discounts.selectors import vouchers_for_codes
from ecommerce.common.exceptions import InvalidRequest

from ..exceptions import CartEmpty, CheckoutExpired, CheckoutNotFound, InvalidState, ShippingUnavailable
from ..models import CheckoutSession, CheckoutStatus
from ..pricing import checkout_quote
from ..queries import checkout_session_lock
from ..selectors import CheckoutOwner, checkout_items, checkout_owned_in

UNSET: Any = object()


@dataclass(frozen=True)
class CheckoutChanges:
    """A PATCH: only the fields given change (``UNSET`` otherwise)."""

    email: Any = UNSET
    shipping_address: Any = UNSET
    shipping_address_id: Any = UNSET
    billing_address: Any = UNSET
    billing_address_id: Any = UNSET
    shipping_method_id: Any = UNSET
    discount_codes: Any = UNSET


def checkout_expires_at() -> Any:
    return timezone.now() + timedelta(minutes=settings.CHECKOUT_SESSION_TTL_MINUTES)


def checkout_create(*, owner: CheckoutOwner) -> CheckoutSession:
    """Open a session for the owner's cart (a user's, or the guest's): 400 ``CART_EMPTY`` when
    it has nothing to buy. A signed-in buyer's email is filled in."""
    cart_id = owner.cart_id
    if owner.user is not None:
        cart_id = Cart.objects.filter(user=owner.user).values_list("pk", flat=True).first()
    if cart_id is None or not CartLine.objects.filter(cart_id=cart_id, saved_for_later=False).exists():
        raise CartEmpty()
    return CheckoutSession.objects.create(
        user=owner.user,
        cart_id=cart_id,
        email=owner.user.email if owner.user is not None else "",
        expires_at=checkout_expires_at(),
    )


def checkout_lock(*, public_id: str, owner: CheckoutOwner) -> CheckoutSession:
    """The owner's session, locked, inside the caller's transaction: 404 for anyone else's;
    409 ``CHECKOUT_EXPIRED`` once expired or cancelled; 409 ``INVALID_STATE`` once completed."""
    session = checkout_session_lock(
        public_id=public_id, user_id=owner.user.pk if owner.user is not None else None, cart_id=owner.cart_id
    )
    if session is None:
        raise CheckoutNotFound()
    checkout_check_open(session)
    return session


def checkout_check_open(session: CheckoutSession) -> None:
    """Refuse a session that can no longer change (see :func:`checkout_lock`)."""
    if session.status == CheckoutStatus.COMPLETED:
        raise InvalidState(
            "This checkout session is completed.",
            details={"status": session.status, "order_id": _order_id(session)},
        )
    if session.status != CheckoutStatus.OPEN or session.expires_at <= timezone.now():
        raise CheckoutExpired(
            details={
                "status": CheckoutStatus.EXPIRED if session.status == CheckoutStatus.OPEN else session.status
            }
        )


def _order_id(session: CheckoutSession) -> str | None:
    return session.order.public_id if session.order_id is not None and session.order else None


def _address(value: Any, address_id: Any, *, owner: CheckoutOwner, field: str) -> dict[str, Any] | None:
    """The address a PATCH sets: an object (validated as the address book does) or an id from the
    owner's address book (guests have none). None when neither is given."""
    if value is not UNSET and address_id is not UNSET:
        raise InvalidRequest(details={f"{field}_id": f"give {field} or {field}_id, not both"})
    if address_id is not UNSET:
        if owner.user is None:
            raise InvalidRequest(details={f"{field}_id": "guests have no address book"})
        return address_as_dict(address_get_for_user(user=owner.user, public_id=str(address_id)))
    if value is not UNSET:
        if value is None:
            return {}
        if not isinstance(value, Mapping):
            raise InvalidRequest(details={field: "an address object"})
        return address_validate(value, prefix=f"{field}.")
    return None


def checkout_update(*, public_id: str, owner: CheckoutOwner, changes: CheckoutChanges) -> CheckoutSession:
    """Apply a PATCH, all or nothing: an address (or one from the book), the email, the
    shipping method (one of the methods available for the address: else 409
    ``SHIPPING_UNAVAILABLE``), the codes (each valid now: else 400 ``VOUCHER_INVALID``). The
    session's expiry moves forward with each change."""
    with transaction.atomic():
        session = checkout_lock(public_id=public_id, owner=owner)
        fields = ["expires_at", "updated_at"]
        if changes.email is not UNSET:
            session.email = str(changes.email or "")
            fields.append("email")
        shipping = _address(
            changes.shipping_address, changes.shipping_address_id, owner=owner, field="shipping_address"
        )
        if shipping is not None:
            session.shipping_address = shipping
            fields.append("shipping_address")
        billing = _address(
            changes.billing_address, changes.billing_address_id, owner=owner, field="billing_address"
        )
        if billing is not None:
            session.billing_address = billing
            fields.append("billing_address")
        if changes.discount_codes is not UNSET:
            codes = _codes(changes.discount_codes)
            vouchers_for_codes(codes=codes, at=timezone.now())
            session.discount_codes = [code.upper() for code in codes]
            fields.append("discount_codes")
        if changes.shipping_method_id is not UNSET:
            session.shipping_method_id = str(changes.shipping_method_id or "")
            fields.append("shipping_method_id")
        if session.shipping_method_id and ("shipping_method_id" in fields or "shipping_address" in fields):
            _check_method(session)
        session.expires_at = checkout_expires_at()
        session.save(update_fields=fields)
    return session


def _codes(value: Sequence[str]) -> list[str]:
    codes: list[str] = []
    for code in value:
        if code.upper() not in (known.upper() for known in codes):
            codes.append(code)
    return codes


def _check_method(session: CheckoutSession) -> None:
    """409 ``SHIPPING_UNAVAILABLE`` when the chosen method is not among those the address and
    the cart can have now."""
    quote = checkout_quote(
        items=checkout_items(session.cart_id),
        shipping_address=session.shipping_address,
        shipping_method_id=session.shipping_method_id,
        discount_codes=(),
        at=timezone.now(),
    )
    if quote.shipping_method is None:
        raise ShippingUnavailable(
            details={
                "shipping_method_id": session.shipping_method_id,
                "available": [method.method_id for method in quote.shipping_methods],
            }
        )


def checkout_cancel(*, public_id: str, owner: CheckoutOwner) -> None:
    """Cancel an open session (204); a completed one is 409 ``INVALID_STATE``; cancelling a
    cancelled or expired one changes nothing."""
    with transaction.atomic():
        session = checkout_owned_in(
            CheckoutSession.objects.select_for_update(), public_id=public_id, owner=owner
        )
        if session.status == CheckoutStatus.COMPLETED:
            raise InvalidState(
                "A completed checkout cannot be cancelled.", details={"status": session.status}
            )
        if session.status == CheckoutStatus.OPEN:
            session.status = CheckoutStatus.CANCELLED
            session.save(update_fields=["status", "updated_at"])


def checkout_sessions_expire(*, at: Any = None) -> int:
    """Mark open sessions past their expiry as expired (housekeeping); returns how many."""
    return CheckoutSession.objects.filter(
        status=CheckoutStatus.OPEN, expires_at__lte=at or timezone.now()
    ).update(status=CheckoutStatus.EXPIRED, updated_at=timezone.now())
