"""The orders admin: list, search, detail, and transition actions through the state machine."""

import pytest
from django.core.management import call_command

from orders.models import Order, OrderStatus
from tests.factories import AdminUserFactory, ProductFactory
from tests.orders.conftest import checkout_body

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
    assert staff_client.get("/admin/orders/stockmovement/").status_code == 200


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
