"""Every domain change writes its outbox event in its own transaction, with the documented data
(docs/events.md). These tests read the rows the business operations wrote."""

from __future__ import annotations

from decimal import Decimal

import pytest

from catalog import services as catalog_services
from catalog.models import Product
from catalog.outbox import stock_crossing
from catalog.selectors import product_get
from catalog.stock import stock_adjust
from ecommerce.events.models import OutboxEvent
from orders.models import OrderStatus
from orders.services import order_transition
from tests.factories import (
    AdminUserFactory,
    ManagedProductFactory,
    ProductFactory,
    StoreManagerFactory,
    UserFactory,
)
from tests.helpers.inventory import send
from tests.helpers.orders import checkout_body

pytestmark = pytest.mark.django_db


def published(*types: str) -> list[OutboxEvent]:
    rows = OutboxEvent.objects.order_by("occurred_at", "id")
    return list(rows.filter(type__in=types) if types else rows)


def test_checkout_publishes_created_then_paid_with_the_order_as_an_admin_reads_it(auth_client, api_client):
    user = UserFactory()
    client = auth_client(user)
    coffee = ProductFactory(name="Coffee", price=Decimal("15.99"), quantity=10)
    client.post("/api/cart/items/", {"product_id": coffee.public_id, "quantity": 2}, format="json")
    order = client.post("/api/orders/", checkout_body(), format="json").json()

    created, paid = published("order.created", "order.paid")
    assert (created.type, paid.type) == ("order.created", "order.paid")
    assert created.data["status"] == "pending" and len(created.data["timeline"]) == 1
    admin_view = auth_client(AdminUserFactory()).get(f"/api/orders/{order['id']}/").json()
    assert paid.data == admin_view  # exactly the API's shape, money as numbers
    assert paid.data["total_amount"] == 31.98 and paid.data["customer"]["email"] == user.email
    assert created.version == paid.version == 1 and created.id != paid.id


def test_status_changes_cancel_and_refund_publish_their_types(auth_client):
    user = UserFactory()
    admin = AdminUserFactory()
    client = auth_client(user)
    for _ in range(2):
        product = ProductFactory(quantity=10)
        client.post("/api/cart/items/", {"product_id": product.public_id}, format="json")
        shipped_one = client.post("/api/orders/", checkout_body(), format="json").json()["id"]
        client.delete("/api/cart/")
        break
    order_transition(order_public_id=shipped_one, to_status=OrderStatus.SHIPPED, actor=admin)
    order_transition(order_public_id=shipped_one, to_status=OrderStatus.DELIVERED, actor=admin)
    client.post("/api/cart/items/", {"product_id": product.public_id}, format="json")
    cancelled = client.post("/api/orders/", checkout_body(), format="json").json()["id"]
    order_transition(order_public_id=cancelled, to_status=OrderStatus.CANCELLED, actor=user)

    by_order = [(row.data["id"], row.type) for row in published() if row.type.startswith("order.")]
    assert by_order == [
        (shipped_one, "order.created"),
        (shipped_one, "order.paid"),
        (shipped_one, "order.shipped"),
        (shipped_one, "order.delivered"),
        (cancelled, "order.created"),
        (cancelled, "order.paid"),
        (cancelled, "order.cancelled"),
        (cancelled, "order.refunded"),
    ]
    refunded = published("order.refunded")[0]
    assert refunded.data["status"] == "cancelled" and "refunded" in refunded.data["timeline"][-1]["note"]


def test_declined_payment_publishes_no_paid_event(auth_client):
    client = auth_client(UserFactory())
    product = ProductFactory(quantity=10)
    client.post("/api/cart/items/", {"product_id": product.public_id}, format="json")
    assert client.post("/api/orders/", checkout_body("tok_declined"), format="json").status_code == 402
    assert [row.type for row in published() if row.type.startswith("order.")] == ["order.created"]


@pytest.mark.parametrize(
    ("before", "after", "expected"),
    [(10, 0, "stock.out"), (3, 0, "stock.out"), (0, 4, "stock.back_in"), (0, 40, "stock.back_in"),
     (10, 4, "stock.low"), (5, 4, "stock.low"), (4, 3, None), (10, 5, None), (4, 10, None), (7, 7, None)],
)  # fmt: skip
def test_stock_crossings(before, after, expected):
    assert stock_crossing(before, after, threshold=5) == expected


