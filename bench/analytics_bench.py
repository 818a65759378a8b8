"""Analytics dashboard benchmark on PostgreSQL: 1,000,000 orders and 3,000,000 order lines.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/shop_analytics_bench \
        .venv/bin/python bench/analytics_bench.py [--orders 1000000] [--reload] [--runs 20]

Creates the database when it is missing, migrates it, bulk-loads (``COPY``) products, customers,
orders spread over the last two years and three lines per order, rebuilds the rollups, then
times the dashboard (``/admin/analytics/?range=90d``, in-process through Django's test client,
i.e. server time without the network) and ``GET /api/analytics/summary`` for 90 days, and the
live aggregates the rollups replace. Results go to stdout (copied into docs/benchmarks.md).
The data stays for the next run; ``--reload`` loads it again.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/shop_analytics_bench")
# test settings: plain static storage (no collectstatic needed), fast password hasher
os.environ["DJANGO_SETTINGS_MODULE"] = "ecommerce.settings.test"
os.environ.setdefault("LOG_LEVEL", "WARNING")  # no request log lines in the output

STATUS_WEIGHTS = {
    "delivered": 60,
    "shipped": 10,
    "paid": 12,
    "pending": 3,
    "cancelled": 10,
    "payment_failed": 5,
}


def ensure_database(url: str) -> None:
    import psycopg

    name = url.rsplit("/", 1)[1]
    admin_url = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin_url, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


def load(orders_total: int, days: int, rng: random.Random) -> None:
    from django.db import connection

    from accounts.models import User
    from catalog.models import Category, Product, ProductVariant

    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE analytics_dailyorderstats, analytics_dailyproductsales, orders_orderline, orders_orderevent,"
            " orders_stockmovement, orders_order RESTART IDENTITY CASCADE"
        )
    Product.objects.filter(slug__startswith="bench-").delete()
    Category.objects.filter(slug__startswith="bench-").delete()
    User.objects.filter(email__endswith="@bench.example.com").delete()

    categories = Category.objects.bulk_create(
        Category(name=f"Bench category {i}", slug=f"bench-category-{i}") for i in range(20)
    )
    products = Product.objects.bulk_create(
        Product(
            name=f"Bench product {i}",
            slug=f"bench-product-{i}",
            price=Decimal(rng.randint(199, 19999)) / 100,
            quantity=rng.randint(0, 200),
        )
        for i in range(1000)
    )
    # each product's one variant (orders buy variants): its SKU, price and stock
    variants = {
        v.product_id: v
        for v in ProductVariant.objects.bulk_create(
            ProductVariant(product=p, sku=f"BENCH-{p.pk}", price=p.price, quantity=p.quantity)
            for p in products
        )
    }
    Product.categories.through.objects.bulk_create(
        Product.categories.through(product_id=p.pk, category_id=categories[i % 20].pk)
        for i, p in enumerate(products)
    )
    now = datetime.now(UTC)
    start = now - timedelta(days=days)
    users = User.objects.bulk_create(
        (
            User(
                email=f"customer{i}@bench.example.com",
                password="!",  # noqa: S106 - unusable password
                date_joined=start + timedelta(seconds=rng.randint(0, days * 86400)),
            )
            for i in range(20000)
        ),
        batch_size=5000,
    )
    print(f"catalog and customers: {time.perf_counter() - started:.1f} s", flush=True)

    weights = [1 / (rank + 1) ** 0.8 for rank in range(len(products))]
    cumulative = []
    acc = 0.0
    for w in weights:
        acc += w
        cumulative.append(acc)
    statuses, status_weights = zip(*STATUS_WEIGHTS.items(), strict=True)
    span = days * 86400
    moments = sorted(rng.randint(0, span - 1) for _ in range(orders_total))

    started = time.perf_counter()
    order_cols = (
        "id, public_id, channel, status, user_id, manager_id, customer_ref, customer_email, currency,"
        " subtotal, total_amount, shipping_address, payment_reference, created_at, updated_at,"
        " discount_total, shipping_total, tax_total, prices_include_tax, billing_address,"
        " shipping_method, discount_codes, tax_breakdown"
    )
    # No discount, shipping or tax (the orders of before checkout v2): the rollups sum those
    # columns all the same.
    no_breakdown = (Decimal("0.00"), Decimal("0.00"), Decimal("0.00"), False, "{}", "{}", "[]", "[]")
    line_cols = (
        "order_id, product_id, product_public_id, name, unit_price, quantity, line_total,"
        " unit_price_net, unit_price_gross, tax_rate, discount, tax, total,"
        " variant_id, variant_public_id, sku, options"
    )
    with connection.cursor() as wrapper:
        raw = wrapper.cursor
        with raw.copy(f"COPY orders_order ({order_cols}) FROM STDIN") as order_copy:
            lines: list[tuple] = []
            for order_id, second in enumerate(moments, start=1):
                created = start + timedelta(seconds=second)
                api = rng.random() < 0.25
                status = "paid" if api else rng.choices(statuses, status_weights)[0]
                user = None if api else users[rng.randrange(len(users))]
                total = Decimal("0.00")
                for product in rng.choices(products, cum_weights=cumulative, k=3):
                    quantity = rng.randint(1, 3)
                    line_total = product.price * quantity
                    total += line_total
                    lines.append(
                        (
                            order_id,
                            product.pk,
                            product.public_id,
                            product.name,
                            product.price,
                            quantity,
                            line_total,
                            product.price,
                            product.price,
                            Decimal("0.00"),
                            Decimal("0.00"),
                            Decimal("0.00"),
                            line_total,
                            variants[product.pk].pk,
                            variants[product.pk].public_id,
                            variants[product.pk].sku,
                            "{}",
                        )
                    )
                order_copy.write_row(
                    (
                        order_id,
                        f"ord_b{order_id:015d}",
                        "inventory_api" if api else "shop",
                        status,
                        user.pk if user else None,
                        None,
                        f"cust_{order_id % 5000}" if api else user.public_id,
                        "" if api else user.email,
                        "USD",
                        total,
                        total,
                        "{}",
                        "",
                        created,
                        created,
                        *no_breakdown,
                    )
                )
        print(f"{orders_total:,} orders copied: {time.perf_counter() - started:.1f} s", flush=True)
        started = time.perf_counter()
        with raw.copy(f"COPY orders_orderline ({line_cols}) FROM STDIN") as line_copy:
            for row in lines:
                line_copy.write_row(row)
        print(f"{len(lines):,} lines copied: {time.perf_counter() - started:.1f} s", flush=True)
        raw.execute("SELECT setval(pg_get_serial_sequence('orders_order', 'id'), %s)", [orders_total])
        raw.execute("ANALYZE")


def timed(func, runs: int) -> tuple[float, float, float]:
    samples = []
    for _ in range(runs):
        began = time.perf_counter()
        func()
        samples.append((time.perf_counter() - began) * 1000)
    samples.sort()
    return statistics.median(samples), samples[int(len(samples) * 0.95) - 1], samples[-1]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--orders", type=int, default=1_000_000)
    parser.add_argument("--days", type=int, default=730)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--reload", action="store_true")
    options = parser.parse_args()

    ensure_database(os.environ["DATABASE_URL"])
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from rest_framework.test import APIClient
    from rest_framework_simplejwt.tokens import RefreshToken

    from accounts.models import User
    from analytics.periods import period_for_preset
    from analytics.querysets import order_stats_live, product_sales_live
    from analytics.services import rollup_rebuild
    from orders.models import Order, OrderLine

    call_command("migrate", verbosity=0)
    if options.reload or Order.objects.count() < options.orders:
        load(options.orders, options.days, random.Random(2025))
    print(f"orders: {Order.objects.count():,}, lines: {OrderLine.objects.count():,}", flush=True)

    began = time.perf_counter()
    result = rollup_rebuild()
    print(
        f"rollup rebuild: {time.perf_counter() - began:.1f} s "
        f"({result.order_rows:,} order rows, {result.product_rows:,} product rows)",
        flush=True,
    )
    began = time.perf_counter()
    with connection.cursor() as cursor:
        # what autovacuum does after a bulk insert: statistics and the visibility map
        cursor.execute("VACUUM ANALYZE analytics_dailyorderstats, analytics_dailyproductsales")
    print(f"vacuum analyze of the rollups: {time.perf_counter() - began:.1f} s", flush=True)

    admin, _ = User.objects.get_or_create(
        email="bench-admin@bench.example.com",
        defaults={"is_staff": True, "is_superuser": True, "role": "admin"},
    )
    client = Client()
    client.force_login(admin)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {RefreshToken.for_user(admin).access_token}")
    period = period_for_preset("90d")
    in_range = Order.objects.filter(
        created_at__gte=period.starts_at, created_at__lt=period.ends_before
    ).count()
    print(f"90-day range {period.start} … {period.end}: {in_range:,} orders", flush=True)

    def dashboard() -> None:
        response = client.get("/admin/analytics/?range=90d")
        assert response.status_code == 200, response.status_code

    def summary() -> None:
        response = api.get(f"/api/analytics/summary?from={period.start}&to={period.end}")
        assert response.status_code == 200, response.status_code

    def live() -> None:
        list(order_stats_live(starts_at=period.previous.starts_at, ends_before=period.ends_before))
        list(product_sales_live(starts_at=period.starts_at, ends_before=period.ends_before))

    for func in (dashboard, summary):
        func()  # warm up
    with CaptureQueriesContext(connection) as queries:
        dashboard()
    print(f"dashboard queries: {len(queries)}")
    for name, func, runs in (
        ("dashboard /admin/analytics/?range=90d", dashboard, options.runs),
        ("API /api/analytics/summary (90 days)", summary, options.runs),
        ("live aggregates the rollups replace (90 days)", live, 3),
    ):
        median, p95, worst = timed(func, runs)
        print(
            f"{name}: median {median:.0f} ms, p95 {p95:.0f} ms, max {worst:.0f} ms ({runs} runs)", flush=True
        )


if __name__ == "__main__":
    main()
