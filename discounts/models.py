"""Vouchers (codes customers type), automatic promotions, and the ledger of voucher uses.

What a discount does to an order is the pricing function's business (``pricing``, docs/pricing.md);
this app keeps the configuration, says which discounts apply at a moment
(``discounts.selectors``) and counts voucher uses atomically (``discounts.services``).
docs/shop-configuration.md.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from ecommerce.common.fields import PublicIdField
from ecommerce.common.models import TimeStampedModel

CODE_MAX_LENGTH = 64


class DiscountKind(models.TextChoices):
    PERCENTAGE = "percentage", "Percentage off"
    FIXED = "fixed", "Fixed amount off"
    FREE_SHIPPING = "free_shipping", "Free shipping"


class PromotionKind(models.TextChoices):
    PERCENTAGE = "percentage", "Percentage off"
    FREE_SHIPPING = "free_shipping", "Free shipping"


class Voucher(TimeStampedModel):
    """A discount code. ``code`` is stored upper case and unique, so codes are unique and matched
    case-insensitively. ``value``: a percentage in (0, 100] or an amount (as entered) > 0; 0 for
    free shipping. The scope (``categories``, ``products``, ``variants``; all empty: the whole
    order) is what the API calls ``applies_to``. ``used_count`` is the number of uses not
    released; only ``discounts.services`` changes it."""

    public_id = PublicIdField(prefix="vch")
    code = models.CharField(max_length=CODE_MAX_LENGTH, unique=True)
    kind = models.CharField(max_length=16, choices=DiscountKind.choices)
    value = models.DecimalField(max_digits=12, decimal_places=2, default=0)
    min_subtotal = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    categories = models.ManyToManyField("catalog.Category", blank=True, related_name="vouchers")
    products = models.ManyToManyField("catalog.Product", blank=True, related_name="vouchers")
    variants = models.ManyToManyField("catalog.ProductVariant", blank=True, related_name="vouchers")
    starts_at = models.DateTimeField(null=True, blank=True)
    ends_at = models.DateTimeField(null=True, blank=True)
    usage_limit = models.PositiveIntegerField(null=True, blank=True)
    usage_limit_per_customer = models.PositiveIntegerField(null=True, blank=True)
    used_count = models.PositiveIntegerField(default=0)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(value__gte=0), name="voucher_value_gte_0"),
            models.CheckConstraint(condition=Q(used_count__gte=0), name="voucher_used_count_gte_0"),
        ]

    def __str__(self) -> str:
        return self.code


class Promotion(TimeStampedModel):
    """An automatic discount for a date range: a percentage off (its scope, or the whole order),
    or free shipping (e.g. above ``min_subtotal``). Applies to every order while active."""

    public_id = PublicIdField(prefix="prm")
    name = models.CharField(max_length=120)
    kind = models.CharField(max_length=16, choices=PromotionKind.choices)
    value = models.DecimalField(max_digits=12, decimal_places=2, default=0)
    min_subtotal = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    categories = models.ManyToManyField("catalog.Category", blank=True, related_name="promotions")
    products = models.ManyToManyField("catalog.Product", blank=True, related_name="promotions")
    variants = models.ManyToManyField("catalog.ProductVariant", blank=True, related_name="promotions")
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(value__gte=0), name="promotion_value_gte_0"),
            models.CheckConstraint(
                condition=Q(starts_at__lt=models.F("ends_at")), name="promotion_dates_ordered"
            ),
        ]
        indexes = [models.Index(fields=["is_active", "starts_at", "ends_at"], name="promotion_active_idx")]

    def __str__(self) -> str:
        return self.name


class VoucherUse(models.Model):
    """One use of a voucher by one order: written when the order is placed
    (``voucher_uses_claim``), released once when it fails payment or is cancelled
    (``voucher_uses_release``). ``order_ref`` is the order's public id: the orders app is a layer
    above, so no foreign key. ``email`` is lower case (guests are counted by it)."""

    voucher = models.ForeignKey(Voucher, on_delete=models.PROTECT, related_name="uses")
    order_ref = models.CharField(max_length=64)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    email = models.EmailField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    released_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["order_ref"], name="voucher_use_order_idx"),
            models.Index(fields=["voucher", "user"], name="voucher_use_user_idx"),
            models.Index(fields=["voucher", "email"], name="voucher_use_email_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.voucher_id} by {self.order_ref}"
