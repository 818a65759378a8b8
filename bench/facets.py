"""Attribute filters and facet counts at 100,000 products × 3 variants (PostgreSQL, cache off).

    .venv/bin/python -m bench.facets          # DATABASE_URL defaults to .../shop_bench_facets

Seeds its own database when it holds fewer products: every product has 3 variants (sizes S, M,
L of one colour, options ``size`` and ``color``), a ``material`` (choice), a ``weight`` (number,
kg) and, for grocery, ``organic`` (boolean), so the value table holds about 6 rows per product.
Then, with the cache off (DummyCache: every request runs its SQL), it times requests with
``facets`` of seven kinds: no filter, a category, a search, an attribute value, two values, a
value in a category, a number range with a value.
Each URL runs once to warm up, then ``--repeat`` times.

Two figures per kind: the whole request in-process (middleware, view, every query,
serialisation) and the facet statements alone (live ``GROUP BY`` counts, or the read of the kept
bitmaps, as timed by the database driver round trip). Prints a Markdown table for
``docs/benchmarks.md``.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import statistics
import time

os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/shop_bench_facets")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, override_settings  # noqa: E402
from django.utils.text import slugify  # noqa: E402

from catalog.attributes import attribute_create, attribute_index_sync  # noqa: E402
from catalog.demo import COLORS, TREE, _categories_seed, _price, demo_product_text  # noqa: E402
from catalog.models import Attribute, Category, Product, ProductVariant, StockMovementReason  # noqa: E402
from catalog.stock import stock_import  # noqa: E402

PRODUCTS = 100_000
BATCH = 2_000
SIZES = ("S", "M", "L")
MATERIALS = ("cotton", "wool", "steel", "wood", "glass", "ceramic", "plastic", "leather")
SEARCHES = ["coffee", "headphones", "yoga mat", "kettle", "desk chair", "candle", "tent", "knife"]


def _attributes() -> None:
    definitions = {
        "color": {"name": "Colour", "type": "choice", "choices": list(COLORS)},
        "size": {"name": "Size", "type": "choice", "choices": list(SIZES)},
        "material": {"name": "Material", "type": "choice", "choices": list(MATERIALS)},
        "weight": {"name": "Weight", "type": "number", "unit": "kg"},
        "organic": {"name": "Organic", "type": "boolean"},
    }
    for slug, fields in definitions.items():
        if not Attribute.objects.filter(slug=slug).exists():
            attribute_create(slug=slug, **fields)


def _seed() -> None:
    call_command("migrate", verbosity=0)
    _attributes()
    missing = PRODUCTS - Product.objects.count()
    if missing <= 0:
        return
    started = time.perf_counter()
    rng = random.Random(PRODUCTS)  # noqa: S311 - bench data
    leaves = _categories_seed()
    through = Product.categories.through
    made = 0
    while made < missing:
        with transaction.atomic():
            products: list[Product] = []
            variants: list[ProductVariant] = []
            links = []
            for _ in range(min(BATCH, missing - made)):
                leaf, department, child = rng.choice(leaves)
                name, _noun, description = demo_product_text(rng, department, child)
                token = f"{made + len(products):06d}"
                price = _price(rng, *TREE[department][child].prices)
                attributes = {"material": rng.choice(MATERIALS), "weight": round(rng.uniform(0.1, 5.0), 1)}
                if department == "Grocery":
                    attributes["organic"] = rng.random() < 0.4
                product = Product(
                    name=name,
                    slug=f"{slugify(name)}-{token}",
                    description=description,
                    price=price,
                    options=["size", "color"],
                    attributes=attributes,
                )
                product.quantity = 0
                color = rng.choice(COLORS)
                for position, size in enumerate(SIZES):
                    variants.append(
                        ProductVariant(
                            product=product,
                            sku=f"FB-{token}-{size}",
                            options={"size": size, "color": color},
                            price=price + position,
                            quantity=rng.randint(0, 40),
                            position=position,
                        )
                    )
                products.append(product)
                links.append(leaf)
            Product.objects.bulk_create(products, batch_size=BATCH)
            for variant in variants:
                variant.product_id = variant.product.pk
            stock_import(created=[], levels={}, reason=StockMovementReason.RESTOCK, created_variants=variants)
            through.objects.bulk_create(
                [
                    through(product_id=p.pk, category_id=leaf.pk)
                    for p, leaf in zip(products, links, strict=True)
                ]
            )
            attribute_index_sync(p.pk for p in products)
        made += len(products)
        print(f"  {made:,}/{missing:,} products", end="\r", flush=True)
    print(f"\nseeded in {time.perf_counter() - started:.1f} s")
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")


def _facet_ms(queries: list[dict[str, str]]) -> float:
    """The facet statements' time: the one reading the kept bitmaps, or those grouping without a
    LIMIT (the live counts; the page's rows are grouped too, but limited)."""
    kept = ("catalog_facetbitmap",)
    return sum(
        float(q["time"]) * 1000
        for q in queries
        if any(t in q["sql"] for t in kept) or ("GROUP BY" in q["sql"] and "LIMIT" not in q["sql"])
    )


def _measure(client: Client, urls: list[str], repeat: int) -> tuple[list[float], list[float], int]:
    for url in urls:  # warm-up: plans, buffers
        response = client.get(url)
        assert response.status_code == 200, (url, response.content[:300])
        assert "facets" in response.json(), url
    whole: list[float] = []
    facets: list[float] = []
    max_queries = 0
    for _ in range(repeat):
        for url in urls:
            with CaptureQueriesContext(connection) as ctx:
                started = time.perf_counter()
                client.get(url)
                whole.append((time.perf_counter() - started) * 1000)
            facets.append(_facet_ms(ctx.captured_queries))
            max_queries = max(max_queries, len(ctx.captured_queries))
    return whole, facets, max_queries


def _p95(samples: list[float]) -> float:
    ordered = sorted(samples)
    return ordered[max(0, round(0.95 * len(ordered)) - 1)]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    _seed()
    slugs = list(Category.objects.order_by("parent_id", "position").values_list("slug", flat=True))
    facets = "facets=color,size,material,price"
    kinds = {
        "no filter": [f"/api/products/?{facets}&page={page}" for page in (1, 2, 3)],
        "category (departments and leaves)": [
            f"/api/products/?category={slug}&{facets}" for slug in slugs[:20]
        ],
        "search": [f"/api/products/?search={term.replace(' ', '+')}&{facets}" for term in SEARCHES],
        "attribute value (attr.color=…)": [f"/api/products/?attr.color={color}&{facets}" for color in COLORS],
        "two values (attr.color=a,b)": [
            f"/api/products/?attr.color={a},{b}&{facets}" for a, b in zip(COLORS, COLORS[1:], strict=False)
        ],
        "value + category": [
            f"/api/products/?attr.material={material}&category={slug}&{facets}"
            for material, slug in zip(MATERIALS, slugs[:8], strict=True)
        ],
        "number range + value": [
            f"/api/products/?attr.weight__gte={low}&attr.weight__lt={low + 1}&attr.size=M&{facets}"
            for low in (0, 1, 2, 3, 4)
        ],
    }
    client = Client()
    rows = []
    with override_settings(CACHES={"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}):
        for kind, urls in kinds.items():
            whole, facet, queries = _measure(client, urls, args.repeat)
            rows.append(
                f"| {kind} | {len(whole)} | {statistics.median(facet):.1f} | {_p95(facet):.1f} "
                f"| {statistics.median(whole):.1f} | {_p95(whole):.1f} | {queries} |"
            )
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        version = cursor.fetchone()[0]
        cursor.execute("SELECT count(*) FROM catalog_productattributevalue")
        values = cursor.fetchone()[0]
    print(
        f"\n{Product.objects.count():,} products, {ProductVariant.objects.count():,} variants, "
        f"{values:,} attribute value rows; PostgreSQL {version}; {os.cpu_count()} CPUs; "
        f"Python {platform.python_version()}; load average {os.getloadavg()[0]:.2f}\n"
    )
    print("| facets=color,size,material,price with | timed requests | facet SQL p50 ms | facet SQL p95 ms "
          "| whole request p50 ms | whole request p95 ms | SQL queries |")  # fmt: skip
    print("|---|---|---|---|---|---|---|")
    print("\n".join(rows))


if __name__ == "__main__":
    main()
