"""seed_demo: the demo admin and customer (verified), demo customers with addresses, a catalog
and an order history that tells the truth (no future dates, timelines that match the statuses,
a stock ledger that sums to the stock); idempotent and fast."""

import time as clock
from collections import defaultdict
from datetime import datetime, time, timedelta
from decimal import Decimal

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.db.models import Sum
from django.utils import timezone

from accounts.demo import DEMO_CUSTOMER_DOMAIN, demo_customers_seed
from accounts.models import Role, User
from analytics.demo import demo_orders_seed
from analytics.periods import shop_today, shop_tz
from catalog.demo import demo_catalog_seed
from catalog.models import Product, StockMovement
from orders.models import Order, OrderChannel, OrderEvent, OrderStatus
from orders.state import TRANSITIONS

S = OrderStatus
# the statuses an order passed through, by channel and final status
PATHS = {
    (OrderChannel.SHOP, S.PENDING): [S.PENDING],
    (OrderChannel.SHOP, S.PAID): [S.PENDING, S.PAID],
    (OrderChannel.SHOP, S.SHIPPED): [S.PENDING, S.PAID, S.SHIPPED],
    (OrderChannel.SHOP, S.DELIVERED): [S.PENDING, S.PAID, S.SHIPPED, S.DELIVERED],
    (OrderChannel.SHOP, S.CANCELLED): [S.PENDING, S.PAID, S.CANCELLED],
    (OrderChannel.SHOP, S.PAYMENT_FAILED): [S.PENDING, S.PAYMENT_FAILED],
    (OrderChannel.INVENTORY_API, S.PAID): [S.PAID],
    (OrderChannel.INVENTORY_API, S.SHIPPED): [S.PAID, S.SHIPPED],
    (OrderChannel.INVENTORY_API, S.DELIVERED): [S.PAID, S.SHIPPED, S.DELIVERED],
}


@pytest.mark.django_db
def test_seed_demo_is_idempotent_and_logins_work(capsys):
    call_command("seed_demo", "--products", "5", "--customers", "12")
    users = User.objects.count()
    call_command("seed_demo", "--products", "5", "--customers", "12")
    out = capsys.readouterr().out
    assert "admin@example.com / admin12345" in out and "Demo customers: 0 created" in out
    assert users == User.objects.count() == 2 + 12
    admin = authenticate(username="admin@example.com", password="admin12345")
    customer = authenticate(username="customer@example.com", password="customer12345")
    assert admin.is_staff and admin.role == Role.ADMIN and admin.email_verified
    assert customer.role == Role.CUSTOMER and customer.email_verified and not customer.is_staff
    crowd = User.objects.filter(email__endswith="@" + DEMO_CUSTOMER_DOMAIN)
    assert crowd.count() == 12 and not any(u.has_usable_password() for u in crowd)
    assert all(u.first_name and u.last_name and u.date_joined < timezone.now() for u in crowd)


@pytest.mark.django_db
def test_seed_demo_creates_order_history_once_and_fast(capsys):
    from analytics.models import DailyOrderStats

    started = clock.monotonic()
    call_command("seed_demo")  # the default size
    assert clock.monotonic() - started < 60
    orders = Order.objects.count()
    assert orders > 500  # about 12 a day for 90 days
    assert DailyOrderStats.objects.exists()  # the dashboard's rollups are built
    movements, events = StockMovement.objects.count(), OrderEvent.objects.count()
    call_command("seed_demo")
    assert (Order.objects.count(), StockMovement.objects.count(), OrderEvent.objects.count()) == (
        orders,
        movements,
        events,
    )
    assert "Demo order history" in capsys.readouterr().out
    _assert_history_tells_the_truth(now=timezone.now())


@pytest.mark.django_db
def test_seed_demo_without_orders():
    call_command("seed_demo", "--products", "5", "--no-orders")
    assert not Order.objects.exists()


@pytest.mark.django_db
def test_a_priced_demo_history_has_consistent_breakdowns(request):
    """``priced``: shop orders with shipping, tax and some the voucher, each as the pricing
    function computed it; the dashboard's rollups hold the parts (analytics.demo)."""
    from analytics.models import DailyOrderStats
    from tests.helpers.analytics import live_state, rollup_state

    now = datetime.combine(shop_today(), time(12, 0), tzinfo=shop_tz())
    demo_customers_seed(count=30, now=now)
    demo_catalog_seed(products=40)
    assert demo_orders_seed(days=30, now=now, priced=True) > 200
    _assert_history_tells_the_truth(now=now)
    shop = Order.objects.filter(channel=OrderChannel.SHOP)
    assert not shop.filter(tax_total=0).exists()  # every demo shop order is taxed
    assert (
        shop.filter(shipping_total__gt=0).exists() and shop.filter(shipping_total=0).exists()
    )  # free from 50
    assert shop.filter(discount_total__gt=0).exists()
    assert all(o.discount_codes == ["WELCOME10"] for o in shop.filter(discount_total__gt=0))
    totals = DailyOrderStats.objects.aggregate(
        tax=Sum("tax"), shipping=Sum("shipping"), discount=Sum("discount")
    )
    assert all(totals.values())
    assert rollup_state() == live_state()


