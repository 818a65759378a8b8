"""Orders from both channels (shop checkout and inventory API), their lines and the status
timeline. The stock ledger (``StockMovement``) is the catalog's (``catalog.models``)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

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

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(subtotal__gte=0), name="order_subtotal_gte_0"),
            models.CheckConstraint(condition=Q(total_amount__gte=0), name="order_total_gte_0"),
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
    unit_price = models.DecimalField(max_digits=12, decimal_places=2)
    quantity = models.PositiveIntegerField()
    line_total = models.DecimalField(max_digits=14, decimal_places=2)

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


class IdempotencyKey(models.Model):
    """A checkout's ``Idempotency-Key``, per user, with the request's hash and the order it made.

    Kept at least ``IDEMPOTENCY_KEY_TTL_HOURS`` (24 h); ``purge_idempotency_keys`` deletes older ones.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=255)
    request_hash = models.CharField(max_length=64)
    order = models.ForeignKey(Order, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="idempotency_user_key_unique")]

    def __str__(self) -> str:
        return self.key
