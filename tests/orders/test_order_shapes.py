"""The order as the API shows it: typed address, enum channel/statuses, null ``from_status`` on
the creation event, and ``customer.kind`` (docs/api-schema.md, "Types, headers and constraints")."""

from __future__ import annotations

import pytest
from django.db import transaction

from orders.models import Order, OrderChannel, OrderEvent, OrderStatus
from orders.services import order_anonymise_for_user, order_create_with_stock
from tests.factories import AdminUserFactory, ManagedProductFactory, StoreManagerFactory, UserFactory
from tests.helpers.orders import checkout_body

ADDRESS_KEYS = [
    "name",
    "line1",
    "line2",
    "city",
    "region",
    "postal_code",
    "country",
    "phone",
]  # v2 adds region, phone


def _inventory_order(customer_ref: str, customer_email: str, user=None) -> Order:
    manager = StoreManagerFactory()
    product = ManagedProductFactory(manager=manager, quantity=5)
    with transaction.atomic():
        order, _ = order_create_with_stock(
            channel=OrderChannel.INVENTORY_API,
            quantities={product.public_id: 1},
            manager=manager,
            user=user,
            customer_ref=customer_ref,
            customer_email=customer_email,
            status=OrderStatus.PAID,
            actor_label="mgr_1",
        )
    return order


@pytest.fixture
def admin_client(db, auth_client):
    return auth_client(AdminUserFactory())


def test_shop_order_customer_is_a_user_with_a_typed_address_and_null_first_from_status(filled_cart):
    user, client, _, _ = filled_cart
    body = client.post("/api/orders/", checkout_body(), format="json").json()
    assert body["channel"] == "shop"
    assert body["customer"] == {"kind": "user", "id": user.public_id, "email": user.email}
    assert list(body["shipping_address"]) == ADDRESS_KEYS
    assert body["shipping_address"]["line2"] == ""  # left out at checkout: still a string
    first, *_ = body["timeline"]
    assert first["from_status"] is None and first["to_status"] == "pending"
    # the database keeps its blank: only the API shape changed
    assert OrderEvent.objects.filter(order__public_id=body["id"]).first().from_status == ""


def test_inventory_order_customer_is_external_and_has_no_address(admin_client):
    order = _inventory_order("cust_456", "customer@example.com")
    body = admin_client.get(f"/api/orders/{order.public_id}/").json()
    assert body["channel"] == "inventory_api"
    assert body["customer"] == {"kind": "external", "id": "cust_456", "email": "customer@example.com"}
    assert body["shipping_address"] is None
    assert body["timeline"][0]["from_status"] is None


def test_an_external_customer_called_deleted_stays_external(admin_client):
    order = _inventory_order("deleted", "someone@example.com")
    body = admin_client.get(f"/api/orders/{order.public_id}/").json()
    assert body["customer"] == {"kind": "external", "id": "deleted", "email": "someone@example.com"}


def test_after_account_deletion_the_customer_kind_is_deleted_and_id_null(filled_cart, admin_client):
    user, client, _, _ = filled_cart
    shop_id = client.post("/api/orders/", checkout_body(), format="json").json()["id"]
    linked = _inventory_order("cust_1", "c@example.com", user=user)
    with transaction.atomic():
        assert order_anonymise_for_user(user=user) == 2
    for order_id in (shop_id, linked.public_id):
        body = admin_client.get(f"/api/orders/{order_id}/").json()
        assert body["customer"] == {"kind": "deleted", "id": None, "email": ""}, order_id
    shop = admin_client.get(f"/api/orders/{shop_id}/").json()
    assert shop["shipping_address"] == dict.fromkeys(ADDRESS_KEYS, "") | {"country": "GB"}


def test_an_account_deleted_through_the_api_leaves_deleted_customers(filled_cart, admin_client):
    user, client, _, _ = filled_cart
    order_id = client.post("/api/orders/", checkout_body(), format="json").json()["id"]
    UserFactory()  # another account stays
    user.delete()  # the hard way (SET_NULL): no account behind the order either
    body = admin_client.get(f"/api/orders/{order_id}/").json()
    assert body["customer"]["kind"] == "deleted" and body["customer"]["id"] is None
