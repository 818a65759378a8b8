"""Writes of the tax rates (admins: API and Django admin). Each owns its transaction (not
``durable``: the Django admin calls them inside its own)."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction

from catalog.models import TaxClass
from ecommerce.common.countries import country_code_valid
from ecommerce.common.exceptions import InvalidRequest

from .models import TaxRate
from .selectors import tax_region_clean

RATE_FIELDS = ("country", "region", "tax_class", "rate")


def tax_rate_errors(values: Mapping[str, Any], *, rate: TaxRate | None) -> dict[str, str]:
    """What is wrong with a whole rate: an unknown country, a rate outside 0–100, a non-zero rate
    for the ``zero`` class, or a rate that exists already for that country, region and class."""
    errors: dict[str, str] = {}
    if not country_code_valid(values["country"]):
        errors["country"] = "Not an ISO 3166-1 alpha-2 country code."
    percent = Decimal(values["rate"])
    if not Decimal(0) <= percent <= Decimal(100):
        errors["rate"] = "A percentage from 0 to 100."
    elif values["tax_class"] == TaxClass.ZERO and percent != 0:
        errors["rate"] = "The zero class is always 0."
    if not errors:
        same = TaxRate.objects.filter(
            country=values["country"], region=values["region"], tax_class=values["tax_class"]
        )
        if rate is not None:
            same = same.exclude(pk=rate.pk)
        if same.exists():
            errors["tax_class"] = "This country (and region) already has a rate for this class."
    return errors


def _values(data: Mapping[str, Any], current: Mapping[str, Any]) -> dict[str, Any]:
    values = {**current, **{name: data[name] for name in RATE_FIELDS if name in data}}
    values["country"] = str(values["country"]).strip().upper()
    values["region"] = tax_region_clean(values["region"])
    return values


def _save(rate: TaxRate, values: Mapping[str, Any]) -> TaxRate:
    errors = tax_rate_errors(values, rate=rate if rate.pk else None)
    if errors:
        field, problem = next(iter(errors.items()))
        raise InvalidRequest(f"Invalid value for '{field}': {problem}", details=errors)
    for name, value in values.items():
        setattr(rate, name, value)
    try:
        with transaction.atomic():
            rate.save()
    except IntegrityError:  # the same rate written meanwhile
        problem = "This country (and region) already has a rate for this class."
        raise InvalidRequest(
            f"Invalid value for 'tax_class': {problem}", details={"tax_class": problem}
        ) from None
    return rate


def tax_rate_create(
    *, country: str, rate: Decimal, tax_class: str = TaxClass.STANDARD, region: str | None = None
) -> TaxRate:
    """A rate (percent) for a class in a country, or in one of its regions."""
    values = _values({"country": country, "region": region, "tax_class": tax_class, "rate": rate}, {})
    return _save(TaxRate(), values)


def tax_rate_update(*, rate: TaxRate, data: Mapping[str, Any]) -> TaxRate:
    """Change any of ``country``, ``region`` (None: the whole country), ``tax_class``, ``rate``."""
    with transaction.atomic():
        rate = TaxRate.objects.select_for_update().get(pk=rate.pk)
        current = {name: getattr(rate, name) for name in RATE_FIELDS}
        return _save(rate, _values(data, current))


def tax_rate_delete(*, rate: TaxRate) -> None:
    """Delete a rate (its class is then untaxed there, or taxed at the country's rate)."""
    with transaction.atomic():
        rate.delete()
