"""Shapes of the tax rates admin API (``../shared/api-contract.md``, "Shop configuration")."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from catalog.models import TaxClass
from ecommerce.common.api_fields import StrictCharField
from ecommerce.common.countries import COUNTRY_CODES

REGION_HELP = (
    "A region of the country (e.g. `CA` for California, as addresses name it; compared "
    "case-insensitively, stored upper case), or null for the whole country. A region's rate "
    "overrides the country's for its class."
)


class TaxRateSerializer(serializers.Serializer):
    id = StrictCharField(source="public_id", help_text="Tax rate public id (`txr_…`).")
    country = serializers.ChoiceField(choices=COUNTRY_CODES, help_text="ISO 3166-1 alpha-2.")
    region = serializers.SerializerMethodField(help_text=REGION_HELP)
    tax_class = serializers.ChoiceField(choices=TaxClass.values)
    rate = serializers.DecimalField(
        max_digits=5,
        decimal_places=2,
        min_value=Decimal(0),
        max_value=Decimal(100),
        help_text="Percent, e.g. 19.00.",
    )

    class Meta:
        ref_name = "TaxRate"

    @extend_schema_field({"type": "string", "nullable": True})
    def get_region(self, rate: Any) -> str | None:
        return rate.region or None

    def to_representation(self, instance: Any) -> Any:
        data = super().to_representation(instance)
        data["country"] = str(instance.country)
        return data


class TaxRateWriteSerializer(serializers.Serializer):
    """POST needs country and rate (tax_class defaults to standard); PATCH any subset."""

    country = serializers.ChoiceField(choices=COUNTRY_CODES, help_text="ISO 3166-1 alpha-2, upper case.")
    region = StrictCharField(max_length=100, required=False, allow_null=True, help_text=REGION_HELP)
    tax_class = serializers.ChoiceField(choices=TaxClass.values, required=False)
    rate = serializers.DecimalField(
        max_digits=5,
        decimal_places=2,
        min_value=Decimal(0),
        max_value=Decimal(100),
        help_text="Percent, e.g. 19.00.",
    )

    class Meta:
        ref_name = "TaxRateWrite"
