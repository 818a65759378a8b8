"""Checkout session shapes of the API contract ("Checkout sessions", Version 2 additions)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.conf import settings
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from ecommerce.common.api_fields import StrictCharField
from orders.models import CheckoutStatus
from orders.selectors import CheckoutView
from pricing.money import to_minor

from .serializers import PaymentSerializer


def money(**kwargs: Any) -> serializers.DecimalField:
    """An amount: two decimals, never negative."""
    return serializers.DecimalField(max_digits=14, decimal_places=2, min_value=Decimal(0), **kwargs)


def price(**kwargs: Any) -> serializers.DecimalField:
    """A price as entered: two decimals, at most 9,999,999,999.99, never negative."""
    return serializers.DecimalField(max_digits=12, decimal_places=2, min_value=Decimal(0), **kwargs)


class CheckoutAddressSerializer(serializers.Serializer):
    """An address as a session keeps it (validated as the address book validates)."""

    name = StrictCharField(allow_blank=True)
    line1 = StrictCharField(allow_blank=True)
    line2 = StrictCharField(allow_blank=True)
    city = StrictCharField(allow_blank=True)
    region = StrictCharField(allow_blank=True)
    postal_code = StrictCharField(allow_blank=True)
    country = StrictCharField(allow_blank=True, help_text="ISO 3166-1 alpha-2 code, e.g. DE.")
    phone = StrictCharField(allow_blank=True)

    def to_representation(self, instance: Any) -> Any:
        return {field: str(instance.get(field) or "") for field in self.fields}


class CheckoutLineSerializer(serializers.Serializer):
    variant_id = StrictCharField()
    product_id = StrictCharField()
    name = StrictCharField()
    sku = StrictCharField(allow_blank=True)
    options = serializers.DictField(child=StrictCharField())
    quantity = serializers.IntegerField(min_value=1)
    unit_price = price(help_text="As entered: gross when prices include tax.")
    discount = money(source="price.discount", help_text="Net.")
    tax = money(source="price.tax")
    total = money(source="price.total", help_text="Gross: net − discount + tax.")


class ShippingMethodQuoteSerializer(serializers.Serializer):
    id = StrictCharField(source="method_id")
    name = StrictCharField()
    price = price(help_text="As entered (gross when prices include tax).")
    min_days = serializers.IntegerField(allow_null=True)
    max_days = serializers.IntegerField(allow_null=True)


class TotalsSerializer(serializers.Serializer):
    subtotal = money(help_text="Net, before discounts.")
    discount = money(help_text="Net, lines and shipping.")
    shipping = money(help_text="Net, before its discount.")
    tax = money()
    total = money(help_text="subtotal − discount + shipping + tax, exactly.")
    currency = StrictCharField()


class TotalsMinorSerializer(serializers.Serializer):
    subtotal = serializers.IntegerField()
    discount = serializers.IntegerField()
    shipping = serializers.IntegerField()
    tax = serializers.IntegerField()
    total = serializers.IntegerField()
    currency = StrictCharField()


class CheckoutMessageSerializer(serializers.Serializer):
    code = StrictCharField()
    message = StrictCharField()
    details = serializers.DictField()


class CheckoutSessionSerializer(serializers.Serializer):
    """A checkout session (reads a :class:`orders.selectors.CheckoutView`)."""

    id = StrictCharField(source="session.public_id")
    status = serializers.ChoiceField(choices=CheckoutStatus.choices)
    email = StrictCharField(source="session.email", allow_blank=True)
    lines = CheckoutLineSerializer(many=True)
    shipping_address = serializers.SerializerMethodField()
    billing_address = serializers.SerializerMethodField()
    available_shipping_methods = ShippingMethodQuoteSerializer(source="quote.shipping_methods", many=True)
    shipping_method = ShippingMethodQuoteSerializer(source="quote.shipping_method", allow_null=True)
    discount_codes = serializers.ListField(source="session.discount_codes", child=StrictCharField())
    totals = serializers.SerializerMethodField()
    totals_minor = serializers.SerializerMethodField()
    messages = CheckoutMessageSerializer(many=True)
    expires_at = serializers.DateTimeField(source="session.expires_at")
    order_id = StrictCharField(allow_null=True)

    @extend_schema_field(CheckoutAddressSerializer(allow_null=True))
    def get_shipping_address(self, view: CheckoutView) -> Any:
        address = view.session.shipping_address
        return CheckoutAddressSerializer(address).data if address else None

    @extend_schema_field(CheckoutAddressSerializer(allow_null=True))
    def get_billing_address(self, view: CheckoutView) -> Any:
        address = view.session.billing_address
        return CheckoutAddressSerializer(address).data if address else None

    def _amounts(self, view: CheckoutView) -> dict[str, Decimal]:
        pricing = view.quote.pricing
        return {
            "subtotal": pricing.subtotal,
            "discount": pricing.discount,
            "shipping": pricing.shipping,
            "tax": pricing.tax,
            "total": pricing.total,
        }

    @extend_schema_field(TotalsSerializer)
    def get_totals(self, view: CheckoutView) -> Any:
        return TotalsSerializer({**self._amounts(view), "currency": settings.SHOP_CURRENCY}).data

    @extend_schema_field(TotalsMinorSerializer)
    def get_totals_minor(self, view: CheckoutView) -> Any:
        minor: dict[str, Any] = {key: to_minor(value) for key, value in self._amounts(view).items()}
        return {**minor, "currency": settings.SHOP_CURRENCY}


class CheckoutAddressInputSerializer(serializers.Serializer):
    """An address as a PATCH gives it: strings; which are required and their formats depend on
    the country (checked as the address book checks, errors under ``shipping_address.<field>``)."""

    name = StrictCharField(required=False, allow_blank=True, max_length=200)
    line1 = StrictCharField(required=False, allow_blank=True, max_length=200)
    line2 = StrictCharField(required=False, allow_blank=True, max_length=200)
    city = StrictCharField(required=False, allow_blank=True, max_length=100)
    region = StrictCharField(required=False, allow_blank=True, max_length=100)
    postal_code = StrictCharField(required=False, allow_blank=True, max_length=20)
    country = StrictCharField(required=False, allow_blank=True, max_length=2, help_text="ISO 3166-1 alpha-2.")
    phone = StrictCharField(required=False, allow_blank=True, max_length=32)


class CheckoutUpdateSerializer(serializers.Serializer):
    """A PATCH: any of these; an address object is validated per country (the address book's
    rules), an id names an address of the caller's book."""

    email = serializers.EmailField(required=False)
    shipping_address = CheckoutAddressInputSerializer(required=False, allow_null=True)
    shipping_address_id = StrictCharField(
        required=False, max_length=64, help_text="An address book id (`adr_…`)."
    )
    billing_address = CheckoutAddressInputSerializer(required=False, allow_null=True)
    billing_address_id = StrictCharField(required=False, max_length=64)
    shipping_method_id = StrictCharField(required=False, allow_blank=True, max_length=64)
    discount_codes = serializers.ListField(child=StrictCharField(max_length=64), required=False, max_length=5)


class CheckoutCompleteSerializer(serializers.Serializer):
    payment = PaymentSerializer()
    expected_total = money(
        required=False,
        help_text="The total the buyer was shown; another total is 409 PRICE_CHANGED and nothing is taken.",
    )
