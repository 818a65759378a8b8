"""An admin changing a product or its variants while buyers take its stock, on PostgreSQL and
MariaDB: no deadlock. A buyer holds its variant rows and, inserting its ledger row, needs a
shared lock on the product row (the foreign key); a product write that locked the product first
and then waited for a variant would close the circle. The catalog services lock the product's
variants first, then the product."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import transaction
from django.db.models import Sum

from catalog import services
from catalog.exceptions import InsufficientStock
from catalog.models import ProductVariant, StockMovement
from catalog.stock import stock_take
from tests.helpers.concurrency import requires_server_database, run_in_threads

pytestmark = [pytest.mark.concurrency, pytest.mark.django_db(transaction=True)]

ROUNDS = 15


def test_product_and_variant_writes_beside_checkouts_never_deadlock() -> None:
    requires_server_database()
    product = services.product_create(
        name="Tee",
        options=["size"],
        variants=[{"options": {"size": size}, "price": Decimal("10"), "quantity": 500} for size in "SML"],
    )
    variants = list(ProductVariant.objects.filter(product=product).order_by("pk"))

    def work(index: int) -> str:
        for round_ in range(ROUNDS):
            if index == 0:
                services.product_update(product=product, data={"name": f"Tee {round_}"})
            elif index == 1:
                services.variant_update(variant=variants[round_ % 3], data={"price": Decimal(10 + round_)})
            else:
                try:
                    with transaction.atomic():
                        stock_take(quantities={v.public_id: 1 for v in variants})
                except InsufficientStock:
                    return "short"
        return "done"

    results = run_in_threads(work, 5)

    assert results == ["done"] * 5, results
    for variant in ProductVariant.objects.filter(product=product):
        assert (
            StockMovement.objects.filter(variant=variant).aggregate(total=Sum("delta"))["total"]
            == variant.quantity
        )
        assert variant.quantity == 500 - 3 * ROUNDS
