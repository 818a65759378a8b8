"""order_create_with_stock: the one path that creates orders for both channels."""

from decimal import Decimal

import pytest
from django.db import transaction

from catalog.exceptions import InsufficientStock
from catalog.models import StockMovement
from orders.models import Order, OrderChannel, OrderStatus
from orders.services import order_anonymise_for_user, order_create_with_stock
from tests.factories import ProductFactory, StoreManagerFactory, UserFactory


@pytest.mark.django_db
def test_creates_order_lines_totals_event_and_takes_stock(django_assert_max_num_queries):
    a = ProductFactory(price=Decimal("15.99"), quantity=10)
    b = ProductFactory(price=Decimal("12.99"), quantity=1)
    user = UserFactory()
    # + 2 outbox INSERTs (issue #14): the stock event (b is out of stock), order.created
    with django_assert_max_num_queries(12), transaction.atomic():
        order, _ = order_create_with_stock(
            channel=OrderChannel.SHOP,
            quantities={a.public_id: 2, b.public_id: 1},
            user=user,
            customer_email=user.email,
        )
    order.refresh_from_db()
    assert order.public_id.startswith("ord_")
    assert order.total_amount == order.subtotal == Decimal("44.97")
    assert order.currency == "USD"
    assert [(line.product_public_id, line.quantity, line.line_total) for line in order.lines.all()] == [
        (a.public_id, 2, Decimal("31.98")),
        (b.public_id, 1, Decimal("12.99")),
    ]
    assert list(order.events.values_list("from_status", "to_status")) == [("", OrderStatus.PENDING)]
    assert StockMovement.objects.filter(order=order).count() == 2
    a.refresh_from_db()
    assert a.quantity == 8


@pytest.mark.django_db
def test_failure_rolls_back_the_order():
    product = ProductFactory(quantity=1)
    with pytest.raises(InsufficientStock), transaction.atomic():
        order_create_with_stock(channel=OrderChannel.INVENTORY_API, quantities={product.public_id: 2})
    assert not Order.objects.exists()


@pytest.mark.django_db
def test_manager_scoped_orders_and_anonymise():
    manager = StoreManagerFactory()
    product = ProductFactory(manager=manager)
    user = UserFactory()
    with transaction.atomic():
        order, _ = order_create_with_stock(
            channel=OrderChannel.INVENTORY_API,
            quantities={product.public_id: 1},
            manager=manager,
            user=user,
            customer_ref="cust_1",
            customer_email="c@example.com",
            shipping_address={"city": "Paris", "country": "FR"},
            status=OrderStatus.PAID,
            actor_label=manager.external_id,
        )
    assert order_anonymise_for_user(user=user) == 1
    order.refresh_from_db()
    assert (order.user, order.customer_email, order.customer_ref) == (None, "", "deleted")
    assert order.shipping_address == {"city": "", "country": "FR"}
    assert order.lines.count() == 1


@pytest.mark.django_db
def test_returned_order_and_lines_are_exactly_what_was_stored():
    """The order is written with hand-written SQL and not read back: the instances returned
    must hold what the database holds (datetimes, decimals, JSON, foreign keys), on every
    database."""
    product = ProductFactory(price=Decimal("1234.56"), quantity=5, name="Ünïcode “name”")
    user = UserFactory()
    address = {"name": "Zoë", "line1": "1 Rue", "city": "Paris", "country": "FR", "extra": [1, None]}
    with transaction.atomic():
        order, lines = order_create_with_stock(
            channel=OrderChannel.SHOP, quantities={product.public_id: 3}, user=user, shipping_address=address
        )
    stored = Order.objects.get(pk=order.pk)
    for field in Order._meta.concrete_fields:
        assert getattr(order, field.attname) == getattr(stored, field.attname), field.name
    assert (
        order.total_amount == Decimal("3703.68")
        and order.created_at.microsecond == stored.created_at.microsecond
    )
    (line,) = lines
    stored_line = stored.lines.get()
    for name in (
        "order_id",
        "product_id",
        "product_public_id",
        "name",
        "unit_price",
        "quantity",
        "line_total",
    ):
        assert getattr(line, name) == getattr(stored_line, name), name
    assert not order._state.adding
