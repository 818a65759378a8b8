"""Order shapes of the API contract."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import Context, Decimal
from typing import Any

from django.db.models import Manager
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from ecommerce.common.api_fields import StrictCharField
from orders.access import is_guest_order, order_access_token
from orders.models import Order, OrderChannel, OrderStatus
from orders.state import MANUAL_TARGETS

ADDRESS_FIELDS = ("name", "line1", "line2", "city", "region", "postal_code", "country", "phone")


class OrderLineProductSerializer(serializers.Serializer):
    """The product of an order line, as a cart line describes it (as it was when ordered)."""

    id = StrictCharField(source="product_public_id", help_text="Product public id (`prod_…`).")
    name = StrictCharField(help_text="The product's name when the order was placed.")

    class Meta:
        ref_name = "OrderLineProduct"


class OrderLineSerializer(serializers.Serializer):
    product_id = StrictCharField(source="product_public_id")
    product = OrderLineProductSerializer(
        source="*", help_text="The product, shaped like a cart line's `product` (`product_id`/`name` kept)."
    )
    variant_id = StrictCharField(source="variant_public_id", help_text="Variant public id (`var_…`).")
    sku = StrictCharField(allow_blank=True, help_text="The variant's SKU when the order was placed.")
    options = serializers.DictField(
        child=StrictCharField(), help_text="The variant's option values when the order was placed."
    )
    name = StrictCharField()
    unit_price = serializers.DecimalField(
        max_digits=12, decimal_places=2, min_value=0, help_text="As entered (gross when prices include tax)."
    )
    quantity = serializers.IntegerField(min_value=1)
    line_total = serializers.DecimalField(
        max_digits=14, decimal_places=2, min_value=0, help_text="unit_price × quantity, before discounts."
    )
    unit_price_net = serializers.DecimalField(max_digits=12, decimal_places=2, min_value=0)
    unit_price_gross = serializers.DecimalField(max_digits=12, decimal_places=2, min_value=0)
    tax_rate = serializers.DecimalField(max_digits=5, decimal_places=2, min_value=0, help_text="Percent.")
    discount = serializers.DecimalField(
        max_digits=14, decimal_places=2, min_value=0, help_text="Net: the line's share of the discounts."
    )
    tax = serializers.DecimalField(max_digits=14, decimal_places=2, min_value=0)
    total = serializers.DecimalField(
        max_digits=14, decimal_places=2, min_value=0, help_text="Gross: net − discount + tax."
    )


class StatusOrNullField(serializers.ChoiceField):
    """An order status, or ``null`` where the model stores ``""`` (the creation event has no
    previous status)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(choices=OrderStatus.choices, allow_null=True, **kwargs)

    def to_representation(self, value: Any) -> Any:  # str, or None for ""
        return None if value in ("", None) else super().to_representation(value)


class OrderEventSerializer(serializers.Serializer):
    from_status = StatusOrNullField(help_text="`null` on the event that created the order.")
    to_status = serializers.ChoiceField(choices=OrderStatus.choices)
    actor = StrictCharField(source="actor_label", allow_blank=True)
    note = StrictCharField(allow_blank=True)
    created_at = serializers.DateTimeField()


class CustomerKind:
    USER = "user"
    GUEST = "guest"
    EXTERNAL = "external"
    DELETED = "deleted"
    CHOICES = (
        (USER, "A shop account: id is its usr_… id"),
        (GUEST, "A guest checkout: id is null, email is the guest's"),
        (EXTERNAL, "An inventory API order: id is the caller's customer id"),
        (DELETED, "The account was deleted: id is null"),
    )


def customer_kind(order: Order) -> str:
    """``deleted`` once the customer's account is gone (``order_anonymise_for_user`` unlinks the
    user and blanks the email; a deleted user's orders keep no user either), ``guest`` for a
    shop order placed without an account (no customer reference, the guest's email), else
    ``external`` for inventory API orders and ``user`` for shop orders."""
    if is_guest_order(order):
        return CustomerKind.GUEST
    if order.user_id is None and (order.channel == OrderChannel.SHOP or not order.customer_email):
        return CustomerKind.DELETED
    return CustomerKind.EXTERNAL if order.channel == OrderChannel.INVENTORY_API else CustomerKind.USER


class CustomerSerializer(serializers.Serializer):
    kind = serializers.SerializerMethodField(
        help_text="`user`: a shop account (`id` is its usr_… id); `external`: an inventory API order "
        "(`id` is the caller's customer id); `deleted`: the account was deleted (`id` is null)."
    )
    id = serializers.SerializerMethodField()
    email = StrictCharField(source="customer_email", allow_blank=True)

    @extend_schema_field(serializers.ChoiceField(choices=CustomerKind.CHOICES))
    def get_kind(self, order: Order) -> str:
        return customer_kind(order)

    @extend_schema_field(StrictCharField(allow_null=True, max_length=64))
    def get_id(self, order: Order) -> str | None:
        return (
            None if customer_kind(order) in (CustomerKind.DELETED, CustomerKind.GUEST) else order.customer_ref
        )


