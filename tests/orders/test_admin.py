"""The orders admin: list, search, detail with its timeline, the status-change buttons of the
order page and the list actions, both through the state machine and the order service."""

import re

import pytest
from django.contrib.auth.models import Permission
from django.core.management import call_command
from django.urls import reverse

from catalog.models import StockMovement
from orders.models import Order, OrderEvent, OrderStatus
from tests.factories import AdminUserFactory, ProductFactory, UserFactory
from tests.helpers.orders import checkout_body

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(client):
    client.force_login(AdminUserFactory())
    return client


@pytest.fixture
def paid_order(shopper):
    _, api = shopper
    product = ProductFactory(quantity=5)
    api.post("/api/cart/items/", {"product_id": product.public_id}, format="json")
    return Order.objects.get(public_id=api.post("/api/orders/", checkout_body(), format="json").json()["id"])


def test_list_search_and_detail(staff_client, paid_order):
    response = staff_client.get(
        "/admin/orders/order/", {"q": paid_order.customer_email, "status__exact": "paid"}
    )
    assert response.status_code == 200 and paid_order.public_id in response.content.decode()
    detail = staff_client.get(f"/admin/orders/order/{paid_order.pk}/change/")
    assert detail.status_code == 200 and paid_order.lines.get().name in detail.content.decode()
    assert staff_client.get("/admin/catalog/stockmovement/").status_code == 200


def test_actions_follow_the_state_machine(staff_client, paid_order):
    staff_client.post("/admin/orders/order/", {"action": "mark_shipped", "_selected_action": [paid_order.pk]})
    paid_order.refresh_from_db()
    assert paid_order.status == OrderStatus.SHIPPED
    response = staff_client.post(
        "/admin/orders/order/", {"action": "mark_cancelled", "_selected_action": [paid_order.pk]}, follow=True
    )
    assert "cannot become cancelled" in response.content.decode()
    paid_order.refresh_from_db()
    assert paid_order.status == OrderStatus.SHIPPED


def test_purge_command(paid_order, capsys):
    call_command("purge_idempotency_keys")
    assert "Deleted 0 idempotency keys." in capsys.readouterr().out


def _buttons(html: str) -> set[str]:
    return set(re.findall(r'<button type="submit" name="to_status" value="([a-z_]+)"', html))


def _page(client, order) -> str:
    response = client.get(reverse("admin:orders_order_change", args=[order.pk]))
    assert response.status_code == 200
    return response.content.decode()


def _transition(client, order, to_status, note=""):
    return client.post(
        reverse("admin:orders_order_transition", args=[order.pk]),
        {"to_status": to_status, "note": note},
        follow=True,
    )


def test_order_page_shows_timeline_and_only_allowed_buttons(staff_client, paid_order):
    html = _page(staff_client, paid_order)
    assert _buttons(html) == {"shipped", "cancelled"}
    assert 'id="events-group"' in html and "Timeline" in html  # the OrderEvent inline
    assert "payment captured" in html  # the pending → paid event of checkout
    assert "12 Analytical Row<br>N1 7AA London<br>GB" in html  # the shipping address, as lines
    Order.objects.filter(pk=paid_order.pk).update(status=OrderStatus.SHIPPED)
    assert _buttons(_page(staff_client, paid_order)) == {"delivered"}
    Order.objects.filter(pk=paid_order.pk).update(status=OrderStatus.PENDING)
    assert _buttons(_page(staff_client, paid_order)) == {"paid", "cancelled"}  # never payment_failed
    Order.objects.filter(pk=paid_order.pk).update(status=OrderStatus.DELIVERED)
    html = _page(staff_client, paid_order)
    assert _buttons(html) == set() and "No further status change is possible." in html


def test_button_applies_the_transition_and_writes_the_event(staff_client, paid_order):
    admin = staff_client.session["_auth_user_id"]
    response = _transition(staff_client, paid_order, "shipped", note="DHL 0042")
    assert response.status_code == 200 and "is now shipped" in response.content.decode()
    paid_order.refresh_from_db()
    assert paid_order.status == OrderStatus.SHIPPED
    event = OrderEvent.objects.filter(order=paid_order).latest("id")
    assert (event.from_status, event.to_status, event.note, event.actor_label) == (
        "paid",
        "shipped",
        "DHL 0042",
        "admin",
    )
    assert str(event.actor_id) == admin
    assert "DHL 0042" in response.content.decode()  # back on the page, in the timeline
    assert _buttons(response.content.decode()) == {"delivered"}


def test_cancel_button_returns_stock_and_refunds(staff_client, paid_order):
    product = paid_order.lines.get().product
    before = type(product).objects.get(pk=product.pk).quantity
    _transition(staff_client, paid_order, "cancelled")
    paid_order.refresh_from_db()
    assert paid_order.status == OrderStatus.CANCELLED
    assert type(product).objects.get(pk=product.pk).quantity == before + 1
    assert StockMovement.objects.filter(order=paid_order, reason="release", delta=1).exists()
    notes = list(OrderEvent.objects.filter(order=paid_order).values_list("note", flat=True))
    assert any(note.startswith("refunded") for note in notes)


def test_disallowed_transition_is_refused(staff_client, paid_order):
    events = OrderEvent.objects.filter(order=paid_order).count()
    for target in ("delivered", "payment_failed", "pending", "nonsense"):
        response = _transition(staff_client, paid_order, target)
        assert response.status_code == 200
        assert "cannot become" in response.content.decode()
    paid_order.refresh_from_db()
    assert paid_order.status == OrderStatus.PAID
    assert OrderEvent.objects.filter(order=paid_order).count() == events
    url = reverse("admin:orders_order_transition", args=[paid_order.pk])
    assert staff_client.get(url, {"to_status": "shipped"}).status_code == 405
    paid_order.refresh_from_db()
    assert paid_order.status == OrderStatus.PAID


def test_transition_needs_change_permission(client, paid_order):
    viewer = UserFactory(is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_order"))
    client.force_login(viewer)
    html = _page(client, paid_order)
    assert _buttons(html) == set() and 'id="order-transitions"' not in html
    assert _transition(client, paid_order, "shipped").status_code == 403
    shopper = UserFactory()
    client.force_login(shopper)
    response = client.post(
        reverse("admin:orders_order_transition", args=[paid_order.pk]), {"to_status": "shipped"}
    )
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
    paid_order.refresh_from_db()
    assert paid_order.status == OrderStatus.PAID