def test_stock_events_from_sales_adjustments_and_restocks(auth_client):
    product = ProductFactory(quantity=6, name="Tea")
    client = auth_client(UserFactory())
    client.post("/api/cart/items/", {"product_id": product.public_id, "quantity": 2}, format="json")
    client.post("/api/orders/", checkout_body(), format="json")  # 6 → 4: low
    variant = product.variants.get()
    stock_adjust(variant_id=variant.pk, delta=-4, reason="adjustment")  # 4 → 0: out
    catalog_services.product_restock(quantities={variant.pk: 3})  # 0 → 3: back in
    rows = published("stock.low", "stock.out", "stock.back_in")
    assert [(r.type, r.data["previous_quantity"], r.data["quantity"]) for r in rows] == [
        ("stock.low", 6, 4),
        ("stock.out", 4, 0),
        ("stock.back_in", 0, 3),
    ]
    assert rows[0].data == {
        "product_id": product.public_id,
        "variant_id": variant.public_id,
        "sku": variant.sku,
        "name": "Tea",
        "quantity": 4,
        "previous_quantity": 6,
        "low_stock_threshold": 5,
    }


def test_stock_events_are_per_variant(auth_client):
    """Stock lives on variants: a variant that runs out publishes stock.out even while its
    product still has units in another variant."""
    product = catalog_services.product_create(
        name="Tee",
        options=["size"],
        variants=[
            {"options": {"size": "S"}, "price": Decimal("10.00"), "quantity": 2},
            {"options": {"size": "L"}, "price": Decimal("10.00"), "quantity": 9},
        ],
    )
    small = product.variants.get(sku__endswith="-S")
    client = auth_client(UserFactory())
    client.post("/api/cart/items/", {"variant_id": small.public_id, "quantity": 2}, format="json")
    assert client.post("/api/orders/", checkout_body(), format="json").status_code == 201
    (row,) = published("stock.low", "stock.out", "stock.back_in")
    assert (row.type, row.data["variant_id"], row.data["sku"]) == ("stock.out", small.public_id, small.sku)
    assert (row.data["product_id"], row.data["quantity"], row.data["previous_quantity"]) == (
        product.public_id,
        0,
        2,
    )
    assert product_get(public_id=product.public_id).quantity == 9  # the product is still in stock


def test_product_events_from_the_catalog_services():
    manager = StoreManagerFactory(external_id="mgr_ev")
    product = catalog_services.product_create(
        name="Mug", price=Decimal("7.50"), quantity=12, manager_id="mgr_ev"
    )
    catalog_services.product_update(product=product, data={"price": Decimal("8.00")})
    catalog_services.product_discontinue_many(product_ids=[product.pk])
    catalog_services.product_discontinue_many(product_ids=[product.pk])  # already: nothing
    rows = published("product.created", "product.updated", "product.discontinued")
    assert [r.type for r in rows] == ["product.created", "product.updated", "product.discontinued"]
    assert rows[0].data == {
        "id": product.public_id,
        "name": "Mug",
        "slug": product.slug,
        "price": 7.5,
        "quantity": 12,
        "status": "in_stock",
        "manager_id": manager.external_id,
        "updated_at": rows[0].data["updated_at"],
    }
    assert rows[1].data["price"] == 8.0 and rows[2].data["status"] == "discontinued"
    assert not published("stock.low", "stock.out", "stock.back_in")  # initial stock: no stock event


def test_inventory_api_publishes_products_and_the_processed_order(api_client):
    StoreManagerFactory(external_id="mgr_inv")
    upsert = send(
        api_client,
        "post",
        "/api/inventory/products",
        {"manager_id": "mgr_inv", "products": [{"name": "Beans", "price": 9.5, "quantity": 8}]},
    )
    beans = upsert.json()["products"][0]["id"]
    send(api_client, "post", "/api/inventory/products",
         {"manager_id": "mgr_inv", "products": [{"id": beans, "name": "Beans", "price": 9.5, "quantity": 9}]})  # fmt: skip
    send(
        api_client,
        "post",
        "/api/orders/process",
        {"manager_id": "mgr_inv", "customer": {"id": "c9", "email": "c9@example.com"},
         "products": [{"product_id": beans, "quantity": 9}]},
    )  # fmt: skip
    send(api_client, "post", "/api/inventory/discontinue", {"manager_id": "mgr_inv", "product_id": beans})
    types = [row.type for row in published()]
    assert types == [
        "product.created",
        "product.updated",
        "stock.out",
        "order.created",
        "order.paid",
        "product.discontinued",
    ]
    created, paid = published("order.created", "order.paid")
    assert created.data == paid.data and paid.data["channel"] == "inventory_api"
    assert paid.data["status"] == "paid" and paid.data["customer"] == {
        "kind": "external",
        "id": "c9",
        "email": "c9@example.com",
    }
    assert ManagedProductFactory._meta.model.objects.get(public_id=beans).quantity == 0


def test_registration_publishes_customer_created(api_client):
    response = api_client.post(
        "/api/auth/register", {"email": "new@example.com", "password": "A-l0ng-passphrase!"}, format="json"
    )
    assert response.status_code == 201
    (row,) = published("customer.created")
    assert row.data == {
        "id": response.json()["user"]["id"],
        "email": "new@example.com",
        "first_name": "",
        "last_name": "",
        "email_verified": False,
        "pending_email": None,
        "role": "customer",
        "date_joined": row.data["date_joined"],
    }
    assert Product.objects.count() == 0
