"""A CSV import commit beside checkouts of the same variants, on PostgreSQL and MariaDB: no
deadlock (the import locks variants in the order checkout does), and the ledger still sums to
every variant's quantity."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest
from django.db import transaction
from django.db.models import Sum

from catalog import services
from catalog.csv_io import COLUMNS
from catalog.exceptions import InsufficientStock
from catalog.models import ProductVariant, StockMovement
from catalog.stock import stock_take
from tests.helpers.concurrency import requires_server_database, run_in_threads

pytestmark = [pytest.mark.concurrency, pytest.mark.django_db(transaction=True)]


def test_import_beside_checkouts_neither_deadlocks_nor_breaks_the_ledger() -> None:
    requires_server_database()
    products = [services.product_create(name=f"Cup {n}", price=Decimal("3"), quantity=50) for n in range(12)]
    variants = [p.variants.get() for p in products]
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    for product, variant in zip(products, variants, strict=True):
        writer.writerow(
            [product.public_id, product.name, product.slug, "", "", "", variant.public_id, variant.sku, "",
             "3.00", "", "80", "", "standard", "true", "false"]
        )  # fmt: skip
    content = out.getvalue().encode()

    def work(index: int) -> str:
        if index == 0:
            services.products_csv_import(content=content, commit=True)
            return "imported"
        # checkouts take the variants in descending product order: pk order inside stock_take
        wanted = {v.public_id: 1 for v in reversed(variants)}
        try:
            with transaction.atomic():
                stock_take(quantities=wanted)
        except InsufficientStock:
            return "short"
        return "sold"

    results = run_in_threads(work, 5)

    assert results[0] == "imported", results
    assert all(r in ("sold", "short") for r in results[1:]), results
    for variant in ProductVariant.objects.all():
        total = StockMovement.objects.filter(variant=variant).aggregate(total=Sum("delta"))["total"]
        assert total == variant.quantity
        assert variant.quantity <= 80
    assert set(StockMovement.objects.filter(reason="import").values_list("variant_id", flat=True)) <= {
        v.pk for v in variants
    }
