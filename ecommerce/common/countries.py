"""Country codes: ISO 3166-1 alpha-2, as django-countries knows them (``DE``, ``GB``, ``US``)."""

from __future__ import annotations

from django_countries import countries


def country_codes() -> list[str]:
    """Every ISO 3166-1 alpha-2 code django-countries knows, sorted (about 250)."""
    return sorted(str(code) for code in countries.countries)


def country_code_valid(code: str) -> bool:
    """Whether ``code`` is an upper-case ISO 3166-1 alpha-2 code."""
    return len(code) == 2 and code.isupper() and code in countries


def country_name(code: str) -> str:
    """The English name of ``code`` (``Germany``), or the code itself when unknown."""
    return str(countries.name(code)) or code


# The enums of the OpenAPI document (``ENUM_NAME_OVERRIDES``): every code, and every code or "*".
COUNTRY_CODES = country_codes()
COUNTRY_CODES_OR_REST_OF_WORLD = ["*", *COUNTRY_CODES]
