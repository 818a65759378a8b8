"""Orders from both channels (shop checkout and inventory API), their lines and the status
timeline. The stock ledger (``StockMovement``) is the catalog's (``catalog.models``)."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Abs
from django.db.models.lookups import LessThan

from ecommerce.common.fields import PublicIdField
from ecommerce.common.models import TimeStampedModel


class OrderStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    PAID = "paid", "Paid"
    SHIPPED = "shipped", "Shipped"
    DELIVERED = "delivered", "Delivered"
    CANCELLED = "cancelled", "Cancelled"
    PAYMENT_FAILED = "payment_failed", "Payment failed"


class OrderChannel(models.TextChoices):
    SHOP = "shop", "Shop checkout"
    INVENTORY_API = "inventory_api", "Inventory API"


class Order(TimeStampedModel):
    public_id = PublicIdField(prefix="ord")
    channel = models.CharField(max_length=16, choices=OrderChannel.choices, default=OrderChannel.SHOP)
    status = models.CharField(max_length=16, choices=OrderStatus.choices, default=OrderStatus.PENDING)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="orders"
    )
    manager = models.ForeignKey(
        "accounts.StoreManager", null=True, blank=True, on_delete=models.PROTECT, related_name="orders"
    )
    # The customer as given at order time (inventory API: caller's customer id; shop: user's id).
    customer_ref = models.CharField(max_length=64, blank=True)
    customer_email = models.EmailField(blank=True)
    currency = models.CharField(max_length=3)
    subtotal = models.DecimalField(max_digits=14, decimal_places=2)
    total_amount = models.DecimalField(max_digits=14, decimal_places=2)
    shipping_address = models.JSONField(default=dict, blank=True)
    payment_reference = models.CharField(max_length=128, blank=True)
    # The price breakdown (docs/pricing.md): net amounts plus tax, so that
    # total_amount = subtotal - discount_total + shipping_total + tax_total (a check constraint).
    discount_total = models.DecimalField(max_digits=14, decimal_places=2, default=0)
    shipping_total = models.DecimalField(max_digits=14, decimal_places=2, default=0)
    tax_total = models.DecimalField(max_digits=14, decimal_places=2, default=0)
    prices_include_tax = models.BooleanField(default=False)
    billing_address = models.JSONField(default=dict, blank=True)
    shipping_method = models.JSONField(
        default=dict, blank=True, help_text="The method as chosen: id, name, price, min_days, max_days."
    )
    discount_codes = models.JSONField(default=list, blank=True)
    tax_breakdown = models.JSONField(default=list, blank=True, help_text="Per rate: rate, base, tax.")

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(subtotal__gte=0), name="order_subtotal_gte_0"),
            models.CheckConstraint(condition=Q(total_amount__gte=0), name="order_total_gte_0"),
            # Amounts are whole cents, so "within half a cent" is "equal": said so because SQLite
            # computes the sum in floating point (70.00 + 4.90 + 9.43 is not 84.33 there).
            models.CheckConstraint(
                condition=LessThan(
                    Abs(
                        models.F("total_amount")
                        - (
                            models.F("subtotal")
                            - models.F("discount_total")
                            + models.F("shipping_total")
                            + models.F("tax_total")
                        )
                    ),
                    Decimal("0.005"),
                ),
                name="order_total_is_its_breakdown",
            ),
        ]
        indexes = [
            models.Index(fields=["user", "-created_at"], name="order_user_created_idx"),
            models.Index(fields=["status", "created_at"], name="order_status_created_idx"),
            models.Index(fields=["channel", "created_at"], name="order_channel_created_idx"),
        ]

    def __str__(self) -> str:
        return self.public_id


class OrderLine(models.Model):
    """A variant bought, with what the buyer saw copied at order time: the product's name, the
    variant's SKU and options, the unit price."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="lines")
    product = models.ForeignKey("catalog.Product", on_delete=models.PROTECT, related_name="order_lines")
    variant = models.ForeignKey(
        "catalog.ProductVariant", on_delete=models.PROTECT, related_name="order_lines"
    )
    product_public_id = models.CharField(max_length=64)
    variant_public_id = models.CharField(max_length=64, default="")
    sku = models.CharField(max_length=64, default="")
    options = models.JSONField(default=dict)
    name = models.CharField(max_length=200)
    unit_price = models.DecimalField(max_digits=12, decimal_places=2, help_text="As entered (gross or net).")
    quantity = models.PositiveIntegerField()
    line_total = models.DecimalField(
        max_digits=14, decimal_places=2, help_text="unit_price × quantity, before discounts."
    )
    # The breakdown (docs/pricing.md): discount and tax of the line; total = net - discount + tax.
    unit_price_net = models.DecimalField(max_digits=12, decimal_places=2)
    unit_price_gross = models.DecimalField(max_digits=12, decimal_places=2)
    tax_rate = models.DecimalField(max_digits=5, decimal_places=2, default=0)
    discount = models.DecimalField(max_digits=14, decimal_places=2, default=0)
    tax = models.DecimalField(max_digits=14, decimal_places=2, default=0)
    total = models.DecimalField(max_digits=14, decimal_places=2)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="orderline_quantity_gt_0"),
        ]

    def __str__(self) -> str:
        return f"{self.quantity} × {self.name}"


