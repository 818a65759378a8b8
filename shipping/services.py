"""Writes of the shipping configuration: zones with their countries, and their methods.

Each function owns its transaction (not ``durable``: the Django admin calls them from inside its
own). Rules a request may break are a 400 ``INVALID_REQUEST`` naming the field by its dotted
path (``countries.1``, ``methods.0.tiers.1.from``); see docs/shop-configuration.md.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction

from ecommerce.common.config_cache import config_changed
from ecommerce.common.countries import country_code_valid
from ecommerce.common.exceptions import InvalidRequest

from .models import MAX_TIERS, REST_OF_WORLD, RateType, ShippingMethod, ShippingZone, ShippingZoneCountry

CENT = Decimal("0.01")
METHOD_FIELDS = ("name", "rate_type", "price", "tiers", "free_above", "min_days", "max_days", "is_active")
METHOD_REQUIRED = ("name", "price", "min_days", "max_days")
METHOD_DEFAULTS: dict[str, Any] = {
    "rate_type": RateType.FLAT,
    "tiers": [],
    "free_above": None,
    "is_active": True,
}


def _invalid(errors: Mapping[str, str]) -> InvalidRequest:
    field, problem = next(iter(errors.items()))
    return InvalidRequest(f"Invalid value for '{field}': {problem}", details=errors)


def _path(prefix: str, name: str) -> str:
    return f"{prefix}.{name}" if prefix else name


# --- countries -------------------------------------------------------------------------------


def shipping_countries_errors(
    countries: Sequence[str], *, zone: ShippingZone | None, field: str = "countries"
) -> tuple[list[str], dict[str, str]]:
    """The countries as stored (upper case, without repeats) and what is wrong with them: not an
    ISO 3166-1 alpha-2 code, ``"*"`` beside countries, none at all, or a country (or the rest of
    the world) that another zone already has."""
    errors: dict[str, str] = {}
    cleaned: dict[str, int] = {}  # code -> its first index in the request
    for index, raw in enumerate(countries):
        code = str(raw).strip().upper()
        if code != REST_OF_WORLD and not country_code_valid(code):
            errors[f"{field}.{index}"] = "Not an ISO 3166-1 alpha-2 country code."
        else:
            cleaned.setdefault(code, index)
    if not countries:
        errors[field] = 'Name at least one country, or ["*"] for the rest of the world.'
    elif REST_OF_WORLD in cleaned and len(cleaned) > 1:
        errors[field] = '"*" (the rest of the world) cannot be combined with countries.'
    if not errors:
        taken = ShippingZoneCountry.objects.filter(country__in=list(cleaned)).select_related("zone")
        if zone is not None:
            taken = taken.exclude(zone=zone)
        for row in taken:
            where = f"{row.zone.name!r} ({row.zone.public_id})"
            errors[f"{field}.{cleaned[row.country]}"] = (
                f"Another zone is already the rest of the world: {where}."
                if row.country == REST_OF_WORLD
                else f"Already in the zone {where}: a country belongs to one zone."
            )
    return list(cleaned), errors


def _countries_write(zone: ShippingZone, countries: Sequence[str]) -> None:
    """Replace the zone's country rows; a concurrent zone that took one first is a 400."""
    try:
        with transaction.atomic():
            ShippingZoneCountry.objects.filter(zone=zone).exclude(country__in=countries).delete()
            kept = set(ShippingZoneCountry.objects.filter(zone=zone).values_list("country", flat=True))
            ShippingZoneCountry.objects.bulk_create(
                [ShippingZoneCountry(zone=zone, country=code) for code in countries if code not in kept]
            )
            config_changed()  # bulk_create sends no signal the configuration cache hears
    except IntegrityError:
        raise _invalid({"countries": "Another zone took one of these countries meanwhile."}) from None


# --- methods ---------------------------------------------------------------------------------


def _decimal(value: Any) -> Decimal:
    return value if isinstance(value, Decimal) else Decimal(str(value))


def shipping_method_errors(
    data: Mapping[str, Any], *, path: str = ""
) -> tuple[dict[str, Any], dict[str, str]]:
    """A whole method (every field of ``METHOD_FIELDS``) as stored, and what is wrong with it.

    Tiers belong to tiered methods only (at least one, at most ``MAX_TIERS``), in strictly
    ascending ``from``; a weight tier starts at whole grams; ``max_days`` ≥ ``min_days``."""
    errors: dict[str, str] = {}
    rate_type = data["rate_type"]
    tiers = list(data.get("tiers") or [])
    if rate_type == RateType.FLAT and tiers:
        errors[_path(path, "tiers")] = "A flat rate has no tiers (use subtotal_tiers or weight_tiers)."
    elif rate_type != RateType.FLAT and not tiers:
        errors[_path(path, "tiers")] = "A tiered rate needs at least one tier."
    elif len(tiers) > MAX_TIERS:
        errors[_path(path, "tiers")] = f"At most {MAX_TIERS} tiers."
    stored: list[dict[str, Any]] = []
    previous: Decimal | None = None
    for index, tier in enumerate(tiers):
        start, price = _decimal(tier["from"]), _decimal(tier["price"])
        where = _path(path, f"tiers.{index}.from")
        if rate_type == RateType.WEIGHT_TIERS and start != start.to_integral_value():
            errors[where] = "Weight tiers start at whole grams."
        elif previous is not None and start <= previous:
            errors[where] = "Must be larger than the previous tier's `from` (tiers ascend)."
        previous = start
        stored.append(
            {
                "from": int(start) if rate_type == RateType.WEIGHT_TIERS else str(start.quantize(CENT)),
                "price": str(price.quantize(CENT)),
            }
        )
    if data["min_days"] > data["max_days"]:
        errors[_path(path, "max_days")] = "Must not be less than min_days."
    values = {name: data[name] for name in METHOD_FIELDS if name != "tiers"}
    values["tiers"] = stored if rate_type != RateType.FLAT else []
    return values, errors