class AddressSerializer(serializers.Serializer):
    name = StrictCharField(max_length=200)
    line1 = StrictCharField(max_length=200)
    line2 = StrictCharField(max_length=200, required=False, allow_blank=True, default="")
    city = StrictCharField(max_length=100)
    postal_code = StrictCharField(max_length=20)
    country = serializers.RegexField(r"^[A-Za-z]{2}$", help_text="ISO 3166-1 alpha-2 code, e.g. FR.")


class ShippingAddressSerializer(serializers.Serializer):
    """The address as the order shows it (blank fields but ``country`` after account deletion)."""

    name = StrictCharField(allow_blank=True)
    line1 = StrictCharField(allow_blank=True)
    line2 = StrictCharField(allow_blank=True)
    city = StrictCharField(allow_blank=True)
    region = StrictCharField(allow_blank=True)
    postal_code = StrictCharField(allow_blank=True)
    country = StrictCharField(allow_blank=True, help_text="ISO 3166-1 alpha-2 code, e.g. GB.")
    phone = StrictCharField(allow_blank=True)


class TaxBreakdownSerializer(serializers.Serializer):
    rate = serializers.DecimalField(max_digits=5, decimal_places=2, help_text="Percent.")
    base = serializers.DecimalField(max_digits=14, decimal_places=2, help_text="Net amount taxed.")
    tax = serializers.DecimalField(max_digits=14, decimal_places=2)


class ShippingMethodSnapshotSerializer(serializers.Serializer):
    id = StrictCharField()
    name = StrictCharField()
    price = serializers.DecimalField(max_digits=12, decimal_places=2, min_value=0)
    min_days = serializers.IntegerField(allow_null=True)
    max_days = serializers.IntegerField(allow_null=True)


class OrderSerializer(serializers.Serializer):
    id = StrictCharField(source="public_id")
    status = serializers.ChoiceField(choices=OrderStatus.choices)
    channel = serializers.ChoiceField(choices=OrderChannel.choices)
    items = OrderLineSerializer(source="lines", many=True)
    subtotal = serializers.DecimalField(
        max_digits=14, decimal_places=2, min_value=0, help_text="Net, before discounts (docs/pricing.md)."
    )
    discount_total = serializers.DecimalField(max_digits=14, decimal_places=2, min_value=0)
    shipping_total = serializers.DecimalField(max_digits=14, decimal_places=2, min_value=0)
    tax_total = serializers.DecimalField(max_digits=14, decimal_places=2, min_value=0)
    total_amount = serializers.DecimalField(
        max_digits=14,
        decimal_places=2,
        min_value=0,
        help_text="subtotal − discount_total + shipping_total + tax_total, exactly.",
    )
    prices_include_tax = serializers.BooleanField()
    tax_breakdown = TaxBreakdownSerializer(many=True)
    shipping_method = serializers.SerializerMethodField()
    discount_codes = serializers.ListField(child=StrictCharField())
    currency = StrictCharField()
    shipping_address = serializers.SerializerMethodField(
        help_text="`null` for inventory API orders (they have no address)."
    )
    billing_address = serializers.SerializerMethodField()
    customer = CustomerSerializer(source="*")
    timeline = OrderEventSerializer(source="events", many=True)
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()
    access_token = serializers.SerializerMethodField(
        help_text="Guest orders only, to whoever placed or holds the link: "
        "`GET /api/orders/{id}/?token=<access_token>` reads the order without an account."
    )

    def to_representation(self, instance: Any) -> dict[str, Any]:
        """:func:`order_representation`: the fields above, written out (tested equal to DRF's
        field-by-field rendering of them, which stays the schema)."""
        return order_representation(instance, guest=bool(self.context.get("guest")))

    @extend_schema_field(StrictCharField(allow_null=True))
    def get_access_token(self, order: Order) -> str | None:
        return _access_token(order, guest=bool(self.context.get("guest")))

    @extend_schema_field(ShippingMethodSnapshotSerializer(allow_null=True))
    def get_shipping_method(self, order: Order) -> dict[str, Any] | None:
        return order.shipping_method or None

    @extend_schema_field(ShippingAddressSerializer(allow_null=True))
    def get_billing_address(self, order: Order) -> dict[str, str] | None:
        return _address(order.billing_address)

    @extend_schema_field(ShippingAddressSerializer(allow_null=True))
    def get_shipping_address(self, order: Order) -> dict[str, str] | None:
        return _address(order.shipping_address)


def _access_token(order: Order, *, guest: bool) -> str | None:
    if not guest or customer_kind(order) != CustomerKind.GUEST:
        return None
    return order_access_token(order.public_id)


def _address(address: Any) -> dict[str, str] | None:
    if not isinstance(address, dict) or not address:
        return None
    return {field: str(address.get(field) or "") for field in ADDRESS_FIELDS}


# --- The order, written out -----------------------------------------------------------------------
#
# DRF renders a serializer field by field (a source lookup, a None check and a call per field,
# per line, per timeline event): about 1 ms for an order of two lines, twice per checkout for the
# order.created and order.paid payloads and once more for the response (bench/checkout.py --cpu,
# docs/benchmarks.md). order_representation gives the same dict at a fraction of that; the
# serializer's declared fields stay the schema, and tests/orders/test_order_representation.py
# holds the two equal (values, types and key order) for every kind of order.

