"""Shipping zones (sets of countries, or the rest of the world) and the methods offered in each.

A country belongs to at most one zone, and at most one zone is the rest of the world: both are
one unique column (:class:`ShippingZoneCountry.country`, ``"*"`` for the rest of the world), so
the database holds the rule whatever writes. Prices are as entered (gross when
``PRICES_INCLUDE_TAX``, else net). The one function that prices them for an address is
:func:`shipping.selectors.shipping_methods_available` (docs/shop-configuration.md).
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from ecommerce.common.fields import PublicIdField
from ecommerce.common.models import TimeStampedModel

REST_OF_WORLD = "*"
MAX_TIERS = 50


class ShippingZone(TimeStampedModel):
    """A set of countries (``["DE", "AT"]``) or the rest of the world (``["*"]``): every country
    no other zone names."""

    public_id = PublicIdField(prefix="shz")
    name = models.CharField(max_length=120)

    class Meta:
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name

    @property
    def countries(self) -> list[str]:
        """Its country codes in alphabetical order (``["*"]`` for the rest of the world); from the
        prefetched ``country_rows`` when there are any."""
        return sorted(row.country for row in self.country_rows.all())


class ShippingZoneCountry(models.Model):
    """One country of a zone (ISO 3166-1 alpha-2, upper case), or ``"*"``: the rest of the world.
    Unique over all zones."""

    zone = models.ForeignKey(ShippingZone, on_delete=models.CASCADE, related_name="country_rows")
    country = models.CharField(max_length=2, unique=True)

    class Meta:
        ordering = ["zone", "country"]
        verbose_name_plural = "shipping zone countries"

    def __str__(self) -> str:
        return f"{self.country} → {self.zone_id}"


class RateType(models.TextChoices):
    FLAT = "flat", "Flat rate"
    SUBTOTAL_TIERS = "subtotal_tiers", "Tiers by order subtotal"
    WEIGHT_TIERS = "weight_tiers", "Tiers by total weight (grams)"


class ShippingMethod(TimeStampedModel):
    """A way to ship to a zone's countries, with its price rule and delivery time.

    ``price`` is the flat price; for tiered methods it is the price below the first tier.
    ``tiers`` (tiered methods only) is ``[{"from": …, "price": "4.90"}]`` in ascending ``from``:
    an order pays the price of the tier with the largest ``from`` ≤ its subtotal (a decimal
    string, as entered) or its weight (whole grams). ``free_above``: the method costs 0 when the
    subtotal reaches it.
    """

    public_id = PublicIdField(prefix="shm")
    zone = models.ForeignKey(ShippingZone, on_delete=models.CASCADE, related_name="methods")
    name = models.CharField(max_length=120)
    rate_type = models.CharField(max_length=16, choices=RateType.choices, default=RateType.FLAT)
    price = models.DecimalField(max_digits=12, decimal_places=2)
    tiers = models.JSONField(default=list, blank=True)
    free_above = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    min_days = models.PositiveIntegerField()
    max_days = models.PositiveIntegerField()
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["zone", "name", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(price__gte=0), name="shipping_method_price_gte_0"),
            models.CheckConstraint(
                condition=Q(free_above__isnull=True) | Q(free_above__gte=0),
                name="shipping_method_free_above_gte_0",
            ),
            models.CheckConstraint(
                condition=Q(min_days__lte=models.F("max_days")), name="shipping_method_days_ordered"
            ),
        ]

    def __str__(self) -> str:
        return self.name