@pytest.mark.django_db
def test_demo_history_is_never_in_the_future_of_now():
    """``now`` at noon: the orders of this afternoon are not placed yet, and the last day's orders
    cannot be delivered yet (shipping takes at least 6 h, delivery 20 h more)."""
    now = datetime.combine(shop_today(), time(12, 0), tzinfo=shop_tz())
    demo_customers_seed(count=30, now=now)
    demo_catalog_seed(products=40)
    assert demo_orders_seed(days=30, now=now) > 200
    _assert_history_tells_the_truth(now=now)
    recent = Order.objects.filter(created_at__gt=now - timedelta(hours=26))
    assert recent.exists() and not recent.filter(status=S.DELIVERED).exists()
    assert Order.objects.filter(status__in=[S.PAID, S.SHIPPED]).exists()


def _assert_history_tells_the_truth(*, now: datetime) -> None:
    orders = list(Order.objects.select_related("user").prefetch_related("events", "stock_movements"))
    assert orders
    # no future dates, anywhere
    assert not Order.objects.filter(created_at__gt=now).exists()
    assert not Order.objects.filter(updated_at__gt=now).exists()
    assert not OrderEvent.objects.filter(created_at__gt=now).exists()
    assert not StockMovement.objects.filter(created_at__gt=now).exists()

    addresses = defaultdict(set)
    for order in orders:
        events = list(order.events.all())
        changes = [e for e in events if e.from_status != e.to_status]
        # a chain the state machine allows, starting from nothing, ending at the order's status
        assert changes and changes[0].from_status == "", order
        for before, after in zip(changes, changes[1:], strict=False):
            assert after.from_status == before.to_status
            assert after.to_status in TRANSITIONS[before.to_status], (order, after)
        assert [e.to_status for e in changes] == PATHS[(order.channel, order.status)], order
        times = [e.created_at for e in events]
        assert times == sorted(times) and times[0] == order.created_at and times[-1] == order.updated_at
        if order.status == S.CANCELLED:  # paid, then cancelled and refunded
            assert events[-1].to_status == events[-1].from_status == S.CANCELLED
            assert events[-1].note.startswith("refunded") and events[-1].actor_label == "payment"
        if S.PAID in [e.to_status for e in changes] and order.channel == OrderChannel.SHOP:
            assert order.payment_reference
        # stock: one sale per line when placed, given back when cancelled or failed
        lines = {line.product_id: line.quantity for line in order.lines.all()}
        sales = {m.product_id: -m.delta for m in order.stock_movements.all() if m.reason == "sale"}
        releases = {m.product_id: m.delta for m in order.stock_movements.all() if m.reason == "release"}
        assert sales == lines
        assert releases == (lines if order.status in (S.CANCELLED, S.PAYMENT_FAILED) else {})
        # the price breakdown adds up (shop orders may have one; inventory-API orders never do)
        lines_all = list(order.lines.all())
        assert order.total_amount == (
            order.subtotal - order.discount_total + order.shipping_total + order.tax_total
        ), order
        assert order.subtotal == sum((ln.total - ln.tax + ln.discount for ln in lines_all), Decimal("0")), (
            order
        )
        assert sum((ln.discount for ln in lines_all), Decimal("0")) <= order.discount_total
        assert sum((Decimal(row["tax"]) for row in order.tax_breakdown), Decimal("0")) == order.tax_total
        if order.channel == OrderChannel.INVENTORY_API or not order.tax_breakdown:
            assert (order.discount_total, order.shipping_total, order.tax_total) == (0, 0, 0), order
            assert all(ln.total == ln.line_total and ln.unit_price_net == ln.unit_price for ln in lines_all)
        else:
            assert (
                order.shipping_method["name"] == "Standard"
                and order.billing_address == order.shipping_address
            )
        # customers: had joined by then, ship to their own address
        if order.channel == OrderChannel.SHOP:
            assert order.user is not None and order.user.date_joined <= order.created_at
            address = order.shipping_address
            assert all(address.get(key) for key in ("name", "line1", "city", "postal_code", "country"))
            assert len(address["country"]) == 2
            addresses[order.user_id].add(tuple(sorted(address.items())))
        else:
            assert order.manager is not None and order.user is None
    assert len(addresses) >= 10  # many customers, not one
    assert all(len(used) == 1 for used in addresses.values())

    # the ledger sums to the stock, product by product
    ledger = dict(StockMovement.objects.values_list("product").annotate(total=Sum("delta")))
    for product_id, quantity in Product.objects.values_list("id", "quantity"):
        assert ledger.get(product_id, 0) == quantity, product_id
