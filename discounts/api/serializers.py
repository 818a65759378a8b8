"""Shapes of the discounts admin API (``../shared/api-contract.md``, "Shop configuration")."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from rest_framework import serializers

from discounts.models import CODE_MAX_LENGTH, DiscountKind, PromotionKind
from discounts.services import MAX_SCOPE_IDS
from ecommerce.common.api_fields import StrictCharField, StrictIntegerField

CODE_REGEX = rf"^[A-Za-z0-9][A-Za-z0-9_-]{{0,{CODE_MAX_LENGTH - 1}}}$"
VALUE_HELP = "A percentage in (0, 100] for `percentage`, an amount (as entered) above 0 for `fixed`; 0 for free shipping."


def _money(**kwargs: Any) -> serializers.DecimalField:
    return serializers.DecimalField(max_digits=12, decimal_places=2, min_value=Decimal(0), **kwargs)


def _ids(help_text: str, **kwargs: Any) -> serializers.ListField:
    return serializers.ListField(child=StrictCharField(max_length=64), help_text=help_text, **kwargs)


class AppliesToSerializer(serializers.Serializer):
    categories = _ids("Category ids (`cat_…`); a category covers its sub-categories.")
    products = _ids("Product ids (`prod_…`).")
    variants = _ids("Variant ids (`var_…`).")

    class Meta:
        ref_name = "DiscountAppliesTo"

    def to_representation(self, instance: Any) -> Any:
        return {
            relation: [obj.public_id for obj in getattr(instance, relation).all()]
            for relation in ("categories", "products", "variants")
        }


class AppliesToWriteSerializer(serializers.Serializer):
    categories = _ids("Category ids (`cat_…`).", required=False, max_length=MAX_SCOPE_IDS)
    products = _ids("Product ids (`prod_…`).", required=False, max_length=MAX_SCOPE_IDS)
    variants = _ids("Variant ids (`var_…`).", required=False, max_length=MAX_SCOPE_IDS)

    class Meta:
        ref_name = "DiscountAppliesToWrite"


APPLIES_TO_HELP = "What it applies to; all three lists empty: the whole order. A line qualifies when its variant, its product or one of its categories is named."


class VoucherSerializer(serializers.Serializer):
    id = StrictCharField(source="public_id", help_text="Voucher public id (`vch_…`).")
    code = StrictCharField(help_text="Upper case; customers may type it in any case.")
    kind = serializers.ChoiceField(choices=DiscountKind.values)
    value = _money(help_text=VALUE_HELP)
    min_subtotal = _money(allow_null=True, help_text="The order subtotal (as entered) it needs, or null.")
    applies_to = AppliesToSerializer(source="*", help_text=APPLIES_TO_HELP)
    starts_at = serializers.DateTimeField(allow_null=True)
    ends_at = serializers.DateTimeField(allow_null=True, help_text="Usable before this moment; null: no end.")
    usage_limit = serializers.IntegerField(
        allow_null=True, min_value=1, help_text="Uses in all; null: no limit."
    )
    usage_limit_per_customer = serializers.IntegerField(
        allow_null=True, min_value=1, help_text="Uses per customer (account or email); null: no limit."
    )
    used_count = serializers.IntegerField(
        min_value=0, help_text="Uses by orders, not counting released ones (cancelled, failed). Read-only."
    )
    is_active = serializers.BooleanField()

    class Meta:
        ref_name = "Voucher"


class VoucherWriteSerializer(serializers.Serializer):
    """POST needs code and kind (and value unless free_shipping); PATCH any subset. ``used_count``
    is not writable."""

    code = serializers.RegexField(
        CODE_REGEX,
        max_length=CODE_MAX_LENGTH,
        help_text="Letters, digits, `-`, `_`; unique, case-insensitively (stored upper case).",
    )
    kind = serializers.ChoiceField(choices=DiscountKind.values)
    value = _money(required=False, help_text=VALUE_HELP)
    min_subtotal = _money(required=False, allow_null=True)
    applies_to = AppliesToWriteSerializer(
        required=False, help_text="Replaces the scope; left out: unchanged."
    )
    starts_at = serializers.DateTimeField(required=False, allow_null=True)
    ends_at = serializers.DateTimeField(required=False, allow_null=True, help_text="After starts_at.")
    usage_limit = StrictIntegerField(required=False, allow_null=True, min_value=1, max_value=2_147_483_647)
    usage_limit_per_customer = StrictIntegerField(
        required=False, allow_null=True, min_value=1, max_value=2_147_483_647
    )
    is_active = serializers.BooleanField(required=False)

    class Meta:
        ref_name = "VoucherWrite"


class PromotionSerializer(serializers.Serializer):
    id = StrictCharField(source="public_id", help_text="Promotion public id (`prm_…`).")
    name = StrictCharField()
    kind = serializers.ChoiceField(choices=PromotionKind.values)
    value = _money(help_text="A percentage in (0, 100] for `percentage`; 0 for free shipping.")
    min_subtotal = _money(allow_null=True, help_text="The order subtotal (as entered) it needs, or null.")
    applies_to = AppliesToSerializer(source="*", help_text=APPLIES_TO_HELP)
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField(help_text="It applies before this moment.")
    is_active = serializers.BooleanField()

    class Meta:
        ref_name = "Promotion"


class PromotionWriteSerializer(serializers.Serializer):
    """POST needs name, kind, starts_at and ends_at (and value for a percentage); PATCH any subset."""

    name = StrictCharField(max_length=120)
    kind = serializers.ChoiceField(choices=PromotionKind.values)
    value = _money(
        required=False, help_text="A percentage in (0, 100] for `percentage`; ignored for free shipping."
    )
    min_subtotal = _money(required=False, allow_null=True)
    applies_to = AppliesToWriteSerializer(
        required=False, help_text="Replaces the scope; left out: unchanged."
    )
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField(help_text="After starts_at.")
    is_active = serializers.BooleanField(required=False)

    class Meta:
        ref_name = "PromotionWrite"
