"""Shapes of the shipping admin API (``../shared/api-contract.md``, "Shop configuration")."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from ecommerce.common.api_fields import StrictCharField, StrictIntegerField
from ecommerce.common.countries import COUNTRY_CODES_OR_REST_OF_WORLD
from shipping.models import MAX_TIERS, RateType

MAX_METHODS = 50
MAX_DAYS = 365


def _money(**kwargs: Any) -> serializers.DecimalField:
    return serializers.DecimalField(max_digits=12, decimal_places=2, min_value=Decimal(0), **kwargs)


@extend_schema_field(
    {
        "type": "number",
        "format": "decimal",
        "multipleOf": 0.01,
        "minimum": 0,
        "maximum": 9999999999.99,
        "description": "Where the tier starts: an order subtotal (as entered) for `subtotal_tiers`, "
        "whole grams for `weight_tiers`.",
    }
)
class TierStartField(serializers.Field):
    """A tier's ``from`` as stored: whole grams (an int) or money (a decimal string)."""

    def to_representation(self, value: Any) -> Any:
        return value if isinstance(value, int) else Decimal(str(value))


class ShippingTierSerializer(serializers.Serializer):
    price = _money(help_text="The price from this tier on (as entered).")

    class Meta:
        ref_name = "ShippingTier"

    def get_fields(self) -> dict[str, serializers.Field]:
        return {"from": TierStartField(), **super().get_fields()}


class ShippingTierWriteSerializer(serializers.Serializer):
    price = _money(help_text="The price from this tier on (as entered).")

    class Meta:
        ref_name = "ShippingTierWrite"

    def get_fields(self) -> dict[str, serializers.Field]:
        start = _money(
            help_text="Where the tier starts: a subtotal for `subtotal_tiers`, whole grams for "
            "`weight_tiers`; larger than the previous tier's."
        )
        return {"from": start, **super().get_fields()}


class ShippingMethodSerializer(serializers.Serializer):
    id = StrictCharField(source="public_id", help_text="Shipping method public id (`shm_…`).")
    name = StrictCharField()
    rate_type = serializers.ChoiceField(choices=RateType.values)
    price = _money(
        help_text="The flat price; for tiered methods the price below the first tier (as entered)."
    )
    tiers = ShippingTierSerializer(
        many=True, help_text="Tiered methods' tiers, ascending `from`; [] for flat."
    )
    free_above = _money(
        allow_null=True, help_text="Free (0) when the order subtotal reaches this; null: never."
    )
    min_days = serializers.IntegerField(min_value=0)
    max_days = serializers.IntegerField(min_value=0)
    is_active = serializers.BooleanField(help_text="Only active methods are offered.")

    class Meta:
        ref_name = "ShippingMethod"


class ShippingZoneSerializer(serializers.Serializer):
    id = StrictCharField(source="public_id", help_text="Shipping zone public id (`shz_…`).")
    name = StrictCharField()
    countries = serializers.ListField(
        child=serializers.ChoiceField(choices=COUNTRY_CODES_OR_REST_OF_WORLD),
        help_text='ISO 3166-1 alpha-2 codes, or `["*"]`: the rest of the world (every country no other '
        "zone names).",
    )
    methods = ShippingMethodSerializer(many=True, help_text="The zone's methods, by name.")

    class Meta:
        ref_name = "ShippingZone"


class ShippingMethodWriteSerializer(serializers.Serializer):
    """A new method needs name, price, min_days and max_days; PATCH any subset."""

    name = StrictCharField(max_length=120)
    rate_type = serializers.ChoiceField(choices=RateType.values, required=False)
    price = _money(help_text="The flat price; for tiered methods the price below the first tier.")
    tiers = ShippingTierWriteSerializer(  # type: ignore[call-arg]  # DRF's ListSerializer takes max_length
        many=True,
        required=False,
        max_length=MAX_TIERS,
        help_text="Tiered methods only (at least one), in ascending `from`.",
    )
    free_above = _money(required=False, allow_null=True)
    min_days = StrictIntegerField(min_value=0, max_value=MAX_DAYS)
    max_days = StrictIntegerField(min_value=0, max_value=MAX_DAYS, help_text="At least min_days.")
    is_active = serializers.BooleanField(required=False)

    class Meta:
        ref_name = "ShippingMethodWrite"


class ShippingMethodInZoneSerializer(ShippingMethodWriteSerializer):
    """An entry of a zone's ``methods`` in a PATCH: with ``id`` it changes that method (any subset of
    its fields), without one it adds a method (name, price, min_days and max_days needed)."""

    id = StrictCharField(max_length=64, required=False, help_text="A method of this zone (`shm_…`).")
    name = StrictCharField(max_length=120, required=False)
    price = _money(required=False)
    min_days = StrictIntegerField(min_value=0, max_value=MAX_DAYS, required=False)
    max_days = StrictIntegerField(min_value=0, max_value=MAX_DAYS, required=False)

    class Meta:
        ref_name = "ShippingMethodInZone"


class ShippingZoneWriteSerializer(serializers.Serializer):
    name = StrictCharField(max_length=120)
    countries = serializers.ListField(
        child=serializers.ChoiceField(choices=COUNTRY_CODES_OR_REST_OF_WORLD),
        min_length=1,
        max_length=len(COUNTRY_CODES_OR_REST_OF_WORLD),
        help_text='ISO 3166-1 alpha-2 codes, or `["*"]` alone for the rest of the world. A country (and '
        "the rest of the world) belongs to at most one zone.",
    )
    methods = ShippingMethodWriteSerializer(many=True, required=False, max_length=MAX_METHODS)  # type: ignore[call-arg]  # DRF's ListSerializer takes max_length

    class Meta:
        ref_name = "ShippingZoneWrite"


class ShippingZoneUpdateSerializer(ShippingZoneWriteSerializer):
    methods = ShippingMethodInZoneSerializer(  # type: ignore[call-arg]  # DRF's ListSerializer takes max_length
        many=True,
        required=False,
        max_length=MAX_METHODS,
        help_text="The zone's whole list of methods: entries with `id` change those, entries without "
        "add methods, and the zone's methods left out are deleted.",
    )

    class Meta:
        ref_name = "ShippingZoneUpdate"
