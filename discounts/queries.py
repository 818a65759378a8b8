"""The voucher uses' hand-written statements: what a checkout with a code runs under the
voucher's row lock (``discounts.services.voucher_uses_claim``).

Kept by hand for issue #16's checkout target: the ORM built and compiled these three statements
on every completion (``docs/benchmarks.md``, "Checkout sessions with a voucher, tax and
shipping"). Built from model metadata with ``ecommerce.common.sql`` (identifiers quoted by the
backend, every value a parameter).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from functools import lru_cache
from typing import Any

from django.db import connection

from ecommerce.common.sql import for_update, quoted_table, sql_execute, sql_fetch, sql_insert

from .models import Voucher, VoucherUse


def voucher_rows_lock(pks: Sequence[int], *, order_ref: str) -> list[tuple[Any, ...]]:
    """``SELECT … FOR UPDATE`` the vouchers ``pks`` in primary-key order: rows of ``(id,
    already claimed for order_ref, is_active, usage_limit, used_count,
    usage_limit_per_customer)``; a voucher deleted has no row."""
    if not pks:
        return []
    return sql_fetch(_lock_statement(connection.vendor, len(pks)), [order_ref, *pks])


def voucher_uses_add(
    pks: Sequence[int], *, order_ref: str, user_id: int | None, email: str, at: datetime
) -> None:
    """One more use of each voucher ``pks`` (``used_count + 1``, in the database) and its
    :class:`VoucherUse` row: two statements."""
    if not pks:
        return
    sql_execute(_add_statement(connection.vendor, len(pks)), list(pks))
    sql_insert(
        VoucherUse,
        ("voucher", "order_ref", "user", "email", "created_at", "released_at"),
        [(pk, order_ref, user_id, email, at, None) for pk in pks],
    )


@lru_cache(maxsize=32)
def _lock_statement(vendor: str, count: int) -> str:
    voucher, use = quoted_table(Voucher), quoted_table(VoucherUse)
    claimed = (
        f"SELECT 1 FROM {use} u WHERE u.voucher_id = v.id AND u.order_ref = %s "  # noqa: S608 - no input in the text
        "AND u.released_at IS NULL"
    )
    return (
        f"SELECT v.id, EXISTS({claimed}), v.is_active, v.usage_limit, v.used_count, "  # noqa: S608
        f"v.usage_limit_per_customer FROM {voucher} v WHERE v.id IN ({', '.join(['%s'] * count)}) "
        f"ORDER BY v.id{for_update()}"
    )


@lru_cache(maxsize=32)
def _add_statement(vendor: str, count: int) -> str:
    return (
        f"UPDATE {quoted_table(Voucher)} SET used_count = used_count + 1 "  # noqa: S608 - no input in the text
        f"WHERE id IN ({', '.join(['%s'] * count)})"
    )
