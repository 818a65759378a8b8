"""Order history, detail, cancellation and the admin's status changes (the state machine)."""

import pytest
from django.core import mail

from catalog.models import Product
from orders.models import Order, OrderEvent, OrderStatus
from orders.services import idempotency_keys_purge
from orders.state import TRANSITIONS, transition_check
from tests.factories import AdminUserFactory, ProductFactory, UserFactory
from tests.helpers.orders import checkout_body

pytestmark = pytest.mark.django_db


def place(client, product, quantity=1, token="tok_ok"):
    client.post("/api/cart/items/", {"product_id": product.public_id, "quantity": quantity}, format="json")
    response = client.post("/api/orders/", checkout_body(token), format="json")
    return (
        response.json()["id"]
        if response.status_code == 201
        else response.json()["error"]["details"]["order_id"]
    )


@pytest.fixture
def admin_client(auth_client):
    return auth_client(AdminUserFactory())


def test_history_is_own_newest_first_and_paginated(auth_client):
    alice, bob = auth_client(UserFactory()), auth_client(UserFactory())
    product = ProductFactory(quantity=50)
    mine = [place(alice, product) for _ in range(3)]
    place(bob, product)
    body = alice.get("/api/orders/", {"page_size": 2}).json()
    assert body["count"] == 3 and body["next"] and body["previous"] is None
    assert [o["id"] for o in body["results"]] == mine[::-1][:2]
    assert alice.get("/api/orders").status_code == 200


def test_another_users_order_is_404(auth_client):
    alice, bob = auth_client(UserFactory()), auth_client(UserFactory())
    order_id = place(alice, ProductFactory())
    for response in (bob.get(f"/api/orders/{order_id}/"), bob.post(f"/api/orders/{order_id}/cancel/")):
        assert response.status_code == 404 and response.json()["error"]["code"] == "ORDER_NOT_FOUND"
    assert Order.objects.get(public_id=order_id).status == OrderStatus.PAID


def test_admin_sees_all_and_filters(auth_client, admin_client):
    alice_user = UserFactory()
    alice, bob = auth_client(alice_user), auth_client(UserFactory())
    product = ProductFactory(quantity=50)
    a1 = place(alice, product)
    place(bob, product)
    place(alice, product, token="tok_declined")
    assert admin_client.get("/api/orders/").json()["count"] == 3
    assert [
        o["id"]
        for o in admin_client.get("/api/orders/", {"user": alice_user.public_id, "status": "paid"}).json()[
            "results"
        ]
    ] == [a1]
    response = admin_client.get("/api/orders/", {"status": "lost"})
    assert response.status_code == 400 and "status" in response.json()["error"]["details"]
    assert admin_client.get(f"/api/orders/{a1}/").status_code == 200


def test_customer_cancels_paid_order_stock_returned_and_refunded(shopper, django_capture_on_commit_callbacks):
    _, client = shopper
    product = ProductFactory(quantity=5)
    order_id = place(client, product, quantity=2)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/api/orders/{order_id}/cancel/")
    assert response.status_code == 200 and response.json()["status"] == "cancelled"
    assert Product.objects.get(pk=product.pk).quantity == 5
    notes = list(OrderEvent.objects.filter(order__public_id=order_id).values_list("note", flat=True))
    assert any(n.startswith("refunded (re_") for n in notes)
    assert mail.outbox and "cancelled" in mail.outbox[-1].subject
    response = client.post(f"/api/orders/{order_id}/cancel")
    assert response.status_code == 409 and response.json()["error"]["code"] == "INVALID_STATE"
    assert Product.objects.get(pk=product.pk).quantity == 5


def test_admin_walks_the_lifecycle_and_invalid_moves_are_409(
    shopper, admin_client, django_capture_on_commit_callbacks
):
    _, client = shopper
    product = ProductFactory(quantity=5)
    order_id = place(client, product)
    with django_capture_on_commit_callbacks(execute=True):
        for target in ("shipped", "delivered"):
            response = admin_client.patch(f"/api/orders/{order_id}/", {"status": target}, format="json")
            assert response.status_code == 200 and response.json()["status"] == target
    assert [e["to_status"] for e in response.json()["timeline"]] == [
        "pending",
        "paid",
        "shipped",
        "delivered",
    ]
    assert response.json()["timeline"][-1]["actor"] == "admin"
    assert [m.subject for m in mail.outbox] == [
        f"Your order {order_id} is now shipped",
        f"Your order {order_id} is now delivered",
    ]
    for target in ("cancelled", "paid", "shipped"):
        response = admin_client.patch(f"/api/orders/{order_id}/", {"status": target}, format="json")
        assert response.status_code == 409 and response.json()["error"]["code"] == "INVALID_STATE"
    response = admin_client.patch(f"/api/orders/{order_id}/", {"status": "payment_failed"}, format="json")
    assert response.status_code == 400


def test_cancelling_a_shipped_order_is_409(shopper, admin_client):
    _, client = shopper
    product = ProductFactory(quantity=5)
    order_id = place(client, product)
    admin_client.patch(f"/api/orders/{order_id}/", {"status": "shipped"}, format="json")
    response = client.post(f"/api/orders/{order_id}/cancel/")
    assert response.status_code == 409 and response.json()["error"]["code"] == "INVALID_STATE"
    assert Product.objects.get(pk=product.pk).quantity == 4


def test_customers_cannot_patch_status(shopper):
    _, client = shopper
    order_id = place(client, ProductFactory())
    response = client.patch(f"/api/orders/{order_id}/", {"status": "shipped"}, format="json")
    assert response.status_code == 403 and response.json()["error"]["code"] == "PERMISSION_DENIED"


def test_admin_patch_unknown_order_is_404(admin_client):
    response = admin_client.patch("/api/orders/ord_nope/", {"status": "shipped"}, format="json")
    assert response.status_code == 404 and response.json()["error"]["code"] == "ORDER_NOT_FOUND"


def test_state_machine_table():
    allowed = {(a, b) for a, targets in TRANSITIONS.items() for b in targets}
    assert allowed == {
        ("pending", "paid"),
        ("pending", "cancelled"),
        ("pending", "payment_failed"),
        ("paid", "shipped"),
        ("paid", "cancelled"),
        ("shipped", "delivered"),
    }
    transition_check("pending", "payment_failed", manual=False)
    with pytest.raises(Exception, match="cannot become"):
        transition_check("pending", "payment_failed")


def test_purge_keeps_recent_idempotency_keys(filled_cart):
    _, client, *_ = filled_cart
    client.post("/api/orders/", checkout_body(), format="json", HTTP_IDEMPOTENCY_KEY="keep-me")
    assert idempotency_keys_purge() == 0
    assert idempotency_keys_purge(older_than_hours=-1) == 1
