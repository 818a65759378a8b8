"""Reads of the tax rates, and THE function that resolves them for an address
(:func:`tax_rates_for`): the checkout session, the order and the admin use it alone."""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Q, QuerySet

from catalog.models import TaxClass
from ecommerce.common.config_cache import config_cached

from .exceptions import TaxRateNotFound
from .models import TaxRate

ZERO = Decimal("0.00")


def tax_region_clean(region: str | None) -> str:
    """A region as stored and compared: trimmed, upper case; ``""`` for none."""
    return (region or "").strip().upper()


def _rates_stored(code: str, area: str) -> dict[str, dict[str, Decimal]]:
    """Region (``""``: the whole country) → tax class → rate, as stored for this destination."""
    found: dict[str, dict[str, Decimal]] = {"": {}, area: {}}
    condition = Q(region="") | Q(region=area) if area else Q(region="")
    for row in TaxRate.objects.filter(condition, country=code):
        found[row.region][row.tax_class] = Decimal(row.rate).quantize(Decimal("0.01"))
    return found


def tax_rates_for(*, country: str, region: str | None) -> dict[str, Decimal]:
    """Tax class → rate (percent, two places) at this destination, for every class.

    A rate of the region (compared case-insensitively) overrides the country's; a class without a
    rate is ``Decimal("0.00")``; ``zero`` is always 0. No query while the configuration cache
    (``ecommerce.common.config_cache``) holds the destination, else one."""
    code, area = country.strip().upper(), tax_region_clean(region)
    found = config_cached(("taxes.rates", code, area), lambda: _rates_stored(code, area))
    rates = {}
    for tax_class in TaxClass.values:
        rate = found[area].get(tax_class, found[""].get(tax_class, ZERO))
        rates[tax_class] = ZERO if tax_class == TaxClass.ZERO else rate
    return rates


def tax_rate_list() -> QuerySet[TaxRate]:
    """Every rate by country, region and class."""
    return TaxRate.objects.order_by("country", "region", "tax_class", "id")


def tax_rate_get(*, public_id: str) -> TaxRate:
    """The rate ``public_id``; raises ``TaxRateNotFound`` (404)."""
    rate = TaxRate.objects.filter(public_id=public_id).first()
    if rate is None:
        raise TaxRateNotFound()
    return rate
