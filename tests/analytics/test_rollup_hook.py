"""Order changes reach the rollups through a hook (``orders.signals.order_status_changed``,
connected by ``analytics`` in ``AnalyticsConfig.ready``): orders never imports analytics, and
the receivers run in the order's transaction, so the rollups commit with the order or not at all."""

import pytest
from django.db import transaction

from analytics.models import DailyOrderStats
from analytics.services import order_stats_receiver
from catalog.models import Product, StockMovement
from orders.models import Order, OrderChannel
from orders.services import order_create_with_stock
from orders.signals import order_status_changed
from tests.factories import ProductFactory

pytestmark = pytest.mark.django_db


def test_analytics_subscribes_to_order_changes():
    assert order_stats_receiver in [ref() for _, ref, *_ in order_status_changed.receivers]


def test_an_order_creation_moves_the_rollups_in_its_transaction():
    product = ProductFactory(quantity=5, price="2.00")
    with transaction.atomic():
        order_create_with_stock(channel=OrderChannel.SHOP, quantities={product.public_id: 2})
    row = DailyOrderStats.objects.get()
    assert (row.orders, row.units, row.status) == (1, 2, "pending")


def test_a_failing_receiver_rolls_the_order_back():
    product = ProductFactory(quantity=5, price="2.00")

    def fail(sender, **kwargs):
        raise RuntimeError("a subscriber failed")

    order_status_changed.connect(fail, sender=Order, dispatch_uid="test.fail")
    try:
        with pytest.raises(RuntimeError), transaction.atomic():
            order_create_with_stock(channel=OrderChannel.SHOP, quantities={product.public_id: 2})
    finally:
        order_status_changed.disconnect(sender=Order, dispatch_uid="test.fail")
    assert not Order.objects.exists() and not DailyOrderStats.objects.exists()
    assert Product.objects.get(pk=product.pk).quantity == 5 and not StockMovement.objects.exists()
