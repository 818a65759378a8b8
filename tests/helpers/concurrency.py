"""Helpers for threaded tests against a real server database."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TypeVar

import pytest
from django.db import connection, connections

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
