"""Which tasks ran, with which arguments: Celery's own ``task_prerun`` signal (it fires for tasks
run in-process without a broker too)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from celery.signals import task_prerun


@contextmanager
def tasks_run(name: str) -> Iterator[list[tuple[Any, ...]]]:
    """The argument tuples of every run of the task called ``name`` inside the block."""
    runs: list[tuple[Any, ...]] = []

    def record(sender: Any = None, args: Any = None, **kwargs: Any) -> None:
        if sender is not None and sender.name == name:
            runs.append(tuple(args or ()))

    task_prerun.connect(record, weak=False)
    try:
        yield runs
    finally:
        task_prerun.disconnect(record)


def celery_connections_reset(app: Any) -> None:
    """Close the app's broker connections and kombu's pools, so that the next send connects to
    the broker ``app.conf`` names now."""
    from kombu import pools

    app.pool.force_close_all()
    pools.reset()
    app._pool = None
    app.amqp._producer_pool = None
