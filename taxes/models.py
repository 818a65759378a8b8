"""Tax rates: a percentage per country (and optionally region) and tax class.

A variant's ``tax_class`` (``catalog.models.TaxClass``: standard, reduced, zero) picks the rate
of the destination; :func:`taxes.selectors.tax_rates_for` is the one place that resolves them
(docs/shop-configuration.md, "Tax rates").
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django_countries.fields import CountryField

from catalog.models import TaxClass
from ecommerce.common.fields import PublicIdField
from ecommerce.common.models import TimeStampedModel


class TaxRate(TimeStampedModel):
    """``rate`` percent (``19.00``) for ``tax_class`` in ``country``, or in one of its regions.

    ``region`` is ``""`` for the whole country (stored upper case otherwise, e.g. ``CA`` for
    California): a region's rate overrides the country's for that class. One rate per
    (country, region, class), held by a unique constraint."""

    public_id = PublicIdField(prefix="txr")
    country = CountryField()
    region = models.CharField(max_length=100, blank=True, default="")
    tax_class = models.CharField(max_length=16, choices=TaxClass.choices, default=TaxClass.STANDARD)
    rate = models.DecimalField(max_digits=5, decimal_places=2)

    class Meta:
        ordering = ["country", "region", "tax_class", "id"]
        constraints = [
            models.UniqueConstraint(fields=["country", "region", "tax_class"], name="tax_rate_uniq"),
            models.CheckConstraint(condition=Q(rate__gte=0) & Q(rate__lte=100), name="tax_rate_percent"),
        ]

    def __str__(self) -> str:
        where = f"{self.country}-{self.region}" if self.region else str(self.country)
        return f"{where} {self.tax_class}: {self.rate}%"