def _method_complete(data: Mapping[str, Any], *, path: str) -> tuple[dict[str, Any], dict[str, str]]:
    """A new method's fields with the defaults, or what is missing."""
    missing = {_path(path, name): "This field is required." for name in METHOD_REQUIRED if name not in data}
    return {**METHOD_DEFAULTS, **{k: v for k, v in data.items() if k in METHOD_FIELDS}}, missing


def _method_current(method: ShippingMethod) -> dict[str, Any]:
    return {name: getattr(method, name) for name in METHOD_FIELDS}


def _method_plan(
    zone: ShippingZone | None, methods: Sequence[Mapping[str, Any]]
) -> tuple[list[tuple[ShippingMethod | None, dict[str, Any]]], dict[str, str]]:
    """A zone's nested ``methods`` list: (existing method or None, values to store) per entry."""
    existing = {m.public_id: m for m in ShippingMethod.objects.filter(zone=zone)} if zone else {}
    plan: list[tuple[ShippingMethod | None, dict[str, Any]]] = []
    errors: dict[str, str] = {}
    seen: set[str] = set()
    for index, data in enumerate(methods):
        path = f"methods.{index}"
        method_id = data.get("id")
        if method_id is not None:
            method = existing.get(method_id)
            if method is None:
                errors[f"{path}.id"] = "Not a method of this zone (leave id out to add one)."
                continue
            if method_id in seen:
                errors[f"{path}.id"] = "Named twice."
                continue
            seen.add(method_id)
            values, problems = shipping_method_errors({**_method_current(method), **data}, path=path)
            plan.append((method, values))
        else:
            complete, problems = _method_complete(data, path=path)
            if not problems:
                values, problems = shipping_method_errors(complete, path=path)
                plan.append((None, values))
        errors.update(problems)
    return plan, errors


def _methods_write(zone: ShippingZone, plan: Sequence[tuple[ShippingMethod | None, dict[str, Any]]]) -> None:
    """Apply a plan: update the named methods, create the new ones, delete the rest."""
    keep = [method.pk for method, _ in plan if method is not None]
    ShippingMethod.objects.filter(zone=zone).exclude(pk__in=keep).delete()
    for method, values in plan:
        if method is None:
            ShippingMethod.objects.create(zone=zone, **values)
        else:
            for name, value in values.items():
                setattr(method, name, value)
            method.save()


# --- zones -----------------------------------------------------------------------------------


def shipping_zone_create(
    *, name: str, countries: Sequence[str], methods: Sequence[Mapping[str, Any]] = ()
) -> ShippingZone:
    """A zone with its countries (``["*"]``: the rest of the world) and, optionally, its methods
    (each without ``id``). Raises ``InvalidRequest`` naming each wrong field."""
    with transaction.atomic():
        cleaned, errors = shipping_countries_errors(countries, zone=None)
        plan, method_errors = _method_plan(None, methods)
        errors.update(method_errors)
        if errors:
            raise _invalid(errors)
        zone = ShippingZone.objects.create(name=name)
        _countries_write(zone, cleaned)
        _methods_write(zone, plan)
    return zone


def shipping_zone_update(*, zone: ShippingZone, data: Mapping[str, Any]) -> ShippingZone:
    """Change any of ``name``, ``countries`` and ``methods``. ``methods`` is the zone's whole list:
    an entry with an ``id`` changes that method (the fields it gives), one without adds a method,
    and the zone's methods left out are deleted."""
    with transaction.atomic():
        zone = ShippingZone.objects.select_for_update().get(pk=zone.pk)
        errors: dict[str, str] = {}
        cleaned: list[str] | None = None
        plan: list[tuple[ShippingMethod | None, dict[str, Any]]] | None = None
        if "countries" in data:
            cleaned, errors = shipping_countries_errors(data["countries"], zone=zone)
        if "methods" in data:
            plan, method_errors = _method_plan(zone, data["methods"])
            errors.update(method_errors)
        if errors:
            raise _invalid(errors)
        if "name" in data:
            zone.name = data["name"]
            zone.save(update_fields=["name", "updated_at"])
        if cleaned is not None:
            _countries_write(zone, cleaned)
        if plan is not None:
            _methods_write(zone, plan)
    return zone


def shipping_zone_delete(*, zone: ShippingZone) -> None:
    """Delete a zone with its countries and methods."""
    with transaction.atomic():
        zone.delete()


def shipping_method_create(*, zone: ShippingZone, data: Mapping[str, Any]) -> ShippingMethod:
    """A method of ``zone``; ``name``, ``price``, ``min_days`` and ``max_days`` are required."""
    complete, errors = _method_complete(data, path="")
    if errors:
        raise _invalid(errors)
    values, errors = shipping_method_errors(complete)
    if errors:
        raise _invalid(errors)
    with transaction.atomic():
        return ShippingMethod.objects.create(zone=zone, **values)


def shipping_method_update(*, method: ShippingMethod, data: Mapping[str, Any]) -> ShippingMethod:
    """Change any of the method's fields; the result is checked whole (a rate type without its
    tiers, days out of order: 400)."""
    with transaction.atomic():
        method = ShippingMethod.objects.select_for_update().get(pk=method.pk)
        values, errors = shipping_method_errors({**_method_current(method), **data})
        if errors:
            raise _invalid(errors)
        for name, value in values.items():
            setattr(method, name, value)
        method.save()
    return method


def shipping_method_delete(*, method: ShippingMethod) -> None:
    """Delete a method (orders keep their own copy of its name and price)."""
    with transaction.atomic():
        method.delete()
