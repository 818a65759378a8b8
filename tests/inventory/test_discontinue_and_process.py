"""Discontinue and order processing beyond the contract examples: ledger, order rows, audit."""

from __future__ import annotations

from decimal import Decimal

import pytest

from accounts.models import StoreManager
from catalog.models import Product, StockMovement, StockMovementReason
from inventory.models import AuditEvent
from orders.models import Order, OrderChannel, OrderStatus
from tests.factories import ManagedProductFactory, StoreManagerFactory
from tests.helpers.inventory import send


@pytest.fixture
def manager():
    return StoreManagerFactory(external_id="mgr_dp")


@pytest.mark.django_db
def test_discontinue_audits_the_change_once(api_client, manager):
    product = ManagedProductFactory(manager=manager, quantity=4, price=Decimal("2.00"))
    body = {"manager_id": "mgr_dp", "product_id": product.public_id}

    send(api_client, "post", "/api/inventory/discontinue", body)
    send(api_client, "post", "/api/inventory/discontinue", body)

    first, second = AuditEvent.objects.order_by("id")
    assert first.changes == [
        {
            "product_id": product.public_id,
            "name": product.name,
            "action": "discontinued",
            "before": {"price": "2.00", "quantity": 4, "discontinued": False},
            "after": {"price": "2.00", "quantity": 4, "discontinued": True},
        }
    ]
    assert (second.status_code, second.changes) == (204, [])


@pytest.mark.django_db
def test_discontinue_does_not_create_a_manager(api_client):
    response = send(
        api_client, "post", "/api/inventory/discontinue", {"manager_id": "mgr_nobody", "product_id": "p"}
    )

    assert response.status_code == 404
    assert not StoreManager.objects.exists()


@pytest.mark.django_db
def test_process_stores_a_paid_inventory_order_with_lines_ledger_and_event(api_client, manager):
    a = ManagedProductFactory(manager=manager, name="A", price=Decimal("0.10"), quantity=10)
    b = ManagedProductFactory(manager=manager, name="B", price=Decimal("0.20"), quantity=10)

    response = send(
        api_client,
        "post",
        "/api/orders/process",
        {
            "manager_id": "mgr_dp",
            "customer": {"id": "cust-1_X", "email": "Buyer@Example.com"},
            "products": [
                {"product_id": a.public_id, "quantity": 1},
                {"product_id": b.public_id, "quantity": 2},
                {"product_id": a.public_id, "quantity": 2},
            ],
        },
    )

    assert response.status_code == 200
    assert response.json()["total_amount"] == 0.7  # exact decimals: 3 × 0.10 + 2 × 0.20
    order = Order.objects.get(public_id=response.json()["order_id"])
    assert (order.channel, order.status, order.manager, order.customer_ref) == (
        OrderChannel.INVENTORY_API,
        OrderStatus.PAID,
        manager,
        "cust-1_X",
    )
    assert order.total_amount == Decimal("0.70")
    assert [(line.product_public_id, line.quantity) for line in order.lines.all()] == [
        (a.public_id, 3),
        (b.public_id, 2),
    ]
    assert list(order.events.values_list("to_status", "actor_label")) == [(OrderStatus.PAID, "mgr_dp")]
    assert sorted(StockMovement.objects.filter(order=order).values_list("delta", "reason")) == [
        (-3, StockMovementReason.SALE),
        (-2, StockMovementReason.SALE),
    ]
    event = AuditEvent.objects.get()
    assert event.order_public_id == order.public_id
    assert [(c["product_id"], c["before"]["quantity"], c["after"]["quantity"]) for c in event.changes] == [
        (a.public_id, 10, 7),
        (b.public_id, 10, 8),
    ]


@pytest.mark.django_db
def test_process_for_an_unknown_manager_is_404_naming_products(api_client):
    response = send(
        api_client,
        "post",
        "/api/orders/process",
        {
            "manager_id": "mgr_ghost",
            "customer": {"id": "c", "email": "c@example.com"},
            "products": [{"product_id": "prod_x", "quantity": 1}],
        },
    )

    assert response.status_code == 404
    assert response.json()["error"]["details"] == {"prod_x": "product not found"}
    assert not StoreManager.objects.exists()


@pytest.mark.django_db
def test_failed_process_is_audited_without_changes(api_client, manager):
    product = ManagedProductFactory(manager=manager, quantity=1)

    response = send(
        api_client,
        "post",
        "/api/orders/process",
        {
            "manager_id": "mgr_dp",
            "customer": {"id": "c", "email": "c@example.com"},
            "products": [{"product_id": product.public_id, "quantity": 2}],
        },
    )

    assert response.status_code == 409
    event = AuditEvent.objects.get()
    assert (event.status_code, event.error_code, event.changes, event.order_public_id) == (
        409,
        "INSUFFICIENT_STOCK",
        [],
        "",
    )
    assert Product.objects.get(pk=product.pk).quantity == 1


@pytest.mark.django_db
@pytest.mark.parametrize("lines", [1, 5])
def test_process_query_budget_reads_no_product_twice(
    api_client, manager, django_assert_max_num_queries, lines
):
    """The audit's before/after quantities come from the rows the stock lock read: no product
    is read again after the sale (issue #19: shorter walks). Trusted mode: the manager, the
    lock, the order, one UPDATE per product, the ledger, the lines, the event, the rollups
    (two upserts: a paid order counts in both), the savepoints, the audit row; the outbox
    (issue #14): the stock events (stock.low here) and order.created + order.paid (one INSERT)."""
    products = [ManagedProductFactory(manager=manager, quantity=5) for _ in range(lines)]
    body = {
        "manager_id": "mgr_dp",
        "customer": {"id": "c1", "email": "c@example.com"},
        "products": [{"product_id": p.public_id, "quantity": 2} for p in products],
    }
    with django_assert_max_num_queries(15 + lines) as captured:
        response = send(api_client, "post", "/api/orders/process", body)
    assert response.status_code == 200
    product_reads = [
        q["sql"]
        for q in captured.captured_queries
        if q["sql"].lstrip().startswith("SELECT") and "catalog_product" in q["sql"]
    ]
    assert len(product_reads) == 1  # the lock, nothing after it
    (audit,) = AuditEvent.objects.all()
    assert [(c["before"]["quantity"], c["after"]["quantity"]) for c in audit.changes] == [(5, 3)] * lines
