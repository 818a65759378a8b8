"""Cart writes. Adding checks that the product exists, can be bought and is in stock now."""

from __future__ import annotations

from collections.abc import Mapping

from django.db import transaction
from django.db.models import F

from accounts.models import User
from catalog.exceptions import InsufficientStock, ProductDiscontinued, ProductNotFound
from catalog.models import Product

from .exceptions import CartLineNotFound
from .models import Cart, CartLine
from .queries import cart_id_lock, cart_line_quantities, cart_lines_delete


def _cart_for_update(user: User) -> Cart:
    """The user's cart row, created if missing, locked so one user's cart writes serialise."""
    Cart.objects.get_or_create(user=user)
    return Cart.objects.select_for_update().get(user=user)


def _check_available(product: Product, quantity: int) -> None:
    if product.discontinued:
        raise ProductDiscontinued(details={product.public_id: "product is discontinued"})
    if product.quantity < quantity:
        raise InsufficientStock(
            details={product.public_id: f"requested {quantity}, available {product.quantity}"}
        )


def _product(product_public_id: str) -> Product:
    try:
        return Product.objects.get(public_id=product_public_id)
    except Product.DoesNotExist:
        raise ProductNotFound(details={"product_id": "product not found"}) from None


def cart_item_add(*, user: User, product_public_id: str, quantity: int) -> None:
    """Add ``quantity`` of a product; an existing line (even one saved for later) grows and
    moves to the cart. 404 unknown product; 409 discontinued or more than in stock."""
    product = _product(product_public_id)
    with transaction.atomic():
        cart = _cart_for_update(user)
        line = CartLine.objects.filter(cart=cart, product=product).first()
        wanted = quantity + (line.quantity if line else 0)
        _check_available(product, wanted)
        if line:
            line.quantity, line.saved_for_later = wanted, False
            line.save(update_fields=["quantity", "saved_for_later", "updated_at"])
        else:
            CartLine.objects.create(cart=cart, product=product, quantity=wanted)


def cart_item_update(*, user: User, product_public_id: str, quantity: int) -> None:
    """Set a cart line's quantity; 0 removes it. 409 when more than in stock."""
    with transaction.atomic():
        cart = _cart_for_update(user)
        line = _line(cart, product_public_id, saved_for_later=False)
        if quantity == 0:
            line.delete()
            return
        _check_available(line.product, quantity)
        line.quantity = quantity
        line.save(update_fields=["quantity", "updated_at"])


def cart_item_remove(*, user: User, product_public_id: str) -> None:
    """Remove a product from the cart or from the saved-for-later list."""
    with transaction.atomic():
        cart = _cart_for_update(user)
        deleted, _ = CartLine.objects.filter(cart=cart, product__public_id=product_public_id).delete()
        if not deleted:
            raise CartLineNotFound()


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
        _check_available(line.product, line.quantity)
        line.saved_for_later = False
        line.save(update_fields=["saved_for_later", "updated_at"])


def cart_clear(*, user: User) -> None:
    """Empty the cart (the saved-for-later list is kept)."""
    CartLine.objects.filter(cart__user=user, saved_for_later=False).delete()


def _line(cart: Cart, product_public_id: str, *, saved_for_later: bool) -> CartLine:
    line = (
        CartLine.objects.select_related("product")
        .filter(cart=cart, product__public_id=product_public_id, saved_for_later=saved_for_later)
        .first()
    )
    if line is None:
        raise CartLineNotFound(
            "This product is not in your saved list." if saved_for_later else None,
            details={"product_id": "not in this list"},
        )
    return line


# --- Checkout (called by orders) ------------------------------------------------------------------


def cart_checkout_lock(*, user_id: int) -> tuple[int | None, dict[int, int]]:
    """Lock the user's cart for a checkout, inside the caller's transaction: its id (None
    without a cart) and ``{product pk: quantity}`` of its lines (not those saved for later),
    by product. Two statements (``cart.queries``)."""
    cart_id = cart_id_lock(user_id)
    return cart_id, (cart_line_quantities(cart_id) if cart_id is not None else {})


def cart_checkout_empty(*, cart_id: int) -> None:
    """Empty a cart whose lines became an order (saved-for-later lines stay), in the checkout's
    transaction, under the lock of :func:`cart_checkout_lock`."""
    cart_lines_delete(cart_id)


def cart_lines_restore(*, user_id: int, quantities: Mapping[int, int]) -> None:
    """Put ``{product pk: quantity}`` back into the user's cart (a failed payment gives an
    order's lines back), adding to lines added meanwhile (a line saved for later moves back to
    the cart)."""
    cart, _ = Cart.objects.get_or_create(user_id=user_id)
    existing = set(
        CartLine.objects.filter(cart=cart, product_id__in=quantities).values_list("product_id", flat=True)
    )
    for product_id in existing:
        CartLine.objects.filter(cart=cart, product_id=product_id).update(
            quantity=F("quantity") + quantities[product_id], saved_for_later=False
        )
    CartLine.objects.bulk_create(
        CartLine(cart=cart, product_id=pid, quantity=qty)
        for pid, qty in quantities.items()
        if pid not in existing
    )
