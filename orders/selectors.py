"""Order reads: a user's own orders (others' are simply not found); admins see all. Checkout
sessions: their owner's (a user, or a guest holding the cart's token), priced as they are now."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from accounts.models import User
from accounts.permissions import is_admin
from cart.models import CartLine
from ecommerce.common.exceptions import ErrorCode
from pricing.types import LinePrice

from .access import is_guest_order, order_access_token_valid
from .exceptions import CheckoutNotFound, OrderNotFound
from .models import CheckoutSession, CheckoutStatus, Order, OrderEvent, OrderLine
from .pricing import CheckoutMessage, CheckoutQuote, PricingItem, checkout_quote


def _with_details(queryset: QuerySet[Order]) -> QuerySet[Order]:
    return queryset.select_related("user").prefetch_related(
        Prefetch("lines", queryset=OrderLine.objects.order_by("id")),
        Prefetch("events", queryset=OrderEvent.objects.order_by("created_at", "id")),
    )


def order_list_for_user(
    *, user: User, user_public_id: str | None = None, status: str | None = None
) -> QuerySet[Order]:
    """Newest first. A customer sees their own orders; an admin sees all and may filter by
    ``user_public_id`` and ``status``."""
    queryset = Order.objects.order_by("-created_at", "-id")
    if is_admin(user):
        if user_public_id:
            queryset = queryset.filter(user__public_id=user_public_id)
    else:
        queryset = queryset.filter(user=user)
    if status:
        queryset = queryset.filter(status=status)
    return _with_details(queryset)


def order_get_for_guest(*, order_public_id: str, token: str) -> Order:
    """A guest's order, opened by its access token (``orders.access``); 404 ``ORDER_NOT_FOUND``
    for a wrong token, an unknown order, or an order that is not a guest's."""
    if not token or not order_access_token_valid(order_public_id, token):
        raise OrderNotFound()
    order = _with_details(Order.objects.filter(public_id=order_public_id, user__isnull=True)).first()
    if order is None or not is_guest_order(order):
        raise OrderNotFound()
    return order


def order_get_for_user(*, user: User, order_public_id: str) -> Order:
    """One order the user may see; another user's order raises :class:`OrderNotFound` (404)."""
    queryset = Order.objects.filter(public_id=order_public_id)
    if not is_admin(user):
        queryset = queryset.filter(user=user)
    order = _with_details(queryset).first()
    if order is None:
        raise OrderNotFound()
    return order


# --- Checkout sessions -----------------------------------------------------------------------


@dataclass(frozen=True)
class CheckoutOwner:
    """Who acts on a session: a signed-in user, or a guest holding a cart's token."""

    user: User | None
    cart_id: int | None


def checkout_owned_in(
    queryset: QuerySet[CheckoutSession], *, public_id: str, owner: CheckoutOwner
) -> CheckoutSession:
    """The owner's session ``public_id`` from ``queryset``: 404 ``NOT_FOUND`` for anyone else's
    (a user's sessions are theirs; a guest's are those of the cart whose token they hold)."""
    if owner.user is not None:
        queryset = queryset.filter(user=owner.user)
    elif owner.cart_id is not None:
        queryset = queryset.filter(user__isnull=True, cart_id=owner.cart_id)
    else:
        raise CheckoutNotFound()
    session = queryset.filter(public_id=public_id).first()
    if session is None:
        raise CheckoutNotFound()
    return session


def checkout_owned(*, public_id: str, owner: CheckoutOwner) -> CheckoutSession:
    """The owner's session, not locked (see :func:`checkout_owned_in`)."""
    return checkout_owned_in(
        CheckoutSession.objects.select_related("order"), public_id=public_id, owner=owner
    )


def checkout_items(cart_id: int | None) -> list[PricingItem]:
    """The cart's lines (not those saved for later) as the pricing takes them, at today's prices."""
    if cart_id is None:
        return []
    rows = (
        CartLine.objects.filter(cart_id=cart_id, saved_for_later=False)
        .order_by("created_at", "id")
        .values_list(
            "variant_id",
            "variant__public_id",
            "variant__product__public_id",
            "quantity",
            "variant__price",
            "variant__tax_class",
            "variant__weight_grams",
        )
    )
    return [PricingItem(*row) for row in rows]


