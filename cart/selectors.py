"""Cart reads: the cart view with current prices, subtotal and item count in one pass; guest carts
by their token."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone

from accounts.models import User
from catalog.models import Product, ProductVariant
from catalog.querysets import stock_total

from .models import Cart, CartLine
from .tokens import cart_token_hash, cart_token_well_formed


@dataclass(frozen=True)
class CartItemView:
    """A cart line: the variant (with its product) at today's price."""

    variant: ProductVariant
    quantity: int

    @property
    def product(self) -> Product:
        return self.variant.product

    @property
    def unit_price(self) -> Decimal:
        return self.variant.price

    @property
    def line_total(self) -> Decimal:
        return self.variant.price * self.quantity


@dataclass(frozen=True)
class CartView:
    items: list[CartItemView] = field(default_factory=list)
    saved_for_later: list[CartItemView] = field(default_factory=list)
    currency: str = ""

    @property
    def subtotal(self) -> Decimal:
        return sum((item.line_total for item in self.items), Decimal("0.00"))

    @property
    def item_count(self) -> int:
        return sum(item.quantity for item in self.items)


def cart_get_for_user(*, user: User) -> CartView:
    """The user's cart (empty when none exists yet), with current variant prices and each
    product's total stock (its status). One query."""
    return _cart_view(CartLine.objects.filter(cart__user=user))


def cart_get(*, cart: Cart) -> CartView:
    """The cart ``cart`` (a guest's, or anyone's by row), as :func:`cart_get_for_user`. One query."""
    return _cart_view(CartLine.objects.filter(cart_id=cart.pk))


def _cart_view(lines: QuerySet[CartLine]) -> CartView:
    lines = (
        lines.select_related("variant__product")
        .annotate(product_quantity=stock_total("variant__product_id"))
        .order_by("created_at", "id")
    )
    items: list[CartItemView]
    saved: list[CartItemView]
    items, saved = [], []
    for line in lines:
        line.variant.product.quantity = line.product_quantity
        (saved if line.saved_for_later else items).append(CartItemView(line.variant, line.quantity))
    return CartView(items=items, saved_for_later=saved, currency=settings.SHOP_CURRENCY)


# --- Guest carts ----------------------------------------------------------------------------------


def guest_cart_expired_before() -> datetime:
    """Guest carts last changed before this instant are expired (``GUEST_CART_TTL_DAYS``)."""
    return timezone.now() - timedelta(days=settings.GUEST_CART_TTL_DAYS)


def cart_for_token(token: str) -> Cart | None:
    """The live guest cart whose token is ``token``, or None (unknown, malformed, or expired:
    not changed for ``GUEST_CART_TTL_DAYS``, even before the housekeeping removed it). One
    indexed query on the token's SHA-256; none for a value that cannot be a token."""
    if not cart_token_well_formed(token):
        return None
    return Cart.objects.filter(
        token_hash=cart_token_hash(token), user__isnull=True, updated_at__gte=guest_cart_expired_before()
    ).first()
