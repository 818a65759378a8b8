"""The orders app's hand-written statements: checkout's hot path (the order and its lines, the
timeline rows, the idempotency key, the status change, the checkout session's lock and
completion).

Kept by hand where ``bench/checkout.py`` shows the ORM costs checkout at least 15% of its
throughput (``docs/benchmarks.md``, "Where SQL is written by hand"); the session's and the
order's and its lines' inserts, for issue #16's completion target ("Checkout sessions with a
voucher, tax and shipping"). Built from model metadata
with ``ecommerce.common.sql`` (identifiers quoted by the backend, every value a parameter,
adapted by the model field as the ORM would).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from functools import lru_cache

from django.db import connection

from ecommerce.common.sql import (
    db_adapt,
    for_update,
    quoted_column,
    quoted_table,
    select_columns,
    sql_execute,
    sql_fetch,
    sql_fetch_instances,
    sql_insert,
    sql_insert_objects,
)

from .models import CheckoutSession, CheckoutStatus, IdempotencyKey, Order, OrderEvent, OrderLine


def order_insert(order: Order) -> None:
    """Insert an order built in memory (``created_at``/``updated_at`` set); it gets its
    primary key."""
    sql_insert_objects([order], return_pk=True)


def order_lines_insert(lines: Sequence[OrderLine]) -> None:
    """Insert an order's lines built in memory, in one statement; they get their primary keys
    where the database returns them (as ``bulk_create`` does)."""
    sql_insert_objects(
        lines, return_pk=len(lines) == 1 or connection.features.can_return_rows_from_bulk_insert
    )


def order_events_insert(events: Sequence[OrderEvent]) -> None:
    """Insert timeline rows built in memory (``created_at`` set), in one statement."""
    sql_insert_objects(events)


def order_status_update(
    *, order_id: int, from_status: str, to_status: str, payment_reference: str, at: datetime
) -> int:
    """``UPDATE`` the order's status, payment reference and ``updated_at`` if it is still in
    ``from_status``; returns the rows changed (0: another request moved it)."""
    return sql_execute(
        _statements(connection.vendor)[0],
        [to_status, payment_reference, db_adapt(Order, "updated_at", at), order_id, from_status],
    )


def idempotency_key_find(
    *, user_id: int | None, key: str, checkout_id: int | None = None
) -> tuple[int | None, str] | None:
    """The user's key ``key`` (a guest's: the checkout session's): ``(its order id or None while
    in progress, request hash)``, or None when there is no such key."""
    statements = _statements(connection.vendor)
    if user_id is None:
        rows = sql_fetch(statements[3], [checkout_id, key])
    else:
        rows = sql_fetch(statements[1], [user_id, key])
    return (rows[0][0], rows[0][1]) if rows else None


def idempotency_key_claim(
    *, user_id: int | None, key: str, request_hash: str, at: datetime, checkout_id: int | None = None
) -> int:
    """Insert the key (the user's, or a guest's checkout session's) with no order yet (the
    unique index refuses a second claim: ``IntegrityError``); returns its id."""
    (key_id,) = sql_insert(
        IdempotencyKey,
        ("user", "checkout", "key", "request_hash", "order", "created_at"),
        [(user_id, None if user_id is not None else checkout_id, key, request_hash, None, at)],
        return_pk=True,
    )
    return key_id


def idempotency_key_done(*, key_id: int, order_id: int) -> None:
    """Record the order a claimed key made."""
    sql_execute(_statements(connection.vendor)[2], [order_id, key_id])


def checkout_session_lock(
    *, public_id: str, user_id: int | None, cart_id: int | None
) -> CheckoutSession | None:
    """``SELECT … FOR UPDATE`` the session ``public_id`` if it is the user's (``user_id``) or,
    for a guest (``user_id=None``), the cart ``cart_id``'s; None otherwise (also with neither:
    ``cart_id = NULL`` matches no row)."""
    by_user = user_id is not None
    rows = sql_fetch_instances(
        CheckoutSession,
        _session_statement(connection.vendor, by_user),
        [public_id, user_id if by_user else cart_id],
    )
    return rows[0] if rows else None


def checkout_session_complete(*, session_id: int, order_id: int, at: datetime) -> None:
    """Mark the session completed by the order ``order_id``."""
    sql_execute(
        _session_statement(connection.vendor, None),
        [CheckoutStatus.COMPLETED, order_id, db_adapt(CheckoutSession, "updated_at", at), session_id],
    )


@lru_cache(maxsize=8)
def _session_statement(vendor: str, by_user: bool | None) -> str:
    """The session's lock by its user (True) or its guest cart (False); None: its completion."""
    table = quoted_table(CheckoutSession)
    if by_user is None:
        return f"UPDATE {table} SET status = %s, order_id = %s, updated_at = %s WHERE id = %s"  # noqa: S608 - no input in the text
    owner = "user_id = %s" if by_user else "user_id IS NULL AND cart_id = %s"
    return (
        f"SELECT {select_columns(CheckoutSession)} FROM {table} "  # noqa: S608 - no input in the text
        f"WHERE public_id = %s AND {owner}{for_update()}"
    )


@lru_cache(maxsize=8)
def _statements(vendor: str) -> tuple[str, str, str, str]:
    order, key = quoted_table(Order), quoted_table(IdempotencyKey)
    return (
        f"UPDATE {order} SET status = %s, payment_reference = %s, updated_at = %s "  # noqa: S608 - no input in the text
        "WHERE id = %s AND status = %s",
        f"SELECT order_id, request_hash FROM {key} "  # noqa: S608
        f"WHERE user_id = %s AND {quoted_column(IdempotencyKey, 'key')} = %s",
        f"UPDATE {key} SET order_id = %s WHERE id = %s",  # noqa: S608
        f"SELECT order_id, request_hash FROM {key} "  # noqa: S608
        f"WHERE checkout_id = %s AND {quoted_column(IdempotencyKey, 'key')} = %s",
    )
