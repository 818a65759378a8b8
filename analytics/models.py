"""Daily rollups of orders, so the dashboard reads thousands of rows instead of millions.

A day is a calendar day in ``SHOP_TIME_ZONE``. Money (docs/analytics.md): ``revenue`` is net
sales after every discount, ``subtotal − discount_total``; shipping and tax are apart, so that
``revenue + shipping + tax`` is the orders' ``total_amount`` exactly. Both tables are a projection of
``orders.Order``/``OrderLine``: ``analytics.services.order_stats_record`` keeps them current on
every order change and ``manage.py analytics_rollup`` rebuilds them from the orders. Changing
``SHOP_TIME_ZONE`` needs a rebuild.
"""

from __future__ import annotations

from django.db import models


class DailyOrderStats(models.Model):
    """Orders placed on ``day`` through ``channel`` that are now in ``status``."""

    day = models.DateField()
    channel = models.CharField(max_length=16)
    status = models.CharField(max_length=16)
    orders = models.IntegerField(db_default=0)
    revenue = models.DecimalField(
        max_digits=16, decimal_places=2, db_default=0, help_text="Σ (subtotal − discount_total)"
    )
    units = models.IntegerField(db_default=0, help_text="Σ line quantities")
    discount = models.DecimalField(
        max_digits=16, decimal_places=2, db_default=0, help_text="Σ discount_total"
    )
    shipping = models.DecimalField(
        max_digits=16, decimal_places=2, db_default=0, help_text="Σ shipping_total"
    )
    tax = models.DecimalField(max_digits=16, decimal_places=2, db_default=0, help_text="Σ tax_total")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["day", "channel", "status"], name="dailyorderstats_key"),
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.channel} {self.status}: {self.orders}"


class DailyProductSales(models.Model):
    """Units and line revenue of ``product`` in orders placed on ``day`` that count as revenue
    (paid, shipped, delivered). A line's revenue is its net amount after its share of the
    discounts (``total − tax``); a shipping discount belongs to no line."""

    day = models.DateField()
    channel = models.CharField(max_length=16)
    # No database FK: checking it would take a shared lock on the product row, which checkout
    # holds FOR UPDATE while it waits for these counters — a lock cycle (deadlock) under load.
    product = models.ForeignKey(
        "catalog.Product", on_delete=models.DO_NOTHING, related_name="+", db_constraint=False
    )
    units = models.IntegerField(db_default=0)
    revenue = models.DecimalField(max_digits=16, decimal_places=2, db_default=0, help_text="Σ (total − tax)")
    discount = models.DecimalField(max_digits=16, decimal_places=2, db_default=0, help_text="Σ discount")
    tax = models.DecimalField(max_digits=16, decimal_places=2, db_default=0, help_text="Σ tax")

    class Meta:
        verbose_name_plural = "daily product sales"
        constraints = [
            models.UniqueConstraint(fields=["day", "channel", "product"], name="dailyproductsales_key"),
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.channel} {self.product_id}: {self.units}"
