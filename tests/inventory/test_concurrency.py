"""Real threads against PostgreSQL / MariaDB (skipped on SQLite): the last units are sold
exactly once, and the rate limit counts concurrent requests exactly (Redis in CI)."""

from __future__ import annotations

import json
from collections import Counter

import pytest
from rest_framework.test import APIClient

from accounts.models import StoreManager
from catalog.models import Product, StockMovement
from inventory.models import AuditEvent
from orders.models import Order
from tests.factories import ManagedProductFactory, StoreManagerFactory
from tests.helpers.concurrency import requires_server_database, run_in_threads

pytestmark = [pytest.mark.concurrency, pytest.mark.django_db(transaction=True)]


def test_20_parallel_orders_for_10_units_process_exactly_10():
    requires_server_database()
    product = ManagedProductFactory(manager=StoreManagerFactory(external_id="mgr_race"), quantity=10)
    body = json.dumps(
        {
            "manager_id": "mgr_race",
            "customer": {"id": "cust_456", "email": "customer@example.com"},
            "products": [{"product_id": product.public_id, "quantity": 1}],
        }
    )

    def buy(index: int) -> int:
        return APIClient().post("/api/orders/process", body, content_type="application/json").status_code

    results = run_in_threads(buy, 20)

    assert Counter(results) == {200: 10, 409: 10}, results
    product.refresh_from_db()
    assert product.quantity == 0
    assert Order.objects.count() == 10
    assert sum(StockMovement.objects.filter(product=product).values_list("delta", flat=True)) == -10
    assert AuditEvent.objects.count() == 20


def test_150_concurrent_requests_of_one_manager_exactly_100_pass(settings):
    requires_server_database()
    settings.INVENTORY_RATE_LIMIT = 100
    settings.INVENTORY_RATE_WINDOW = 10**8  # no window boundary can fall inside the test
    # 30 clients × 5 requests: 150 requests in flight together without exhausting the
    # database's connection limit (each thread holds one connection).
    clients, per_client = 30, 5

    def burst(index: int) -> list[int]:
        client = APIClient()
        return [
            client.get("/api/inventory/products?manager_id=mgr_burst").status_code for _ in range(per_client)
        ]

    results = run_in_threads(burst, clients)

    statuses = Counter(status for result in results for status in result)  # type: ignore[union-attr]
    assert statuses == {200: 100, 429: 50}, results
    assert AuditEvent.objects.filter(manager_external_id="mgr_burst", status_code=429).count() == 50
    assert not Product.objects.exists()


def test_parallel_first_batches_of_a_new_manager_make_one_manager_and_one_product():
    requires_server_database()

    def first_use(index: int) -> int:
        body = {"manager_id": "mgr_first", "products": [{"name": "Coffee", "price": 1, "quantity": index}]}
        return (
            APIClient()
            .post("/api/inventory/products", json.dumps(body), content_type="application/json")
            .status_code
        )

    results = run_in_threads(first_use, 10)

    assert results == [201] * 10
    assert StoreManager.objects.filter(external_id="mgr_first").count() == 1
    product = Product.objects.get(manager__external_id="mgr_first")
    assert product.name == "Coffee"
    # the ledger explains the final quantity exactly (one row per change, serialised per manager)
    assert (
        sum(StockMovement.objects.filter(product=product).values_list("delta", flat=True)) == product.quantity
    )
