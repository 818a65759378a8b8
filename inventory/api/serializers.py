"""Shapes of the store-manager inventory API (``api-contract.md``, "Store-manager inventory API").

Types are strict: JSON numbers for money (at most two decimals), JSON integers for quantities
(``true``, ``2.5`` and ``"3"`` are refused), JSON strings for ids and names.
"""

from __future__ import annotations

from decimal import ROUND_DOWN, Decimal, InvalidOperation
from typing import Any

from rest_framework import serializers

from accounts.ids import EXTERNAL_ID_MESSAGE, EXTERNAL_ID_REGEX
from catalog.models import ProductStatus
from ecommerce.common.api_fields import StrictCharField, StrictIntegerField

from ..services import MAX_BATCH

ID_REGEX = EXTERNAL_ID_REGEX  # \A…\Z: the whole string (the schema shows it as ^…$)
ID_HELP = "1–64 characters of A-Za-z0-9_- chosen by the caller."
MAX_QUANTITY = 2_147_483_647
MAX_PRICE = Decimal("9999999999.99")
CENT = Decimal("0.01")


class ExternalIdField(serializers.RegexField, StrictCharField):
    """``manager_id`` / customer ``id``: 1–64 chars of ``A-Za-z0-9_-``, nothing before or after
    (not even a final newline, which a ``^…$`` regex would let through)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("help_text", ID_HELP)
        super().__init__(
            ID_REGEX,
            max_length=64,
            trim_whitespace=False,
            error_messages={"invalid": EXTERNAL_ID_MESSAGE},
            **kwargs,
        )


class MoneyField(serializers.DecimalField):
    """A JSON number ≥ 0 with at most two decimals (more decimals are refused, not rounded)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(
            max_digits=12, decimal_places=2, min_value=Decimal("0"), max_value=MAX_PRICE, **kwargs
        )

    def to_internal_value(self, data: Any) -> Decimal:
        if isinstance(data, bool) or not isinstance(data, int | float | Decimal):
            self.fail("invalid")
        if isinstance(data, Decimal):
            try:
                if data == data.quantize(CENT, rounding=ROUND_DOWN):
                    data = data.quantize(CENT)  # 15.990 is 15.99: only significant decimals count
            except InvalidOperation:
                pass  # too large to quantize: refused below by max_digits
        return super().to_internal_value(data)


# --- products -------------------------------------------------------------------------------


class InventoryProductSerializer(serializers.Serializer):
    """A product as the inventory API shows it: exactly these four fields."""

    id = StrictCharField(help_text="Product public id (prod_…).")
    name = StrictCharField()
    price = serializers.DecimalField(max_digits=12, decimal_places=2, coerce_to_string=False, min_value=0)
    quantity = serializers.IntegerField()


class InventoryProductsResponseSerializer(serializers.Serializer):
    products = InventoryProductSerializer(many=True)


class InventoryProductItemSerializer(serializers.Serializer):
    id = StrictCharField(
        required=False,
        allow_null=True,
        max_length=64,
        help_text="Optional: this manager's product (prod_…) to update. Else matched by exact name.",
    )
    name = StrictCharField(max_length=200, help_text="Matched exactly (case-sensitive) within the manager.")
    price = MoneyField(help_text="≥ 0, at most two decimals.")
    quantity = StrictIntegerField(min_value=0, max_value=MAX_QUANTITY)


class InventoryProductsUpsertSerializer(serializers.Serializer):
    manager_id = ExternalIdField()
    products = InventoryProductItemSerializer(many=True, allow_empty=False, max_length=MAX_BATCH)  # type: ignore[call-arg]  # for the ListSerializer


class InventoryProductsQuerySerializer(serializers.Serializer):
    manager_id = ExternalIdField()
    status = serializers.ChoiceField(choices=ProductStatus.choices, required=False)


# --- discontinue ----------------------------------------------------------------------------


class InventoryDiscontinueSerializer(serializers.Serializer):
    manager_id = ExternalIdField()
    product_id = StrictCharField(max_length=64, help_text="Product public id (prod_…).")


# --- orders/process -------------------------------------------------------------------------


class InventoryCustomerSerializer(serializers.Serializer):
    id = ExternalIdField()
    email = serializers.EmailField(max_length=254)


class InventoryOrderLineSerializer(serializers.Serializer):
    product_id = StrictCharField(
        max_length=64,
        help_text="Product public id (prod_…) of a product with one variant, or a variant id (var_…).",
    )
    quantity = StrictIntegerField(min_value=1, max_value=MAX_QUANTITY)


class InventoryOrderProcessSerializer(serializers.Serializer):
    manager_id = ExternalIdField()
    customer = InventoryCustomerSerializer()
    products = InventoryOrderLineSerializer(many=True, allow_empty=False, max_length=MAX_BATCH)  # type: ignore[call-arg]  # for the ListSerializer


class InventoryOrderProcessResponseSerializer(serializers.Serializer):
    order_id = StrictCharField(help_text="Order public id (ord_…).")
    status = serializers.ChoiceField(choices=["processed"])
    total_amount = serializers.DecimalField(
        max_digits=14, decimal_places=2, coerce_to_string=False, min_value=0
    )
