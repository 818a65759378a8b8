"""Cart shapes of the API contract."""

from rest_framework import serializers

from ecommerce.common.api_fields import StrictCharField


class CartProductSerializer(serializers.Serializer):
    id = StrictCharField(source="public_id")
    name = StrictCharField()
    price = serializers.DecimalField(max_digits=12, decimal_places=2, min_value=0)
    status = serializers.ChoiceField(choices=["in_stock", "out_of_stock", "discontinued"])


class CartItemSerializer(serializers.Serializer):
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
    product_id = StrictCharField(max_length=64)
    quantity = StrictIntegerField(min_value=1, max_value=10_000, default=1)


class CartItemUpdateSerializer(serializers.Serializer):
    quantity = StrictIntegerField(min_value=0, max_value=10_000)
