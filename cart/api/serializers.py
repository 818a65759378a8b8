"""Cart shapes of the API contract."""

from rest_framework import serializers

from ecommerce.common.api_fields import StrictCharField


class CartProductSerializer(serializers.Serializer):
    id = StrictCharField(source="public_id")
    name = StrictCharField()
    price = serializers.DecimalField(max_digits=12, decimal_places=2, min_value=0)
    status = serializers.ChoiceField(choices=["in_stock", "out_of_stock", "discontinued"])


class CartVariantSerializer(serializers.Serializer):
    id = StrictCharField(source="public_id", help_text="Variant public id (`var_…`).")
    sku = StrictCharField()
    options = serializers.DictField(child=StrictCharField(), help_text='Option values, e.g. `{"size": "M"}`.')


class CartItemSerializer(serializers.Serializer):
    variant = CartVariantSerializer()
    product = CartProductSerializer()
    quantity = serializers.IntegerField()
    unit_price = serializers.DecimalField(max_digits=12, decimal_places=2, min_value=0)
    line_total = serializers.DecimalField(max_digits=14, decimal_places=2, min_value=0)


class CartSerializer(serializers.Serializer):
    items = CartItemSerializer(many=True)
    saved_for_later = CartItemSerializer(many=True)
    subtotal = serializers.DecimalField(max_digits=14, decimal_places=2, min_value=0)
    item_count = serializers.IntegerField()
    currency = StrictCharField()


class StrictIntegerField(serializers.IntegerField):
    """An integer that refuses booleans, floats with fractions and numeric strings' cousins."""

    def to_internal_value(self, data):
        if isinstance(data, bool) or (isinstance(data, float) and not data.is_integer()):
            self.fail("invalid")
        if isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


class CartItemAddSerializer(serializers.Serializer):
    """``variant_id``, or ``product_id`` for a product with exactly one variant."""

    variant_id = StrictCharField(max_length=64, required=False, help_text="Variant public id (`var_…`).")
    product_id = StrictCharField(
        max_length=64,
        required=False,
        help_text="Product public id, for a product with one variant (else 400 `VARIANT_REQUIRED`).",
    )
    quantity = StrictIntegerField(min_value=1, max_value=10_000, default=1)

    def validate(self, attrs):
        if bool(attrs.get("variant_id")) == bool(attrs.get("product_id")):
            raise serializers.ValidationError({"product_id": "Send either variant_id or product_id."})
        return attrs


class CartItemUpdateSerializer(serializers.Serializer):
    quantity = StrictIntegerField(min_value=0, max_value=10_000)


class GuestCartSerializer(CartSerializer):
    """A new guest cart: its id and its token (shown only here), then the cart."""

    id = StrictCharField(source="public_id", help_text="Public id, `cart_…`.")
    token = StrictCharField(
        help_text="The cart's secret (`ct_…`): send it as `X-Cart-Token` on every `/api/cart/…` request. "
        "Shown only in this response; the shop stores only its SHA-256."
    )

    def get_fields(self) -> dict[str, serializers.Field]:
        fields = super().get_fields()
        return {
            name: fields[name] for name in ("id", "token", *(f for f in fields if f not in ("id", "token")))
        }


class CartMergeSerializer(serializers.Serializer):
    token = StrictCharField(max_length=128, help_text="The guest cart's token (`ct_…`).")
