"""The analytics app's hand-written statements: the rollups' atomic upserts and rebuilds.

The ORM has no statement for either: ``bulk_create(update_conflicts=True)`` sets a conflicting
row's columns to the new values, where the rollups must *add* to them (``x = x + delta``, so
concurrent order changes commute), and it cannot insert from a ``SELECT`` (the rebuild's rows
never leave the database). Built from model metadata (identifiers quoted by the backend, every
value a parameter).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import connection
from django.db.models import Model, QuerySet

from ecommerce.common.sql import sql_upsert_add

from .models import DailyOrderStats, DailyProductSales


def order_stats_add(rows: Sequence[tuple[Any, ...]]) -> None:
    """Add ``(day, channel, status, orders, revenue, units, discount, shipping, tax)`` deltas to
    the order rollup."""
    sql_upsert_add(
        DailyOrderStats,
        key=("day", "channel", "status"),
        add=("orders", "revenue", "units", "discount", "shipping", "tax"),
        rows=rows,
    )


def product_sales_add(rows: Sequence[tuple[Any, ...]]) -> None:
    """Add ``(day, channel, product pk, units, revenue, discount, tax)`` deltas to the product
    rollup."""
    sql_upsert_add(
        DailyProductSales,
        key=("day", "channel", "product"),
        add=("units", "revenue", "discount", "tax"),
        rows=rows,
    )


def insert_select(
    model: type[Model],
    columns: dict[str, str],
    source: QuerySet[Any, Any],
    *,
    set_on_conflict: Sequence[str] = (),
) -> int:
    """``INSERT INTO table (columns) SELECT … FROM (source) sub``: the rows never leave the
    database. ``columns`` maps each target column to the alias of ``source``'s output column.
    With ``set_on_conflict`` (the key columns) a row whose key exists gets the other columns set."""
    quote = connection.ops.quote_name
    sql, params = source.query.sql_with_params()
    names = ", ".join(quote(c) for c in columns)
    picked = ", ".join(f"sub.{quote(alias)}" for alias in columns.values())
    # ``WHERE 1 = 1`` keeps SQLite from reading ON CONFLICT as a join constraint.
    statement = (
        f"INSERT INTO {quote(model._meta.db_table)} ({names}) SELECT {picked} FROM ({sql}) sub WHERE 1 = 1"  # noqa: S608
    )
    if set_on_conflict:
        others = [c for c in columns if c not in set_on_conflict]
        if connection.vendor == "mysql":
            statement += " ON DUPLICATE KEY UPDATE " + ", ".join(
                f"{quote(c)} = VALUES({quote(c)})" for c in others
            )
        else:
            keys = ", ".join(quote(c) for c in set_on_conflict)
            updates = ", ".join(f"{quote(c)} = excluded.{quote(c)}" for c in others)
            statement += f" ON CONFLICT ({keys}) DO UPDATE SET {updates}"
    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        return int(cursor.rowcount)  # DB-API: an int
