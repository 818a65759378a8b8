"""Cart writes. Adding checks that the variant exists, can be bought and is in stock now.

Lines name variants. Clients name a line's variant by its id (``var_…``) or, for a product with
exactly one active variant, by the product's id (``prod_…``); a product with several is 400
``VARIANT_REQUIRED`` (``catalog.selectors.variant_resolve``).
"""

from __future__ import annotations

from collections.abc import Mapping

from django.db import transaction
from django.db.models import F, Q

from accounts.models import User
from catalog.exceptions import InsufficientStock, ProductDiscontinued, VariantRequired
from catalog.models import ProductVariant
from catalog.selectors import variant_resolve

from .exceptions import CartLineNotFound
from .models import Cart, CartLine
from .queries import cart_id_lock, cart_line_quantities, cart_lines_delete


def _cart_for_update(user: User) -> Cart:
    """The user's cart row, created if missing, locked so one user's cart writes serialise."""
    Cart.objects.get_or_create(user=user)
    return Cart.objects.select_for_update().get(user=user)


def _check_available(variant: ProductVariant, quantity: int, key: str) -> None:
    """409 when the product is discontinued, the variant inactive or short of ``quantity``;
    ``details`` name ``key``, the id the client used."""
    if variant.product.discontinued or not variant.is_active:
        raise ProductDiscontinued(details={key: "product is discontinued"})
    if variant.quantity < quantity:
        raise InsufficientStock(details={key: f"requested {quantity}, available {variant.quantity}"})


def cart_item_add(*, user: User, product_public_id: str, quantity: int) -> None:
    """Add ``quantity`` of a variant (named by its id, or its single-variant product's); an
    existing line (even one saved for later) grows and moves to the cart. 404 unknown, 400
    ``VARIANT_REQUIRED``; 409 discontinued or more than in stock."""
    variant = variant_resolve(public_id=product_public_id)
    with transaction.atomic():
        cart = _cart_for_update(user)
        line = CartLine.objects.filter(cart=cart, variant=variant).first()
        wanted = quantity + (line.quantity if line else 0)
        _check_available(variant, wanted, product_public_id)
        if line:
            line.quantity, line.saved_for_later = wanted, False
            line.save(update_fields=["quantity", "saved_for_later", "updated_at"])
        else:
            CartLine.objects.create(cart=cart, variant=variant, quantity=wanted)


def cart_item_update(*, user: User, product_public_id: str, quantity: int) -> None:
    """Set a cart line's quantity; 0 removes it. 409 when more than in stock."""
    with transaction.atomic():
        cart = _cart_for_update(user)
        line = _line(cart, product_public_id, saved_for_later=False)
        if quantity == 0:
            line.delete()
            return
        _check_available(line.variant, quantity, product_public_id)
        line.quantity = quantity
        line.save(update_fields=["quantity", "updated_at"])


def cart_item_remove(*, user: User, product_public_id: str) -> None:
    """Remove a variant from the cart or from the saved-for-later list."""
    with transaction.atomic():
        cart = _cart_for_update(user)
        lines = _lines_named(cart, product_public_id)
        if len(lines) > 1:
            raise VariantRequired(details={product_public_id: [line.variant.public_id for line in lines]})
        if not lines:
            raise CartLineNotFound()
        lines[0].delete()


def cart_item_save_for_later(*, user: User, product_public_id: str) -> None:
    """Move a cart line to the saved-for-later list."""
    with transaction.atomic():
        line = _line(_cart_for_update(user), product_public_id, saved_for_later=False)
        line.saved_for_later = True
        line.save(update_fields=["saved_for_later", "updated_at"])


def cart_item_move_to_cart(*, user: User, product_public_id: str) -> None:
    """Move a saved line back into the cart (checked like an add: 409 if not available)."""
    with transaction.atomic():
        line = _line(_cart_for_update(user), product_public_id, saved_for_later=True)
        _check_available(line.variant, line.quantity, product_public_id)
        line.saved_for_later = False
        line.save(update_fields=["saved_for_later", "updated_at"])


def cart_clear(*, user: User) -> None:
    """Empty the cart (the saved-for-later list is kept)."""
    CartLine.objects.filter(cart__user=user, saved_for_later=False).delete()


def _lines_named(cart: Cart, public_id: str, *, saved_for_later: bool | None = None) -> list[CartLine]:
    """The cart's lines of the variant ``public_id``, or of the product ``public_id``."""
    lines = CartLine.objects.select_related("variant__product").filter(
        Q(variant__public_id=public_id) | Q(variant__product__public_id=public_id), cart=cart
    )
    if saved_for_later is not None:
        lines = lines.filter(saved_for_later=saved_for_later)
    return list(lines.order_by("pk"))


def _line(cart: Cart, public_id: str, *, saved_for_later: bool) -> CartLine:
    lines = _lines_named(cart, public_id, saved_for_later=saved_for_later)
    if len(lines) > 1:
        raise VariantRequired(details={public_id: [line.variant.public_id for line in lines]})
    if not lines:
        raise CartLineNotFound(
            "This product is not in your saved list." if saved_for_later else None,
            details={"product_id": "not in this list"},
        )
    return lines[0]


# --- Checkout (called by orders) ------------------------------------------------------------------


def cart_checkout_lock(*, user_id: int) -> tuple[int | None, dict[int, int]]:
    """Lock the user's cart for a checkout, inside the caller's transaction: its id (None
    without a cart) and ``{variant pk: quantity}`` of its lines (not those saved for later),
    by variant. Two statements (``cart.queries``)."""
    cart_id = cart_id_lock(user_id)
    return cart_id, (cart_line_quantities(cart_id) if cart_id is not None else {})


def cart_checkout_empty(*, cart_id: int) -> None:
    """Empty a cart whose lines became an order (saved-for-later lines stay), in the checkout's
    transaction, under the lock of :func:`cart_checkout_lock`."""
    cart_lines_delete(cart_id)


def cart_lines_restore(*, user_id: int, quantities: Mapping[int, int]) -> None:
    """Put ``{variant pk: quantity}`` back into the user's cart (a failed payment gives an
    order's lines back), adding to lines added meanwhile (a line saved for later moves back to
    the cart)."""
    cart, _ = Cart.objects.get_or_create(user_id=user_id)
    existing = set(
        CartLine.objects.filter(cart=cart, variant_id__in=quantities).values_list("variant_id", flat=True)
    )
    for variant_id in existing:
        CartLine.objects.filter(cart=cart, variant_id=variant_id).update(
            quantity=F("quantity") + quantities[variant_id], saved_for_later=False
        )
    CartLine.objects.bulk_create(
        CartLine(cart=cart, variant_id=vid, quantity=qty)
        for vid, qty in quantities.items()
        if vid not in existing
    )
