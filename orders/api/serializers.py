"""Order shapes of the API contract."""

from __future__ import annotations

from rest_framework import serializers

from orders.models import OrderStatus
from orders.state import MANUAL_TARGETS


class OrderLineProductSerializer(serializers.Serializer):
    """The product of an order line, as a cart line describes it (as it was when ordered)."""

    id = serializers.CharField(source="product_public_id", help_text="Product public id (`prod_…`).")
    name = serializers.CharField(help_text="The product's name when the order was placed.")

    class Meta:
        ref_name = "OrderLineProduct"


class OrderLineSerializer(serializers.Serializer):
    product_id = serializers.CharField(source="product_public_id")
    product = OrderLineProductSerializer(
        source="*", help_text="The product, shaped like a cart line's `product` (`product_id`/`name` kept)."
    )
    name = serializers.CharField()
    unit_price = serializers.DecimalField(max_digits=12, decimal_places=2)
    quantity = serializers.IntegerField()
    line_total = serializers.DecimalField(max_digits=14, decimal_places=2)


class OrderEventSerializer(serializers.Serializer):
    from_status = serializers.CharField(allow_blank=True)
    to_status = serializers.CharField()
    actor = serializers.CharField(source="actor_label", allow_blank=True)
    note = serializers.CharField(allow_blank=True)
    created_at = serializers.DateTimeField()


class CustomerSerializer(serializers.Serializer):
    id = serializers.CharField(source="customer_ref", allow_blank=True)
    email = serializers.CharField(source="customer_email", allow_blank=True)


class AddressSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    line1 = serializers.CharField(max_length=200)
    line2 = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    city = serializers.CharField(max_length=100)
    postal_code = serializers.CharField(max_length=20)
    country = serializers.RegexField(r"^[A-Za-z]{2}$", help_text="ISO 3166-1 alpha-2 code, e.g. FR.")


class OrderSerializer(serializers.Serializer):
    id = serializers.CharField(source="public_id")
    status = serializers.ChoiceField(choices=OrderStatus.choices)
    channel = serializers.CharField()
    items = OrderLineSerializer(source="lines", many=True)
    subtotal = serializers.DecimalField(max_digits=14, decimal_places=2)
    total_amount = serializers.DecimalField(max_digits=14, decimal_places=2)
    currency = serializers.CharField()
    shipping_address = serializers.JSONField()
    customer = CustomerSerializer(source="*")
    timeline = OrderEventSerializer(source="events", many=True)
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()


class PaymentSerializer(serializers.Serializer):
    method = serializers.ChoiceField(choices=["card"], default="card")
    token = serializers.CharField(max_length=200)


class CheckoutSerializer(serializers.Serializer):
    shipping_address = AddressSerializer()
    payment = PaymentSerializer()


class OrderStatusUpdateSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=sorted(MANUAL_TARGETS))


class OrderListQuerySerializer(serializers.Serializer):
    user = serializers.CharField(required=False, max_length=64, help_text="Admins: a user's public id.")
    status = serializers.ChoiceField(choices=OrderStatus.choices, required=False)