_CENT = Decimal("0.01")
_CONTEXTS = {digits: Context(prec=digits) for digits in (5, 12, 14)}
_DATETIME = serializers.DateTimeField()
_STATUS = serializers.ChoiceField(choices=OrderStatus.choices)
_CHANNEL = serializers.ChoiceField(choices=OrderChannel.choices)
_BOOLEAN = serializers.BooleanField()


def _decimal(value: Any, digits: int = 14) -> Decimal | None:
    """As ``DecimalField(max_digits=digits, decimal_places=2)`` renders ``value``."""
    if value is None:
        return None
    if not isinstance(value, Decimal):
        value = Decimal(str(value).strip())
    return value.quantize(_CENT, context=_CONTEXTS[digits])


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


def _datetime(value: Any) -> str | None:
    return None if value is None else _DATETIME.to_representation(value)


def _rows(value: Any) -> Iterable[Any]:
    """A related manager's rows (prefetched ones when they are), or the list a record holds."""
    return value.all() if isinstance(value, Manager) else value


def _line_representation(line: Any) -> dict[str, Any]:
    options = line.options
    product_id, name = _text(line.product_public_id), _text(line.name)
    quantity = line.quantity
    return {
        "product_id": product_id,
        "product": {"id": product_id, "name": name},
        "variant_id": _text(line.variant_public_id),
        "sku": _text(line.sku),
        "options": None
        if options is None
        else {str(key): None if value is None else str(value) for key, value in options.items()},
        "name": name,
        "unit_price": _decimal(line.unit_price, 12),
        "quantity": None if quantity is None else int(quantity),
        "line_total": _decimal(line.line_total),
        "unit_price_net": _decimal(line.unit_price_net, 12),
        "unit_price_gross": _decimal(line.unit_price_gross, 12),
        "tax_rate": _decimal(line.tax_rate, 5),
        "discount": _decimal(line.discount),
        "tax": _decimal(line.tax),
        "total": _decimal(line.total),
    }


def _event_representation(event: Any) -> dict[str, Any]:
    from_status = event.from_status
    return {
        "from_status": None if from_status in ("", None) else _STATUS.to_representation(from_status),
        "to_status": None if event.to_status is None else _STATUS.to_representation(event.to_status),
        "actor": _text(event.actor_label),
        "note": _text(event.note),
        "created_at": _datetime(event.created_at),
    }


def _tax_row(row: Mapping[str, Any]) -> dict[str, Any]:
    return {"rate": _decimal(row["rate"], 5), "base": _decimal(row["base"]), "tax": _decimal(row["tax"])}


def order_representation(order: Any, *, guest: bool = False) -> dict[str, Any]:
    """``OrderSerializer``'s output for ``order`` (an :class:`Order` or an ``OrderRecord``),
    before JSON; ``guest`` as the serializer's ``guest`` context (the access token)."""
    kind = customer_kind(order)
    codes, breakdown, include_tax = order.discount_codes, order.tax_breakdown, order.prices_include_tax
    return {
        "id": _text(order.public_id),
        "status": _STATUS.to_representation(order.status),
        "channel": _CHANNEL.to_representation(order.channel),
        "items": [_line_representation(line) for line in _rows(order.lines)],
        "subtotal": _decimal(order.subtotal),
        "discount_total": _decimal(order.discount_total),
        "shipping_total": _decimal(order.shipping_total),
        "tax_total": _decimal(order.tax_total),
        "total_amount": _decimal(order.total_amount),
        "prices_include_tax": None if include_tax is None else _BOOLEAN.to_representation(include_tax),
        "tax_breakdown": None if breakdown is None else [_tax_row(row) for row in breakdown],
        "shipping_method": order.shipping_method or None,
        "discount_codes": None if codes is None else [None if code is None else str(code) for code in codes],
        "currency": _text(order.currency),
        "shipping_address": _address(order.shipping_address),
        "billing_address": _address(order.billing_address),
        "customer": {
            "kind": kind,
            "id": None if kind in (CustomerKind.DELETED, CustomerKind.GUEST) else order.customer_ref,
            "email": _text(order.customer_email),
        },
        "timeline": [_event_representation(event) for event in _rows(order.events)],
        "created_at": _datetime(order.created_at),
        "updated_at": _datetime(order.updated_at),
        "access_token": _access_token(order, guest=guest),
    }


class PaymentSerializer(serializers.Serializer):
    method = serializers.ChoiceField(choices=["card"], default="card")
    token = StrictCharField(max_length=200)


class CheckoutSerializer(serializers.Serializer):
    shipping_address = AddressSerializer()
    payment = PaymentSerializer()


class OrderStatusUpdateSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=sorted(MANUAL_TARGETS))


class OrderListQuerySerializer(serializers.Serializer):
    user = StrictCharField(required=False, max_length=64, help_text="Admins: a user's public id.")
    status = serializers.ChoiceField(choices=OrderStatus.choices, required=False)
