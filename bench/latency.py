"""Query-latency benchmark of the uncached catalog reads at 100,000 products (PostgreSQL).

    .venv/bin/python -m bench.latency          # DATABASE_URL defaults to .../shop_bench

Seeds the catalog to 100,000 products when it holds fewer (``seed_demo``), then measures, with
the cache disabled (DummyCache, so every request runs its SQL), the server time of:

- 50 different product lists: page of 20, a category filter (departments and leaves, pages
  1-3), ordered by price;
- 50 different searches (words, phrases, typos), ranked by relevance;
- 20 searches for a variant's SKU (10 SKUs, as stored and lower-cased) and 10 for option
  values (``red``, ``XL``, …: thousands of products each), ranked by relevance (issue #15).

"Server time" is the whole Django request in-process (middleware, view, SQL, serialisation),
without the network. Each query runs once to warm up, then ``--repeat`` times; p50/p95/max are
over all timed runs. Prints a Markdown table for ``docs/benchmarks.md``.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import time

os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/shop_bench")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, override_settings  # noqa: E402

from catalog.models import Category, Product, ProductVariant  # noqa: E402

PRODUCTS = 100_000
SEARCHES = [
    # words and phrases a shopper types
    "coffee", "coffee beans", "espresso", "green tea", "matcha", "dark chocolate", "olive oil",
    "pasta", "frying pan", "dutch oven", "chef knife", "knife block", "kettle", "blender",
    "espresso machine", "headphones", "bluetooth speaker", "mechanical keyboard", "wireless mouse",
    "monitor", "power bank", "desk chair", "floor lamp", "weighted blanket", "candle", "tent",
    "sleeping bag", "bike helmet", "yoga mat", "running shoes", "organic coffee", "premium tea",
    "walnut", "stainless steel", "travel mug",
    # typos
    "cofee", "expresso machine", "hedphones", "keybord", "blutooth speaker", "yoga matt",
    "runing shoes", "chocolat", "kettel", "matress topper", "campng stove", "dumbell set",
    "bycicle lock", "screen protecter", "organik granola",
]  # fmt: skip
OPTION_VALUES = ["red", "black", "navy", "green", "XL", "M", "s", "L", "sand", "Blue"]


def _ensure_catalog() -> None:
    call_command("migrate", verbosity=0)
    if Product.objects.count() < PRODUCTS:
        started = time.perf_counter()
        call_command("seed_demo", "--products", str(PRODUCTS))
        print(f"seeded in {time.perf_counter() - started:.1f} s")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def _measure(client: Client, urls: list[str], repeat: int) -> tuple[list[float], int, int]:
    for url in urls:  # warm-up: plans, buffers
        assert client.get(url).status_code == 200, url
    samples: list[float] = []
    max_queries = 0
    hits = 0
    for _ in range(repeat):
        for url in urls:
            with CaptureQueriesContext(connection) as ctx:
                started = time.perf_counter()
                response = client.get(url)
                samples.append((time.perf_counter() - started) * 1000)
            max_queries = max(max_queries, len(ctx.captured_queries))
            hits += response.json()["count"] > 0
    return samples, max_queries, hits // repeat


def _row(name: str, samples: list[float], queries: int, hits: int, total: int) -> str:
    ordered = sorted(samples)
    p95 = ordered[max(0, round(0.95 * len(ordered)) - 1)]
    return (
        f"| {name} | {len(samples)} | {statistics.median(ordered):.1f} | {p95:.1f} | {ordered[-1]:.1f} "
        f"| {queries} | {hits}/{total} |"
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    _ensure_catalog()
    categories = list(Category.objects.order_by("parent_id", "position").values_list("slug", flat=True))
    lists = [
        f"/api/products/?category={slug}&ordering=price&page={page}"
        for page in (1, 2, 3)
        for slug in categories
    ]
    lists = lists[:50]
    searches = [f"/api/products/?search={term.replace(' ', '+')}" for term in SEARCHES]
    skus = list(
        ProductVariant.objects.filter(is_active=True)
        .order_by("id")
        .values_list("sku", flat=True)[::9_973][:10]
    )
    variant_searches = [
        f"/api/products/?search={term}" for term in [*skus, *(sku.lower() for sku in skus), *OPTION_VALUES]
    ]
    assert len(lists) == 50 and len(searches) == 50
    client = Client()
    with override_settings(CACHES={"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}):
        list_samples, list_queries, list_hits = _measure(client, lists, args.repeat)
        search_samples, search_queries, search_hits = _measure(client, searches, args.repeat)
        variant_samples, variant_queries, variant_hits = _measure(client, variant_searches, args.repeat)
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        version = cursor.fetchone()[0]
    print(
        f"\n{Product.objects.count():,} products, {len(categories)} categories; PostgreSQL {version}; "
        f"{os.cpu_count()} CPUs; Python {platform.python_version()}; load average {os.getloadavg()[0]:.2f}\n"
    )
    print("| reads (cache off) | timed requests | p50 ms | p95 ms | max ms | SQL queries | non-empty |")
    print("|---|---|---|---|---|---|---|")
    print(_row("list: category + price order, page of 20", list_samples, list_queries, list_hits, len(lists)))
    print(_row("search, by relevance", search_samples, search_queries, search_hits, len(searches)))
    print(
        _row(
            "search: SKUs and option values",
            variant_samples,
            variant_queries,
            variant_hits,
            len(variant_searches),
        )
    )


if __name__ == "__main__":
    main()
