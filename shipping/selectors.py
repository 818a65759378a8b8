"""Reads of the shipping configuration, and THE function that prices shipping for an address.

:func:`shipping_methods_available` is the one place that says which methods ship to a country
and at what price: the checkout session, the order and the admin's quote page all call it
(or :func:`shipping_quote`, which is it for one method). docs/shop-configuration.md.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Prefetch, QuerySet

from ecommerce.common.config_cache import config_cached

from .exceptions import ShippingMethodNotFound, ShippingZoneNotFound
from .models import REST_OF_WORLD, RateType, ShippingMethod, ShippingZone, ShippingZoneCountry

CENT = Decimal("0.01")
ZERO = Decimal("0.00")


@dataclass(frozen=True)
class ShippingQuote:
    """A method that ships to an address, priced for one order (``price`` as entered: gross when
    ``PRICES_INCLUDE_TAX``, else net)."""

    method_id: str  # the method's public id (shm_…)
    name: str
    price: Decimal
    min_days: int
    max_days: int


def shipping_method_price(method: ShippingMethod, *, subtotal: Decimal, weight_grams: int) -> Decimal:
    """What ``method`` costs for an order of ``subtotal`` (as entered) and ``weight_grams``.

    0 when ``free_above`` is set and ``subtotal >= free_above``; else the flat ``price``, or for a
    tiered method the price of the tier with the largest ``from`` ≤ the subtotal (subtotal tiers)
    or the weight (weight tiers), and ``price`` below the first tier."""
    if method.free_above is not None and subtotal >= method.free_above:
        return ZERO
    price = Decimal(method.price)
    if method.rate_type != RateType.FLAT:
        value = subtotal if method.rate_type == RateType.SUBTOTAL_TIERS else Decimal(weight_grams)
        for tier in method.tiers:  # ascending `from`
            if Decimal(str(tier["from"])) > value:
                break
            price = Decimal(str(tier["price"]))
    return price.quantize(CENT)


def shipping_zone_for_country(*, country: str) -> ShippingZone | None:
    """The zone that ships to ``country``: the zone naming it, else the rest-of-world zone, else
    ``None``."""
    code = country.strip().upper()
    if len(code) != 2 or code == REST_OF_WORLD:
        return None
    rows = {
        row.country: row.zone
        for row in ShippingZoneCountry.objects.filter(country__in=[code, REST_OF_WORLD]).select_related(
            "zone"
        )
    }
    return rows.get(code) or rows.get(REST_OF_WORLD)


def _methods_shipping_to(code: str) -> tuple[ShippingMethod, ...]:
    """The active methods of the zone that ships to ``code``, from the configuration cache
    (``ecommerce.common.config_cache``; two queries when it is cold)."""

    def build() -> tuple[ShippingMethod, ...]:
        zone = shipping_zone_for_country(country=code)
        if zone is None:
            return ()
        return tuple(ShippingMethod.objects.filter(zone=zone, is_active=True))

    return config_cached(("shipping.methods", code), build)


def shipping_methods_available(
    *, country: str, region: str | None, subtotal: Decimal, weight_grams: int
) -> list[ShippingQuote]:
    """The active methods that ship to ``country`` (ISO 3166-1 alpha-2), priced for an order of
    ``subtotal`` (as entered, before discounts) and ``weight_grams``; cheapest first, then by name.

    The zone naming the country wins over the rest-of-world zone (even when it has no active
    method: then nothing ships there). ``region`` is accepted for addresses that have one; zones
    are per country, so it does not change the answer today. No query while the configuration
    cache holds the country's methods, else two."""
    quotes = [
        ShippingQuote(
            method_id=method.public_id,
            name=method.name,
            price=shipping_method_price(method, subtotal=subtotal, weight_grams=weight_grams),
            min_days=method.min_days,
            max_days=method.max_days,
        )
        for method in _methods_shipping_to(country.strip().upper())
    ]
    return sorted(quotes, key=lambda quote: (quote.price, quote.name, quote.method_id))


def shipping_quote(
    *, method_id: str, country: str, region: str | None, subtotal: Decimal, weight_grams: int
) -> ShippingQuote | None:
    """The method ``method_id`` (public id) priced for this order, or ``None`` when it does not ship
    there (unknown, inactive, or not a method of the zone that ships to ``country``). The same
    rule as :func:`shipping_methods_available`, which it calls."""
    available = shipping_methods_available(
        country=country, region=region, subtotal=subtotal, weight_grams=weight_grams
    )
    return next((quote for quote in available if quote.method_id == method_id), None)


# --- the admin API's reads --------------------------------------------------------------------


def shipping_zone_list() -> QuerySet[ShippingZone]:
    """Every zone by name, with its countries and methods (three queries)."""
    return ShippingZone.objects.order_by("name", "id").prefetch_related(
        "country_rows", Prefetch("methods", queryset=ShippingMethod.objects.order_by("name", "id"))
    )


def shipping_zone_get(*, public_id: str) -> ShippingZone:
    """The zone ``public_id`` with its countries and methods; raises ``ShippingZoneNotFound`` (404)."""
    zone = shipping_zone_list().filter(public_id=public_id).first()
    if zone is None:
        raise ShippingZoneNotFound()
    return zone


def shipping_method_list(*, zone: ShippingZone) -> QuerySet[ShippingMethod]:
    """The zone's methods by name."""
    return ShippingMethod.objects.filter(zone=zone).order_by("name", "id")


def shipping_method_get(*, zone: ShippingZone, public_id: str) -> ShippingMethod:
    """The method ``public_id`` of ``zone``; raises ``ShippingMethodNotFound`` (404), also for a
    method of another zone."""
    method = ShippingMethod.objects.filter(zone=zone, public_id=public_id).first()
    if method is None:
        raise ShippingMethodNotFound()
    return method
