"""One cart per signed-in user, and guest carts (no user) reached with a secret token; one line per
variant (in the cart or saved for later)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from ecommerce.common.fields import PublicIdField
from ecommerce.common.models import TimeStampedModel


class Cart(TimeStampedModel):
    """A user's cart (``user`` set, at most one per user), or a guest cart (``user`` null).

    A guest cart is reached with its token (``ct_…``, shown once, when the cart is made); only the
    token's SHA-256 is stored (``token_hash``), and the token is found again through that unique
    index (``cart.tokens``). ``updated_at`` moves on every change of the cart: a guest cart left
    ``GUEST_CART_TTL_DAYS`` without one is expired (docs/cart.md)."""

    public_id = PublicIdField(prefix="cart")
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="cart"
    )
    token_hash = models.CharField(max_length=64, unique=True, null=True, blank=True, editable=False)

    class Meta:
        indexes = [models.Index(fields=["user", "updated_at"], name="cart_guest_expiry_idx")]
        constraints = [
            # a guest cart has a token, a user's cart has none. Not "exactly one": deleting a user
            # on MariaDB/MySQL (no deferred constraint checks) first sets a nullable CASCADE
            # foreign key to NULL, then deletes the row (django.db.models.deletion.CASCADE).
            models.CheckConstraint(
                condition=Q(user__isnull=True) | Q(token_hash__isnull=True),
                name="cart_user_or_token",
            ),
        ]

    def __str__(self) -> str:
        return f"cart of {self.user_id}" if self.user_id else f"guest cart {self.public_id}"


class CartLine(TimeStampedModel):
    cart = models.ForeignKey(Cart, on_delete=models.CASCADE, related_name="lines")
    variant = models.ForeignKey("catalog.ProductVariant", on_delete=models.CASCADE, related_name="+")
    quantity = models.PositiveIntegerField()
    saved_for_later = models.BooleanField(default=False)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["cart", "variant"], name="cartline_one_per_variant"),
            models.CheckConstraint(condition=Q(quantity__gt=0), name="cartline_quantity_gt_0"),
        ]

    def __str__(self) -> str:
        return f"{self.quantity} × {self.variant_id}"
