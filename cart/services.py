"""Cart writes. Adding checks that the variant exists, can be bought and is in stock now.

Lines name variants. Clients name a line's variant by its id (``var_…``) or, for a product with
exactly one active variant, by the product's id (``prod_…``); a product with several is 400
``VARIANT_REQUIRED`` (``catalog.selectors.variant_resolve``).

Every cart operation takes the cart's owner: ``user=`` (a signed-in user's cart, made on first
use) or ``cart=`` (a guest cart, found by its token: ``cart.selectors.cart_for_token``). Each one
locks the cart row first, so one cart's writes run one after the other, and moves the cart's
``updated_at`` (a guest cart expires ``GUEST_CART_TTL_DAYS`` after its last change). The merge
(:func:`cart_merge`) and the checkout functions at the end are what other apps call.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from accounts.models import User
from catalog.exceptions import InsufficientStock, ProductDiscontinued, VariantRequired
from catalog.models import ProductVariant
from catalog.selectors import variant_resolve

from .exceptions import CartLineNotFound, CartNotFound, CartTokenInvalid
from .models import Cart, CartLine
from .queries import cart_id_lock, cart_line_quantities, cart_lines_delete, cart_lock
from .selectors import cart_for_token, guest_cart_expired_before
from .tokens import cart_token_new

logger = logging.getLogger("cart")
# Expired guest carts deleted per statement by the housekeeping (short transactions).
PURGE_BATCH = 500


def _cart_for_update(user: User | None, cart: Cart | None) -> Cart:
    """The cart row of ``user`` (created if missing) or the guest ``cart``, locked so one
    cart's writes serialise, with its ``updated_at`` moved to now. A guest cart deleted since
    its token was checked (it expired) is :class:`CartTokenInvalid`."""
    if (user is None) == (cart is None):
        raise TypeError("pass exactly one of user= and cart=")
    if cart is None:
        Cart.objects.get_or_create(user=user)
        locked = Cart.objects.select_for_update().get(user=user)
    else:
        found = Cart.objects.select_for_update().filter(pk=cart.pk, user__isnull=True).first()
        if found is None:
            raise CartTokenInvalid()
        locked = found
    _touch(locked.pk)
    return locked


def _touch(*cart_ids: int) -> None:
    Cart.objects.filter(pk__in=cart_ids).update(updated_at=timezone.now())


def cart_guest_create() -> tuple[Cart, str]:
    """A new, empty guest cart and its token (``ct_…``): the token is returned only here; the
    cart keeps its SHA-256."""
    token, token_hash = cart_token_new()
    return Cart.objects.create(token_hash=token_hash), token


def _check_available(variant: ProductVariant, quantity: int, key: str) -> None:
    """409 when the product is discontinued, the variant inactive or short of ``quantity``;
    ``details`` name ``key``, the id the client used."""
    if variant.product.discontinued or not variant.is_active:
        raise ProductDiscontinued(details={key: "product is discontinued"})
    if variant.quantity < quantity:
        raise InsufficientStock(details={key: f"requested {quantity}, available {variant.quantity}"})


def cart_item_add(
    *, user: User | None = None, cart: Cart | None = None, product_public_id: str, quantity: int
) -> None:
    """Add ``quantity`` of a variant (named by its id, or its single-variant product's); an
    existing line (even one saved for later) grows and moves to the cart. 404 unknown, 400
    ``VARIANT_REQUIRED``; 409 discontinued or more than in stock."""
    variant = variant_resolve(public_id=product_public_id)
    with transaction.atomic():
        locked = _cart_for_update(user, cart)
        line = CartLine.objects.filter(cart=locked, variant=variant).first()
        wanted = quantity + (line.quantity if line else 0)
        _check_available(variant, wanted, product_public_id)
        if line:
            line.quantity, line.saved_for_later = wanted, False
            line.save(update_fields=["quantity", "saved_for_later", "updated_at"])
        else:
            CartLine.objects.create(cart=locked, variant=variant, quantity=wanted)


def cart_item_update(
    *, user: User | None = None, cart: Cart | None = None, product_public_id: str, quantity: int
) -> None:
    """Set a cart line's quantity; 0 removes it. 409 when more than in stock."""
    with transaction.atomic():
        line = _line(_cart_for_update(user, cart), product_public_id, saved_for_later=False)
        if quantity == 0:
            line.delete()
            return
        _check_available(line.variant, quantity, product_public_id)
        line.quantity = quantity
        line.save(update_fields=["quantity", "updated_at"])


def cart_item_remove(*, user: User | None = None, cart: Cart | None = None, product_public_id: str) -> None:
    """Remove a variant from the cart or from the saved-for-later list."""
    with transaction.atomic():
        lines = _lines_named(_cart_for_update(user, cart), product_public_id)
        if len(lines) > 1:
            raise VariantRequired(details={product_public_id: [line.variant.public_id for line in lines]})
        if not lines:
            raise CartLineNotFound()
        lines[0].delete()


def cart_item_save_for_later(
    *, user: User | None = None, cart: Cart | None = None, product_public_id: str
) -> None:
    """Move a cart line to the saved-for-later list."""
    with transaction.atomic():
        line = _line(_cart_for_update(user, cart), product_public_id, saved_for_later=False)
        line.saved_for_later = True
        line.save(update_fields=["saved_for_later", "updated_at"])


def cart_item_move_to_cart(
    *, user: User | None = None, cart: Cart | None = None, product_public_id: str
) -> None:
    """Move a saved line back into the cart (checked like an add: 409 if not available)."""
    with transaction.atomic():
        line = _line(_cart_for_update(user, cart), product_public_id, saved_for_later=True)
        _check_available(line.variant, line.quantity, product_public_id)
        line.saved_for_later = False
        line.save(update_fields=["saved_for_later", "updated_at"])


def cart_clear(*, user: User | None = None, cart: Cart | None = None) -> None:
    """Empty the cart (the saved-for-later list is kept)."""
    with transaction.atomic():
        locked = _cart_for_update(user, cart)
        # by primary key, as in cart_merge (no scan of other carts' lines on MariaDB)
        ids = list(CartLine.objects.filter(cart=locked, saved_for_later=False).values_list("pk", flat=True))
        CartLine.objects.filter(pk__in=ids).delete()


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


# --- Merge: a guest cart joins a user's cart (docs/cart.md, "The merge rule") ----------------


def cart_merge(*, user: User, token: str) -> None:
    """Merge the guest cart of ``token`` into ``user``'s cart, then empty the guest cart (its
    token stays valid). For each guest line, in the guest cart's order:

    * in the cart, a variant that can no longer be bought (discontinued, inactive, out of stock)
      is dropped;
    * in the cart, a variant the user has in the cart: quantities added, capped by the current
      stock (never below what the user already had); one the user has saved for later: that line
      moves to the cart with the quantities added, capped by stock; a new variant: added,
      capped by stock;
    * saved for later: joins the user's saved list, unless the user has the variant already (in
      the cart or the list).

    Merging again changes nothing more (the guest cart is empty). Both carts are locked in
    primary-key order in one transaction, so a merge runs before or after any write to either
    cart (a concurrent add to the guest cart is merged, or stays in it), and two merges of one
    token merge once. Raises :class:`CartNotFound` (404) for a token that names no live guest
    cart.
    """
    guest = cart_for_token(token)
    if guest is None:
        raise CartNotFound(details={"token": "no guest cart with this token (unknown, or expired)"})
    own, _ = Cart.objects.get_or_create(user=user)
    with transaction.atomic(durable=True):
        for pk in sorted((own.pk, guest.pk)):
            if not Cart.objects.select_for_update().filter(pk=pk).exists():
                raise CartNotFound(details={"token": "no guest cart with this token (unknown, or expired)"})
        guest_lines = list(
            CartLine.objects.filter(cart_id=guest.pk)
            .select_related("variant__product")
            .order_by("created_at", "id")
        )
        if not guest_lines:
            return
        mine = {line.variant_id: line for line in CartLine.objects.filter(cart_id=own.pk)}
        new: list[CartLine] = []
        for line in guest_lines:
            existing = mine.get(line.variant_id)
            if line.saved_for_later:
                if existing is None:
                    new.append(
                        CartLine(cart=own, variant=line.variant, quantity=line.quantity, saved_for_later=True)
                    )
                continue
            stock = _buyable_stock(line.variant)
            if stock <= 0:
                continue
            if existing is None:
                new.append(CartLine(cart=own, variant=line.variant, quantity=min(line.quantity, stock)))
            elif existing.saved_for_later:
                existing.quantity = min(existing.quantity + line.quantity, stock)
                existing.saved_for_later = False
                existing.save(update_fields=["quantity", "saved_for_later", "updated_at"])
            else:
                merged = max(existing.quantity, min(existing.quantity + line.quantity, stock))
                if merged != existing.quantity:
                    existing.quantity = merged
                    existing.save(update_fields=["quantity", "updated_at"])
        CartLine.objects.bulk_create(new)
        # by primary key: a DELETE … WHERE cart_id = … may scan (and lock) other carts' lines on
        # MariaDB, which deadlocked two merges in tests/cart/test_merge_concurrency.py
        CartLine.objects.filter(pk__in=[line.pk for line in guest_lines]).delete()
        _touch(own.pk, guest.pk)


def _buyable_stock(variant: ProductVariant) -> int:
    """Units of ``variant`` that can be bought now (0 when discontinued or inactive)."""
    if variant.product.discontinued or not variant.is_active:
        return 0
    return max(0, variant.quantity)


def cart_merge_at_sign_in(sender: Any, *, user: User, cart_token: str | None = None, **kwargs: Any) -> None:
    """Receiver of ``accounts.signals.user_signed_in``: a sign-in that carried ``X-Cart-Token``
    merges that guest cart into the user's (:func:`cart_merge`). A token that names no live
    guest cart is logged and ignored: the sign-in never fails because of it."""
    if not cart_token:
        return
    try:
        cart_merge(user=user, token=cart_token)
    except CartNotFound:
        logger.info(
            "sign-in with an unknown or expired cart token: nothing merged", extra={"user": user.public_id}
        )


# --- Housekeeping -------------------------------------------------------------------------------


def guest_carts_purge() -> int:
    """Delete guest carts not changed for ``GUEST_CART_TTL_DAYS`` (and their lines), in batches;
    returns how many carts went. Registered with the hourly housekeeping (``CartConfig.ready``)."""
    before = guest_cart_expired_before()
    expired = Cart.objects.filter(user__isnull=True, updated_at__lt=before)
    deleted = 0
    while ids := list(expired.order_by("pk").values_list("pk", flat=True)[:PURGE_BATCH]):
        with transaction.atomic():
            _, per_model = Cart.objects.filter(pk__in=ids, updated_at__lt=before).delete()
        deleted += per_model.get(Cart._meta.label, 0)
    return deleted


# --- Checkout (called by orders) ------------------------------------------------------------------


def cart_checkout_lock(*, user_id: int) -> tuple[int | None, dict[int, int]]:
    """Lock the user's cart for a checkout, inside the caller's transaction: its id (None
    without a cart) and ``{variant pk: quantity}`` of its lines (not those saved for later),
    by variant. Two statements (``cart.queries``)."""
    cart_id = cart_id_lock(user_id)
    return cart_id, (cart_line_quantities(cart_id) if cart_id is not None else {})


def cart_checkout_lock_by_id(*, cart_id: int) -> dict[int, int]:
    """Lock the cart ``cart_id`` (a guest's, or any cart by its row) for a checkout, inside the
    caller's transaction, and read ``{variant pk: quantity}`` of its lines (not those saved for
    later), by variant; ``{}`` when the cart is gone (an expired guest cart). Two statements."""
    return cart_line_quantities(cart_id) if cart_lock(cart_id) else {}


def cart_checkout_empty(*, cart_id: int) -> None:
    """Empty a cart whose lines became an order (saved-for-later lines stay), in the checkout's
    transaction, under the lock of :func:`cart_checkout_lock` / :func:`cart_checkout_lock_by_id`."""
    cart_lines_delete(cart_id)


def cart_lines_restore(
    *, user_id: int | None = None, cart_id: int | None = None, quantities: Mapping[int, int]
) -> None:
    """Put ``{variant pk: quantity}`` back into a cart (a failed payment gives an order's lines
    back): the user's (``user_id``, made if missing) or the cart ``cart_id`` (a guest's: nothing
    happens when it is gone), adding to lines added meanwhile (a line saved for later moves back
    to the cart). The cart is locked first, as by every cart write, so a merge of that cart runs
    wholly before or after it (in the caller's transaction when there is one)."""
    if (user_id is None) == (cart_id is None):
        raise TypeError("pass exactly one of user_id= and cart_id=")
    with transaction.atomic():
        if user_id is not None:
            cart_id = Cart.objects.get_or_create(user_id=user_id)[0].pk
        assert cart_id is not None  # noqa: S101 - one of the two, checked above
        if not cart_lock(cart_id):
            return  # gone meanwhile (a guest cart purged, an account deleted)
        existing = set(
            CartLine.objects.filter(cart_id=cart_id, variant_id__in=quantities).values_list(
                "variant_id", flat=True
            )
        )
        for variant_id in existing:
            CartLine.objects.filter(cart_id=cart_id, variant_id=variant_id).update(
                quantity=F("quantity") + quantities[variant_id], saved_for_later=False
            )
        CartLine.objects.bulk_create(
            CartLine(cart_id=cart_id, variant_id=vid, quantity=qty)
            for vid, qty in quantities.items()
            if vid not in existing
        )
