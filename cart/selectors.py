"""Cart reads: the cart view with current prices, subtotal and item count in one pass."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings

from accounts.models import User
from catalog.models import Product, ProductVariant
from catalog.querysets import stock_total

from .models import CartLine


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
    lines = (
        CartLine.objects.filter(cart__user=user)
        .select_related("variant__product")
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
