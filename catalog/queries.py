"""The catalog's hand-written statements: the variant (stock) rows of checkout's hot path.

Kept by hand where ``bench/checkout.py`` shows the ORM costs checkout at least 15% of its
throughput (``docs/benchmarks.md``, "Where SQL is written by hand"). Built from model metadata
with ``ecommerce.common.sql`` (identifiers quoted by the backend, every value a parameter).

Stock lives on :class:`~catalog.models.ProductVariant` rows: the locking read locks variant
rows only. The product's name, public id and ``discontinued`` come from scalar subqueries,
which a locking read does not lock (PostgreSQL, InnoDB), so two buyers of two variants of one
product never wait for each other.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from functools import lru_cache
from typing import Any

from django.db import connection

from ecommerce.common.sql import for_update, quoted_table, sql_execute, sql_fetch, sql_insert

from .facets import price_bounds
from .models import FacetBitmapBound, Product, ProductVariant, StockMovement


def variant_rows_lock(
    *, pks: Sequence[int] = (), public_ids: Sequence[str] = (), manager_id: int | None = None
) -> list[tuple[Any, ...]]:
    """``SELECT … FOR UPDATE`` variants, in primary-key order: those with these primary keys,
    or, at the API edge, those with these public ids and every variant of the products with
    these public ids (``var_…`` ids name variants, any other a product). Rows of ``(id,
    public_id, product_id, sku, options, price, quantity, is_active, product public id, product
    name, product discontinued, tax_class, weight_grams)``; with ``manager_id``, only that
    manager's. One statement."""
    variant_ids = [key for key in public_ids if key.startswith("var_")]
    product_ids = [key for key in public_ids if not key.startswith("var_")]
    params: list[object] = [*pks, *variant_ids]
    if variant_ids and manager_id is not None:
        params.append(manager_id)
    params.extend(product_ids)
    if product_ids and manager_id is not None:
        params.append(manager_id)
    if pks and manager_id is not None:
        params.append(manager_id)
    statement = _lock_statement(
        connection.vendor, len(pks), len(variant_ids), len(product_ids), manager_id is not None
    )
    return sql_fetch(statement, params)


@lru_cache(maxsize=256)
def _lock_statement(vendor: str, pks: int, variant_ids: int, product_ids: int, by_manager: bool) -> str:
    variant, product = quoted_table(ProductVariant), quoted_table(Product)
    manager = " AND manager_id = %s" if by_manager else ""
    of_manager = f" AND v.product_id IN (SELECT id FROM {product} WHERE manager_id = %s)"  # noqa: S608
    of_manager = of_manager if by_manager else ""
    wanted = []
    if pks:
        wanted.append(f"v.id IN ({', '.join(['%s'] * pks)}){of_manager}")
    if variant_ids:
        wanted.append(f"v.public_id IN ({', '.join(['%s'] * variant_ids)}){of_manager}")
    if product_ids:
        ids = ", ".join(["%s"] * product_ids)
        wanted.append(f"v.product_id IN (SELECT id FROM {product} WHERE public_id IN ({ids}){manager})")  # noqa: S608
    if pks:  # the cart's lines: by primary key only; the manager filter goes last
        wanted = [f"v.id IN ({', '.join(['%s'] * pks)})" + (of_manager if by_manager else "")]
    of_product = f"FROM {product} p WHERE p.id = v.product_id"
    return (
        "SELECT v.id, v.public_id, v.product_id, v.sku, v.options, v.price, v.quantity, v.is_active, "  # noqa: S608
        f"(SELECT p.public_id {of_product}), (SELECT p.name {of_product}), "
        f"(SELECT p.discontinued {of_product}), v.tax_class, v.weight_grams "
        f"FROM {variant} v WHERE {' OR '.join(f'({w})' for w in wanted)} ORDER BY v.id{for_update()}"
    )


def variant_quantity_add(pk: int, delta: int) -> int:
    """``UPDATE … SET quantity = quantity + delta`` of one variant (in the database, so
    concurrent changes commute); returns the rows changed."""
    return sql_execute(_add_statement(connection.vendor), [delta, pk])


@lru_cache(maxsize=8)
def _add_statement(vendor: str) -> str:
    return f"UPDATE {quoted_table(ProductVariant)} SET quantity = quantity + %s WHERE id = %s"  # noqa: S608


def stock_movements_insert(
    deltas: Iterable[tuple[int, int, int]], *, order_id: int | None, reason: str, at: datetime
) -> None:
    """One ledger row per ``(product pk, variant pk, delta)``, in one ``INSERT``."""
    sql_insert(
        StockMovement,
        ("product", "variant", "order", "delta", "reason", "created_at"),
        [(product, variant, order_id, delta, reason, at) for product, variant, delta in deltas],
    )


def facet_bitmaps_compact() -> int:
    """PostgreSQL: keep the bitmaps' price bounds those of the settings
    (:func:`facet_bitmaps_bounds_sync`) and fold each key's flip rows into one (hourly
    housekeeping); returns how many bitmap rows remain. Elsewhere nothing is kept: 0."""
    if connection.vendor != "postgresql":
        return 0
    facet_bitmaps_bounds_sync()
    with connection.cursor() as cursor:
        cursor.execute("SELECT catalog_facet_bitmaps_compact()")  # migration 0011_facet_bitmaps
        return int(cursor.fetchone()[0])


def facet_bitmaps_bounds_sync() -> bool:
    """PostgreSQL: when the price bounds whose bitmaps are kept are not
    ``CATALOG_PRICE_FACET_BOUNDS``, make them so (``catalog_facet_bitmaps_bounds``: product
    writes wait for the fill); True when they changed."""
    wanted = price_bounds()
    if set(FacetBitmapBound.objects.values_list("number", flat=True)) == set(wanted):
        return False
    with connection.cursor() as cursor:
        cursor.execute("SELECT catalog_facet_bitmaps_bounds(%s::numeric[])", [[str(b) for b in wanted]])
    return True
