"""The cart's hand-written statements: what checkout's hot path reads and deletes in the cart.

Kept by hand where ``bench/checkout.py`` shows the ORM costs checkout at least 15% of its
throughput (``docs/benchmarks.md``, "Where SQL is written by hand"). Built from model metadata
with ``ecommerce.common.sql`` (identifiers quoted by the backend, every value a parameter).
"""

from __future__ import annotations

from functools import lru_cache

from django.db import connection

from ecommerce.common.sql import for_update, quoted_table, sql_execute, sql_fetch

from .models import Cart, CartLine


def cart_id_lock(user_id: int) -> int | None:
    """Lock the user's cart row (``SELECT … FOR UPDATE``); its id, or None without a cart."""
    rows = sql_fetch(_statements(connection.vendor)[0], [user_id])
    return int(rows[0][0]) if rows else None


def cart_lock(cart_id: int) -> bool:
    """Lock the cart row ``cart_id`` (``SELECT … FOR UPDATE``); False when there is none."""
    return bool(sql_fetch(_statements(connection.vendor)[3], [cart_id]))


def cart_line_quantities(cart_id: int) -> dict[int, int]:
    """``{variant pk: quantity}`` of the cart's lines (not those saved for later), by variant."""
    return {
        int(pk): int(quantity) for pk, quantity in sql_fetch(_statements(connection.vendor)[1], [cart_id])
    }


def cart_lines_delete(cart_id: int) -> int:
    """Delete the cart's lines (not those saved for later); returns how many."""
    return sql_execute(_statements(connection.vendor)[2], [cart_id])


@lru_cache(maxsize=8)
def _statements(vendor: str) -> tuple[str, str, str, str]:
    cart, line = quoted_table(Cart), quoted_table(CartLine)
    return (
        f"SELECT id FROM {cart} WHERE user_id = %s{for_update()}",  # noqa: S608 - no input in the text
        f"SELECT variant_id, quantity FROM {line} WHERE cart_id = %s AND NOT saved_for_later "  # noqa: S608
        "ORDER BY variant_id",
        f"DELETE FROM {line} WHERE cart_id = %s AND NOT saved_for_later",  # noqa: S608
        f"SELECT id FROM {cart} WHERE id = %s{for_update()}",  # noqa: S608 - no input in the text
    )
