"""Database helpers shared by the services."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from django.db import InterfaceError, OperationalError, connections

logger = logging.getLogger(__name__)
T = TypeVar("T")

# PostgreSQL SQLSTATEs and MySQL/MariaDB error numbers of "try the transaction again".
_RETRYABLE_SQLSTATES = {"40001", "40P01"}
_RETRYABLE_MYSQL_CODES = {1205, 1213}


def is_retryable_conflict(exc: BaseException) -> bool:
    """True for a deadlock or serialization failure reported by the database."""
    cause = exc.__cause__ or exc
    if getattr(cause, "sqlstate", None) in _RETRYABLE_SQLSTATES:
        return True
    args: tuple[Any, ...] = getattr(cause, "args", ())
    return bool(args) and args[0] in _RETRYABLE_MYSQL_CODES


def database_unreachable(exc: BaseException) -> bool:
    """True when ``exc`` is a database error because the database cannot be reached: the
    connection was killed or dropped mid-request, or the server refuses connections.

    Decided by the connections themselves, not by parsing messages: one that failed to open or
    that is lost means "unreachable"; a deadlock, a timeout or a bad statement on a live
    connection (even inside a transaction that the error aborted) does not."""
    if not isinstance(exc, OperationalError | InterfaceError) or is_retryable_conflict(exc):
        return False
    return any(_connection_lost(connection) for connection in connections.all(initialized_only=True))


def _connection_lost(connection: Any) -> bool:
    if connection.connection is None:
        # Tried to open and failed (the server refused or did not answer): Django's error wrapper
        # marks the failed connect. An alias that was never asked to connect (a replica that no
        # query has used yet) is not lost.
        return bool(connection.errors_occurred)
    if connection.vendor == "postgresql":
        # psycopg marks a connection whose server went away as closed; a query would also fail
        # in a transaction that the error aborted, so none is sent.
        return bool(connection.connection.closed)
    return not connection.is_usable()  # MySQL/MariaDB: a ping; SQLite: always usable


def retry_on_conflict(
    operation: Callable[[], T], *, attempts: int = 2, also_retry: tuple[type[Exception], ...] = ()
) -> T:
    """Run a whole transaction again (once by default) when the database reports a deadlock or
    serialization failure, so that such an error never reaches a client.

    ``also_retry`` names further errors that mean "lost a race, try again" for this operation
    (e.g. ``IntegrityError`` when a concurrent writer took a unique slug first).
    """
    for attempt in range(1, attempts + 1):
        try:
            return operation()
        except (OperationalError, *also_retry) as exc:  # type: ignore[misc]  # mypy does not type a starred tuple of exception classes
            retryable = isinstance(exc, also_retry) or is_retryable_conflict(exc)
            if attempt == attempts or not retryable:
                raise
            logger.warning(
                "transaction conflict; retrying", extra={"attempt": attempt, "error": type(exc).__name__}
            )
    raise AssertionError("unreachable")  # pragma: no cover


def run_on_postgresql(statements: Sequence[str]) -> Callable[[Any, Any], None]:
    """A migration's ``RunPython`` function that executes ``statements`` in order on PostgreSQL
    and does nothing on other databases (triggers, functions, PostgreSQL-only indexes). They
    are sent without parameters, so a ``%`` (pg_trgm's operator) needs no escaping."""

    def run(apps: Any, schema_editor: Any) -> None:
        if schema_editor.connection.vendor != "postgresql":
            return
        for statement in statements:
            schema_editor.execute(statement, params=None)

    return run
