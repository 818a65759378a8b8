"""CSV import and export of products (issue #15) on PostgreSQL: preview and commit of 10,000 rows.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/shop_csv_bench \
        .venv/bin/python bench/csv_import.py [--products 3334] [--variants 3]

Creates the database when it is missing, migrates it and deletes every product and category in
it (use a database of its own). Then, through ``catalog.services.products_csv_import`` (no HTTP):

1. a file of ``--products`` new products with ``--variants`` variants each (sizes, 20
   categories; 3,334 × 3 = 10,002 rows): preview, then commit (every variant created, its
   opening stock written to the ledger with reason ``import``);
2. the export of that catalog (``catalog.csv_io.export_rows``, streamed), imported back
   unchanged: preview and commit, which must write nothing;
3. the export with every price and quantity changed: preview and commit (every variant
   updated, one ledger row each).

Prints a Markdown table (seconds, queries, ledger rows written) for docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import csv
import io
import os
import resource
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/shop_csv_bench")
os.environ["DJANGO_SETTINGS_MODULE"] = "ecommerce.settings.test"  # plain static storage, no collectstatic
os.environ.setdefault("LOG_LEVEL", "WARNING")

SIZES = ("S", "M", "L", "XL", "XXL")


def ensure_database(url: str) -> None:
    import psycopg

    name = url.rsplit("/", 1)[1]
    admin_url = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin_url, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


def new_file(products: int, variants: int) -> bytes:
    from catalog.csv_io import COLUMNS

    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    for n in range(products):
        for v, size in enumerate(SIZES[:variants]):
            cells = {
                "product_name": f"Bench shirt {n}",
                "product_slug": f"bench-shirt-{n}",
                "description": f"Shirt number {n}, cotton.",
                "categories": f"bench-{n % 20}|bench-{(n + 7) % 20}",
                "options": "size",
                "sku": f"BENCH-{n}-{size}",
                "option_values": f"size={size}",
                "price": f"{10 + (n % 50)}.{v}9",
                "quantity": str((n + v) % 40),
                "weight_grams": str(150 + v * 10),
                "tax_class": "standard",
                "is_active": "true",
                "discontinued": "false",
            }
            writer.writerow([cells.get(column, "") for column in COLUMNS])
    return out.getvalue().encode()


def changed_file(exported: bytes) -> bytes:
    rows = list(csv.DictReader(io.StringIO(exported.decode())))
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]))
    writer.writeheader()
    for row in rows:
        row["price"] = f"{float(row['price']) + 1:.2f}"
        row["quantity"] = str(int(row["quantity"]) + 5)
        writer.writerow(row)
    return out.getvalue().encode()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--products", type=int, default=3334)
    parser.add_argument("--variants", type=int, default=3, choices=range(1, len(SIZES) + 1))
    options = parser.parse_args()
    ensure_database(os.environ["DATABASE_URL"])
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection

    from catalog import selectors, services
    from catalog.csv_io import export_rows
    from catalog.models import Category, Product, StockMovement
    from ecommerce.celery import app

    # as with a broker: the events' dispatch is a message sent after the commit (without one,
    # each event would be dispatched in-process right after the commit, inside the timing)
    app.conf.task_always_eager = settings.CELERY_TASK_ALWAYS_EAGER = False
    app.conf.broker_url = "memory://"
    call_command("migrate", verbosity=0)
    Product._base_manager.all().delete()
    Category.objects.all().delete()
    for n in range(20):
        services.category_create(name=f"Bench {n}", slug=f"bench-{n}")

    results: list[tuple[str, float, int, int, dict[str, int]]] = []

    def measure(label: str, content: bytes, *, commit: bool) -> None:
        ledger = StockMovement.objects.count()
        count = 0

        def counter(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
            nonlocal count
            count += 1
            return execute(sql, params, many, context)

        with connection.execute_wrapper(counter):
            began = time.perf_counter()
            plan = services.products_csv_import(content=content, commit=commit)
            seconds = time.perf_counter() - began
        assert plan.valid, plan.errors[:5]
        written = StockMovement.objects.count() - ledger
        results.append((label, seconds, count, written, plan.summary()))
        print(f"{label}: {seconds:.2f} s, {count} queries, {written} ledger rows", flush=True)

    content = new_file(options.products, options.variants)
    rows = content.count(b"\n") - 1
    print(f"{rows:,} rows, {len(content) / 1e6:.1f} MB", flush=True)
    measure("new catalog: preview", content, commit=False)
    measure("new catalog: commit", content, commit=True)

    began = time.perf_counter()
    exported = "".join(export_rows(selectors.products_for_export())).encode()
    export_seconds = time.perf_counter() - began
    print(f"export: {export_seconds:.2f} s, {len(exported) / 1e6:.1f} MB", flush=True)
    measure("export re-imported unchanged: preview", exported, commit=False)
    measure("export re-imported unchanged: commit", exported, commit=True)
    changed = changed_file(exported)
    measure("every price and quantity changed: preview", changed, commit=False)
    measure("every price and quantity changed: commit", changed, commit=True)

    print()
    print(
        f"{rows:,} rows ({options.products:,} products × {options.variants} variants), {len(content) / 1e6:.1f} MB"
    )
    print()
    print("| step | seconds | queries | ledger rows | created (p/v) | updated (p/v) | stock changes |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for label, seconds, queries, written, s in results:
        print(
            f"| {label} | {seconds:.2f} | {queries} | {written:,} | {s['products_created']:,}/"
            f"{s['variants_created']:,} | {s['products_updated']:,}/{s['variants_updated']:,} | "
            f"{s['stock_changes']:,} |"
        )
    print(f"| export (streamed rows, joined) | {export_seconds:.2f} | | | | | |")
    print(f"\npeak RSS: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")


if __name__ == "__main__":
    main()
