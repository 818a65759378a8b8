"""``order_representation`` (what ``OrderSerializer`` returns, and the events' ``data``) gives
exactly DRF's field-by-field rendering of the serializer's declared fields: the same keys in the
same order, the same values of the same types, for every kind of order, from the database and
from the record a checkout holds in memory."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from rest_framework import serializers

from catalog.models import ProductVariant
from discounts.services import voucher_create
from orders.api.serializers import OrderSerializer, order_representation
from orders.models import Order, OrderChannel, OrderEvent, OrderStatus
from orders.selectors import CheckoutOwner
from orders.services import PaymentDetails, checkout_complete, order_place
from orders.services.record import OrderRecord
from orders.services.sessions import CheckoutChanges, checkout_create, checkout_update
from shipping.services import shipping_zone_create
from taxes.models import TaxRate
from tests.factories import Breakdown, OrderFactory, ProductFactory, UserFactory, voucher

pytestmark = pytest.mark.django_db
D = Decimal
ADDRESS = {"name": "Ada", "line1": "1 Main St", "city": "Berlin", "postal_code": "10115", "country": "DE"}


def field_by_field(order: Any, *, guest: bool) -> dict[str, Any]:
    """DRF's own rendering of ``OrderSerializer``'s declared fields (the schema's)."""
    return serializers.Serializer.to_representation(OrderSerializer(context={"guest": guest}), order)


def typed(value: Any) -> Any:
    """``value`` with every leaf's type, every decimal's exponent (``19`` is not ``19.00``) and
    every mapping's key order made comparable."""
    if isinstance(value, dict):
        return [(key, typed(item)) for key, item in value.items()]
    if isinstance(value, list):
        return [typed(item) for item in value]
    return (type(value).__name__, str(value) if isinstance(value, Decimal) else value)


def assert_same(order: Any, *, guest: bool = False) -> dict[str, Any]:
    fast = order_representation(order, guest=guest)
    assert typed(fast) == typed(field_by_field(order, guest=guest))
    assert OrderSerializer(order, context={"guest": guest}).data == fast
    return fast


@pytest.fixture
def priced_order():
    """An order with two lines, a voucher, shipping, 19 % tax, a billing address and a
    timeline of three events (one with a note)."""
    tee, mug = ProductFactory(name="Tee", price=D("25.00")), ProductFactory(name="Mug", price=D("12.99"))
    ProductVariant.objects.filter(product=tee).update(options={"size": "M"})
    order = OrderFactory(
        lines=[(tee, 2), (mug, 1)],
        shipping_address=ADDRESS,
        breakdown=Breakdown(
            tax_rate=D("19"),
            shipping=D("4.90"),
            discounts=[voucher("SAVE5", "fixed", "5.00")],
            billing_address={**ADDRESS, "name": "Ada's office"},
        ),
    )
    for from_status, to_status, note in [
        ("", "pending", ""),
        ("pending", "paid", ""),
        ("paid", "shipped", "DHL"),
    ]:
        OrderEvent.objects.create(
            order=order, from_status=from_status, to_status=to_status, actor_label="system", note=note
        )
    return order


@pytest.mark.parametrize("guest", [False, True])
def test_a_priced_order_read_from_the_database(priced_order, guest):
    order = Order.objects.prefetch_related("lines", "events").get(pk=priced_order.pk)
    data = assert_same(order, guest=guest)
    assert data["discount_codes"] == ["SAVE5"] and len(data["items"]) == 2 and len(data["timeline"]) == 3
    assert data["timeline"][0]["from_status"] is None and data["timeline"][2]["note"] == "DHL"
    assert data["billing_address"]["name"] == "Ada's office" and data["tax_breakdown"]
    assert data["access_token"] is None  # a user's order has none, whatever the context says


def test_a_record_renders_as_its_order(priced_order):
    lines = list(priced_order.lines.order_by("id"))
    events = list(priced_order.events.order_by("created_at", "id"))
    record = OrderRecord(order=priced_order, lines=lines, events=events)
    assert assert_same(record) == assert_same(Order.objects.get(pk=priced_order.pk))


@pytest.mark.parametrize(
    ("kind", "fields"),
    [
        ("guest", {"user": None, "customer_ref": "", "customer_email": "guest@example.com"}),
        ("deleted", {"user": None, "customer_ref": "", "customer_email": "", "shipping_address": {}}),
        (
            "external",
            {
                "user": None,
                "channel": OrderChannel.INVENTORY_API,
                "customer_ref": "cust_9",
                "customer_email": "c@x.io",
            },
        ),
        ("user", {"status": OrderStatus.CANCELLED, "shipping_address": {"country": "FR", "city": None}}),
    ],
)
@pytest.mark.parametrize("guest", [False, True])
def test_every_kind_of_customer_and_address(kind, fields, guest):
    order = OrderFactory(lines=[(ProductFactory(), 3)], **fields)
    data = assert_same(Order.objects.get(pk=order.pk), guest=guest)
    assert data["customer"]["kind"] == kind
    assert (data["access_token"] is not None) == (guest and kind == "guest")


def test_an_order_without_lines_or_events():
    data = assert_same(OrderFactory(shipping_address={}))
    assert data["items"] == [] and data["timeline"] == [] and data["shipping_address"] is None


def test_the_records_a_checkout_holds_in_memory(auth_client):
    """Amounts as the pricing computed them and statuses as the services set them (not read
    back from the database): the events' payloads and the checkout's response are built from
    these."""
    zone = shipping_zone_create(
        name="DE",
        countries=["DE"],
        methods=[{"name": "Standard", "price": D("4.90"), "min_days": 1, "max_days": 3}],
    )
    TaxRate.objects.create(country="DE", tax_class="standard", rate=D("19.00"))
    voucher_create(data={"code": "TEN", "kind": "percentage", "value": D("10")})
    product = ProductFactory(price=D("19.99"), quantity=10)
    payment = PaymentDetails(method="card", token="tok_ok")
    records = []
    for _ in range(2):
        user = UserFactory()
        client = auth_client(user)
        assert (
            client.post(
                "/api/cart/items/", {"product_id": product.public_id, "quantity": 3}, format="json"
            ).status_code
            == 201
        )
        records.append((user, client))
    (first, _), (second, second_client) = records
    owner = CheckoutOwner(user=first, cart_id=None)
    session = checkout_create(owner=owner)
    checkout_update(
        public_id=session.public_id,
        owner=owner,
        changes=CheckoutChanges(
            shipping_address=ADDRESS, shipping_method_id=zone.methods.get().public_id, discount_codes=["TEN"]
        ),
    )
    record, _ = checkout_complete(public_id=session.public_id, owner=owner, payment=payment)
    data = assert_same(record)
    assert data["status"] == "paid" and data["discount_codes"] == ["TEN"]
    assert [event["to_status"] for event in data["timeline"]] == ["pending", "paid"]
    assert data["shipping_method"]["name"] == "Standard" and data["tax_total"] > 0

    one_shot, _ = order_place(
        user=second, shipping_address=ADDRESS, payment=payment, idempotency_key=None, request_hash="h"
    )
    assert assert_same(one_shot)["customer"]["kind"] == "user"
