"""Helpers for threaded tests against a real server database."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TypeVar

import pytest
from django.db import connection, connections, transaction

T = TypeVar("T")


def requires_server_database(
    reason: str = "row locks and real concurrency need PostgreSQL or MariaDB",
) -> None:
    """Skip the calling test on SQLite (run CI's PostgreSQL and MariaDB legs to exercise it)."""
    if connection.vendor == "sqlite":
        pytest.skip(reason)


def run_in_threads(target: Callable[[int], T], count: int, timeout: float = 60) -> list[T | BaseException]:
    """Run ``target(i)`` in ``count`` threads released at the same moment; results by index.

    Each thread closes its own database connection when done.
    """
    barrier = threading.Barrier(count)
    results: list[T | BaseException] = [RuntimeError("thread did not finish")] * count

    def worker(index: int) -> None:
        try:
            barrier.wait(timeout)
            results[index] = target(index)
        except BaseException as exc:  # noqa: BLE001 - returned to the test
            results[index] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout)
    return results


@contextmanager
def conflict_retries() -> Iterator[list[logging.LogRecord]]:
    """Collect the "transaction conflict; retrying" records of ``retry_on_conflict``
    (``ecommerce/common/db.py``) from every thread while the block runs.

    A test that must never deadlock asserts the list is empty: the retry would otherwise hide a
    deadlock from its status codes."""
    records: list[logging.LogRecord] = []

    class Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            records.append(record)

    logger = logging.getLogger("ecommerce.common.db")
    handler, level = Collect(logging.WARNING), logger.level
    logger.addHandler(handler)
    logger.setLevel(min(level or logging.WARNING, logging.WARNING))
    try:
        yield records
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)


def lock_waiters() -> int:
    """How many other sessions of this database are waiting for a row lock right now."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT COUNT(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'"
            )
        else:
            # MariaDB: a locking statement still running after 200 ms is waiting for a lock.
            cursor.execute(
                "SELECT COUNT(*) FROM information_schema.processlist WHERE db = DATABASE() "
                "AND id <> CONNECTION_ID() AND info LIKE '%%FOR UPDATE%%' AND time_ms > 200"
            )
        return int(cursor.fetchone()[0])


def wait_until(condition: Callable[[], bool], timeout: float = 10) -> None:
    """Poll ``condition`` until it holds; fail the test after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


@contextmanager
def transaction_held(work: Callable[[], object], timeout: float = 30) -> Iterator[None]:
    """Run ``work`` in a transaction on another thread and keep that transaction open (its row
    locks and uncommitted rows with it) while the block runs; it commits when the block ends.
    An error in ``work`` is raised here."""
    opened, release = threading.Event(), threading.Event()
    errors: list[BaseException] = []

    def hold() -> None:
        try:
            with transaction.atomic():
                work()
                opened.set()
                release.wait(timeout)
        except BaseException as error:  # noqa: BLE001 - handed to the test's thread
            errors.append(error)
            opened.set()
        finally:
            connections.close_all()

    holder = threading.Thread(target=hold)
    holder.start()
    try:
        assert opened.wait(timeout), "the held transaction did not start"
        if errors:
            raise errors[0]
        yield
    finally:
        release.set()
        holder.join(timeout)
    assert not holder.is_alive(), "the held transaction did not end"
    if errors:
        raise errors[0]
