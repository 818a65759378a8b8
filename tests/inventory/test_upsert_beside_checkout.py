"""A store manager's upsert of products while buyers take their stock, on PostgreSQL and MariaDB:
no deadlock. A buyer holds variant rows and, inserting its ledger row, needs a shared lock on the
product row (the foreign key); the upsert locks products FOR NO KEY UPDATE on PostgreSQL and the
variants first on MariaDB (``catalog.services.product_lock``'s rule)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import transaction
from django.db.models import Sum

from catalog.exceptions import InsufficientStock
from catalog.models import Product, ProductVariant, StockMovement
from catalog.stock import stock_take
from inventory.services import ProductInput, inventory_products_upsert
from tests.helpers.concurrency import conflict_retries, requires_server_database, run_in_threads

pytestmark = [pytest.mark.concurrency, pytest.mark.django_db(transaction=True)]

ROUNDS = 15
NAMES = [f"Cup {n}" for n in range(6)]


def test_upserts_beside_checkouts_of_the_same_variants_never_deadlock() -> None:
    requires_server_database()
    items = [ProductInput(name=name, price=Decimal("3.00"), quantity=500) for name in NAMES]
    inventory_products_upsert(manager_external_id="mgr_race", items=items)
    variants = list(ProductVariant.objects.filter(product__name__in=NAMES).order_by("pk"))

    def work(index: int) -> str:
        for round_ in range(ROUNDS):
            if index == 0:
                changed = [ProductInput(name=n, price=Decimal(3 + round_), quantity=500) for n in NAMES]
                inventory_products_upsert(manager_external_id="mgr_race", items=changed)
            else:
                try:
                    with transaction.atomic():
                        stock_take(quantities={v.public_id: 1 for v in reversed(variants)})
                except InsufficientStock:
                    return "short"
        return "done"

    with conflict_retries() as retries:
        results = run_in_threads(work, 5)

    assert results == ["done"] * 5, results
    assert retries == [], [r.getMessage() for r in retries]
    for variant in ProductVariant.objects.filter(product__name__in=NAMES):
        assert (
            StockMovement.objects.filter(variant=variant).aggregate(total=Sum("delta"))["total"]
            == variant.quantity
        )
    assert set(Product.objects.filter(name__in=NAMES).values_list("price", flat=True)) == {
        Decimal(2 + ROUNDS)
    }