class OrderEvent(models.Model):
    """One row per status change: the order's timeline (time, actor, from → to)."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="events")
    from_status = models.CharField(max_length=16, choices=OrderStatus.choices, blank=True)
    to_status = models.CharField(max_length=16, choices=OrderStatus.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_label = models.CharField(max_length=100, blank=True, help_text="system, manager id, …")
    note = models.CharField(max_length=255, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.from_status or 'placed'} → {self.to_status}"


class CheckoutStatus(models.TextChoices):
    OPEN = "open", "Open"
    COMPLETED = "completed", "Completed"
    EXPIRED = "expired", "Expired"
    CANCELLED = "cancelled", "Cancelled"


class CheckoutSession(TimeStampedModel):
    """A checkout in progress (``chk_…``): the cart it buys, who buys it (a user, or a guest who
    holds the cart's token), where it goes, how, and which codes it uses. Lines and prices are
    not stored: every read prices the cart as it is now (``orders.selectors.checkout_get``), and
    completion prices it again under the locks (``orders.services.checkout_complete``)."""

    public_id = PublicIdField(prefix="chk")
    status = models.CharField(max_length=16, choices=CheckoutStatus.choices, default=CheckoutStatus.OPEN)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    cart = models.ForeignKey("cart.Cart", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    email = models.EmailField(blank=True)
    shipping_address = models.JSONField(default=dict, blank=True)
    billing_address = models.JSONField(default=dict, blank=True)
    shipping_method_id = models.CharField(max_length=64, blank=True)
    discount_codes = models.JSONField(default=list, blank=True)
    expires_at = models.DateTimeField()
    order = models.ForeignKey(Order, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        indexes = [models.Index(fields=["status", "expires_at"], name="checkout_status_expires_idx")]

    def __str__(self) -> str:
        return self.public_id


class IdempotencyKey(models.Model):
    """A checkout's ``Idempotency-Key``, per user (a guest's: per checkout session), with the
    request's hash and the order it made.

    Kept at least ``IDEMPOTENCY_KEY_TTL_HOURS`` (24 h); ``purge_idempotency_keys`` deletes older ones.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    checkout = models.ForeignKey(
        CheckoutSession, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    key = models.CharField(max_length=255)
    request_hash = models.CharField(max_length=64)
    order = models.ForeignKey(Order, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="idempotency_user_key_unique"),
            models.UniqueConstraint(fields=["checkout", "key"], name="idempotency_checkout_key_unique"),
            models.CheckConstraint(
                condition=Q(user__isnull=False) | Q(checkout__isnull=False), name="idempotency_has_owner"
            ),
        ]

    def __str__(self) -> str:
        return self.key