@dataclass(frozen=True)
class CheckoutLineView:
    """A session's line: what is bought (as the catalog has it now) and its price."""

    variant_id: str
    product_id: str
    name: str
    sku: str
    options: dict[str, Any]
    quantity: int
    unit_price: Decimal
    price: LinePrice


@dataclass(frozen=True)
class CheckoutView:
    """A session as its owner reads it: the lines and amounts of its cart now, the methods the
    address can have, and what blocks completion."""

    session: CheckoutSession
    status: str
    lines: list[CheckoutLineView]
    quote: CheckoutQuote
    messages: list[CheckoutMessage]

    @property
    def order_id(self) -> str | None:
        order = self.session.order if self.session.order_id is not None else None
        return order.public_id if order is not None else None


def checkout_status(session: CheckoutSession, *, at: datetime | None = None) -> str:
    """The session's status, ``expired`` once past its expiry even before housekeeping marks it."""
    if session.status == CheckoutStatus.OPEN and session.expires_at <= (at or timezone.now()):
        return CheckoutStatus.EXPIRED
    return session.status


def checkout_view(session: CheckoutSession, *, at: datetime | None = None) -> CheckoutView:
    """Price the session's cart as it is now (``orders.pricing``); a constant number of queries
    (the cart's lines with their variants, the rates, the methods, the promotions, one per code,
    the categories when a discount is scoped by category)."""
    now = at or timezone.now()
    lines = (
        list(
            CartLine.objects.filter(cart_id=session.cart_id, saved_for_later=False)
            .select_related("variant__product")
            .order_by("created_at", "id")
        )
        if session.cart_id is not None
        else []
    )
    items = [
        PricingItem(
            line.variant_id,
            line.variant.public_id,
            line.variant.product.public_id,
            line.quantity,
            line.variant.price,
            line.variant.tax_class,
            line.variant.weight_grams,
        )
        for line in lines
    ]
    quote = checkout_quote(
        items=items,
        shipping_address=session.shipping_address,
        shipping_method_id=session.shipping_method_id,
        discount_codes=session.discount_codes,
        at=now,
    )
    messages = list(quote.messages)
    if not session.email:
        messages.append(
            CheckoutMessage(ErrorCode.INVALID_REQUEST, "An email address is required.", {"email": "required"})
        )
    if not lines:
        messages.append(CheckoutMessage(ErrorCode.CART_EMPTY, "The cart is empty.", {}))
    for line in lines:
        variant = line.variant
        if variant.product.discontinued or not variant.is_active:
            messages.append(
                CheckoutMessage(
                    ErrorCode.PRODUCT_DISCONTINUED,
                    "This product is no longer sold.",
                    {variant.public_id: "product is discontinued"},
                )
            )
        elif variant.quantity < line.quantity:
            messages.append(
                CheckoutMessage(
                    ErrorCode.INSUFFICIENT_STOCK,
                    "Not enough in stock.",
                    {variant.public_id: f"requested {line.quantity}, available {variant.quantity}"},
                )
            )
    prices = {price.key: price for price in quote.pricing.lines}
    views = [
        CheckoutLineView(
            variant_id=line.variant.public_id,
            product_id=line.variant.product.public_id,
            name=line.variant.product.name,
            sku=line.variant.sku,
            options=dict(line.variant.options or {}),
            quantity=line.quantity,
            unit_price=line.variant.price,
            price=prices[line.variant.public_id],
        )
        for line in lines
    ]
    return CheckoutView(
        session=session, status=checkout_status(session, at=now), lines=views, quote=quote, messages=messages
    )


def checkout_get(*, public_id: str, owner: CheckoutOwner) -> CheckoutView:
    """The owner's session, priced now (404 for anyone else's)."""
    return checkout_view(checkout_owned(public_id=public_id, owner=owner))
