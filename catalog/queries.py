"""The catalog's hand-written statements: the stock rows of checkout's hot path.

Kept by hand where ``bench/checkout.py`` shows the ORM costs checkout at least 15% of its
throughput (``docs/benchmarks.md``, "Where SQL is written by hand"). Built from model metadata
with ``ecommerce.common.sql`` (identifiers quoted by the backend, every value a parameter).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from functools import lru_cache
from typing import Any

from django.db import connection

from ecommerce.common.sql import for_update, quoted_table, sql_execute, sql_fetch, sql_insert

from .models import Product, StockMovement


def product_rows_lock(
    keys: Sequence[int] | Sequence[str], *, by_public_id: bool, manager_id: int | None
) -> list[tuple[Any, ...]]:
    """``SELECT … FOR UPDATE`` the products with these primary keys (or public ids), in
    primary-key order: rows of ``(id, public_id, name, price, quantity, discontinued)``; with
    ``manager_id``, only that manager's."""
    params: list[object] = list(keys)
    if manager_id is not None:
        params.append(manager_id)
    return sql_fetch(
        _lock_statement(connection.vendor, len(keys), by_public_id, manager_id is not None), params
    )


@lru_cache(maxsize=128)
def _lock_statement(vendor: str, count: int, by_public_id: bool, by_manager: bool) -> str:
    ids = ", ".join(["%s"] * count)
    key = "public_id" if by_public_id else "id"
    manager = " AND manager_id = %s" if by_manager else ""
    return (
        "SELECT id, public_id, name, price, quantity, discontinued "  # noqa: S608 - no input in the text
        f"FROM {quoted_table(Product)} WHERE {key} IN ({ids}){manager} ORDER BY id{for_update()}"
    )


def product_quantity_add(pk: int, delta: int) -> int:
    """``UPDATE … SET quantity = quantity + delta`` of one product (in the database, so
    concurrent changes commute); returns the rows changed."""
    return sql_execute(_add_statement(connection.vendor), [delta, pk])


@lru_cache(maxsize=8)
def _add_statement(vendor: str) -> str:
    return f"UPDATE {quoted_table(Product)} SET quantity = quantity + %s WHERE id = %s"  # noqa: S608


def stock_movements_insert(
    deltas: Iterable[tuple[int, int]], *, order_id: int | None, reason: str, at: datetime
) -> None:
    """One ledger row per ``(product pk, delta)``, in one ``INSERT``."""
    sql_insert(
        StockMovement,
        ("product", "order", "delta", "reason", "created_at"),
        [(pk, order_id, delta, reason, at) for pk, delta in deltas],
    )
