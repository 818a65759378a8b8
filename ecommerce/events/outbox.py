"""Publishing and dispatching domain events through the transactional outbox.

Publish from a service, inside the transaction of the change::

    from ecommerce.events.outbox import event_publish
    event_publish("order.paid", data)

The row commits with the change or not at all; an ``outbox_dispatch`` task then hands it to
every subscriber (``ecommerce.events.registry``), in one transaction per event that also marks it
dispatched. A rolled-back transaction leaves no row and sends nothing.

Who sends the dispatch task:

* **With a broker, the relay** (:func:`outbox_relay`, a beat task every ``OUTBOX_RELAY_SECONDS``):
  it claims the committed events no one has sent yet (``relayed_at`` empty; ``SKIP LOCKED``, so
  relays on several machines share them) and sends one task per ``DISPATCH_CHUNK`` of them. The
  request that published sends nothing: publishing costs checkout one ``INSERT``, not a message
  to the broker (docs/benchmarks.md, issue #15).
* **Without a broker** (``make run``, the tests) the request dispatches in-process, once per unit
  of work (:func:`outbox_batch`): inside a batch (every HTTP request, ``OutboxBatchMiddleware``;
  every checkout, ``order_place``) the ids of the events whose transaction committed are
  collected and dispatched when the outermost batch ends, however it ends (an error too); outside
  a batch (a task, a management command, the shell), right after each commit.

Either way a lost send (a crash between commit and dispatch, a broker outage, a lost retry) is
repaired by the ``outbox_sweep`` beat task: it sends again what is still undispatched
``OUTBOX_SWEEP_AFTER_SECONDS`` after it was due.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime, timedelta
from functools import partial
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from .models import OutboxEvent
from .queries import outbox_events_insert
from .registry import Event, subscriptions_for
from .types import EVENT_TYPES, EVENT_VERSIONS

logger = logging.getLogger("ecommerce.events")


def _row(event_type: str, data: Mapping[str, Any], now: datetime) -> OutboxEvent:
    if event_type not in EVENT_TYPES:
        raise ValueError(f"Unknown event type {event_type!r}")
    return OutboxEvent(
        type=event_type,
        version=EVENT_VERSIONS[event_type],
        data=dict(data),  # encoded once, by the column (EventJSONEncoder), when inserted
        occurred_at=now,
        next_attempt_at=now,
    )


def event_publish(event_type: str, data: Mapping[str, Any]) -> str:
    """Write the event in the current transaction; dispatched after commit. Returns its id."""
    return events_publish([(event_type, data)])[0]


def events_publish(events: Iterable[tuple[str, Mapping[str, Any]]]) -> list[str]:
    """Write several events in one ``INSERT`` (in the current transaction); they are dispatched
    after commit (:func:`outbox_batch`). Returns their ids in order."""
    now = timezone.now()
    rows = [_row(event_type, data, now) for event_type, data in events]
    if not rows:
        return []
    outbox_events_insert(rows)
    ids = [row.id for row in rows]
    if _in_process():  # with a broker the relay sends them (outbox_relay)
        transaction.on_commit(partial(_committed, ids), robust=True)
    return ids


def _in_process() -> bool:
    """No broker (``CELERY_BROKER_URL`` empty): tasks run in-process, so the request dispatches
    its own events. Read from Django's settings, which Celery's configuration is made from
    (reading Celery's ``app.conf`` costs 25 times more, twice per checkout)."""
    return bool(settings.CELERY_TASK_ALWAYS_EAGER)


# --- One dispatch task per unit of work ------------------------------------------------------------

# The ids committed so far in this thread's (or async task's) open batch; None outside a batch.
_batch: ContextVar[list[str] | None] = ContextVar("outbox_batch", default=None)

# Ids per task: bounds one task's run time (a bulk admin action may publish thousands).
DISPATCH_CHUNK = 100


@contextmanager
def outbox_batch() -> Iterator[None]:
    """Without a broker: collect the events committed inside this block and dispatch them once,
    when it ends (normally or by an exception): one ``outbox_dispatch`` run for up to
    ``DISPATCH_CHUNK`` events instead of one per transaction. Nested batches join the
    outermost. Events whose transaction commits after the block are dispatched on their own, as
    outside any batch; a crash before the block ends leaves them to the sweeper. With a broker
    nothing is collected (the relay sends them)."""
    if _batch.get() is not None:
        yield
        return
    ids: list[str] = []
    token = _batch.set(ids)
    try:
        yield
    finally:
        _batch.reset(token)  # events a subscriber publishes while these are dispatched: on their own
        events_dispatch_send(ids)


def _committed(ids: list[str]) -> None:
    """On commit of a transaction that published ``ids`` (no broker): join the open batch, or
    dispatch now."""
    batch = _batch.get()
    if batch is None:
        events_dispatch_send(ids)
    else:
        batch.extend(ids)


def events_dispatch_send(ids: Iterable[str]) -> int:
    """Send ``outbox_dispatch`` for committed events, ``DISPATCH_CHUNK`` ids per task (run
    in-process without a broker). A broker that cannot be reached is logged, not raised: the
    sweeper sends them again. Returns how many tasks were sent."""
    from ecommerce.common.tasks import task_send

    from .tasks import outbox_dispatch

    ids = list(ids)
    chunks = [ids[i : i + DISPATCH_CHUNK] for i in range(0, len(ids), DISPATCH_CHUNK)]
    for chunk in chunks:
        task_send(outbox_dispatch, *chunk)
    return len(chunks)


def outbox_relay(*, limit: int = 1000, rounds: int = 10) -> int:
    """Send the dispatch of committed events no one has sent yet (the beat task ``outbox_relay``,
    every ``OUTBOX_RELAY_SECONDS``): claim up to ``limit`` of them, oldest first, skipping rows
    another relay holds, mark them ``relayed_at`` and, after that commit, send one
    ``outbox_dispatch`` per ``DISPATCH_CHUNK``; again while a claim comes back full, at most
    ``rounds`` times (a backlog drains at up to ``limit * rounds`` events a run). A send the
    broker refuses is logged; the sweeper sends those events again. Returns how many events were
    claimed."""
    claimed = 0
    for _ in range(rounds):
        ids = _relay_claim(limit)
        events_dispatch_send(ids)
        claimed += len(ids)
        if len(ids) < limit:
            break
    return claimed


def _relay_claim(limit: int) -> list[str]:
    """Claim (lock, skipping held rows, and mark ``relayed_at``) up to ``limit`` due events."""
    now = timezone.now()
    with transaction.atomic():
        ids = list(
            OutboxEvent.objects.select_for_update(skip_locked=True)
            .filter(dispatched_at__isnull=True, relayed_at__isnull=True, dead_at__isnull=True)
            .filter(next_attempt_at__lte=now)
            .order_by("next_attempt_at", "id")
            .values_list("pk", flat=True)[:limit]
        )
        if ids:
            OutboxEvent.objects.filter(pk__in=ids).update(relayed_at=now)
    return ids


def event_of(row: OutboxEvent) -> Event:
    return Event(id=row.id, type=row.type, version=row.version, occurred_at=row.occurred_at, data=row.data)


def event_dispatch(event_id: str) -> tuple[bool, float | None]:
    """Hand the event to every subscriber, in one transaction that marks it dispatched (the row is
    locked: a concurrent dispatch of the same event waits, then finds it done).

    Returns ``(dispatched, retry_in)``: ``(True, None)`` when it ran now, ``(False, None)`` when
    there was nothing to do (already dispatched, dead, unknown), ``(False, seconds)`` when a
    subscriber failed and another attempt is due (after ``OUTBOX_MAX_ATTEMPTS`` the event is
    dead-lettered instead: ``(False, None)``).
    """
    try:
        with transaction.atomic():
            row = (
                OutboxEvent.objects.select_for_update()
                .filter(pk=event_id, dispatched_at__isnull=True, dead_at__isnull=True)
                .first()
            )
            if row is None:
                return False, None
            event = event_of(row)
            for subscription in subscriptions_for(row.type):
                subscription.handler(event)
            OutboxEvent.objects.filter(pk=row.pk).update(
                dispatched_at=timezone.now(), attempts=F("attempts") + 1, last_error=""
            )
        return True, None
    except Exception as exc:  # noqa: BLE001 - recorded, retried with backoff, then dead-lettered
        return False, _dispatch_failed(event_id, exc)


def _dispatch_failed(event_id: str, exc: Exception) -> float | None:
    from ecommerce.common.tasks import backoff_seconds

    logger.exception("event dispatch failed", extra={"event_id": event_id})
    with transaction.atomic():
        row = OutboxEvent.objects.select_for_update().filter(pk=event_id).first()
        if row is None or row.dispatched_at is not None:
            return None
        row.attempts += 1
        row.last_error = f"{type(exc).__name__}: {exc}"[:300]
        now = timezone.now()
        if row.attempts >= settings.OUTBOX_MAX_ATTEMPTS:
            row.dead_at = now
            row.save(update_fields=["attempts", "last_error", "dead_at"])
            logger.error("event dead-lettered", extra={"event_id": event_id, "type": row.type})
            return None
        delay = backoff_seconds(row.attempts, base=5.0, cap=600.0)
        row.next_attempt_at = now + timedelta(seconds=delay)
        row.save(update_fields=["attempts", "last_error", "next_attempt_at"])
        return delay


def outbox_sweep(*, limit: int = 1000) -> int:
    """Send the dispatch task again for every event still undispatched
    ``OUTBOX_SWEEP_AFTER_SECONDS`` after it was due (a crash between commit and enqueue, a
    broker outage, a lost retry). Returns how many were sent."""
    from .tasks import outbox_dispatch

    cutoff = timezone.now() - timedelta(seconds=settings.OUTBOX_SWEEP_AFTER_SECONDS)
    due = list(
        OutboxEvent.objects.filter(
            dispatched_at__isnull=True, dead_at__isnull=True, next_attempt_at__lt=cutoff
        )
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:limit]
    )
    sent = 0
    for start in range(0, len(due), DISPATCH_CHUNK):
        chunk = due[start : start + DISPATCH_CHUNK]
        try:
            outbox_dispatch.delay(*chunk)
        except Exception:  # noqa: BLE001 - broker down: the next sweep tries again
            logger.exception("events not re-sent by the sweeper", extra={"event_id": chunk[0]})
            break
        sent += len(chunk)
    if due:
        logger.warning("outbox sweeper re-sent events", extra={"count": sent})
    return sent


def events_redispatch(*, ids: Iterable[str]) -> int:
    """Give dead (or stuck) events a fresh run of attempts and dispatch them after commit (the
    admin's action; with a broker, by the next relay). Returns how many."""
    with transaction.atomic():
        chosen = list(
            OutboxEvent.objects.select_for_update()
            .filter(pk__in=list(ids), dispatched_at__isnull=True)
            .values_list("pk", flat=True)
        )
        OutboxEvent.objects.filter(pk__in=chosen).update(
            dead_at=None, attempts=0, next_attempt_at=timezone.now(), relayed_at=None
        )
        if chosen and _in_process():  # with a broker the relay sends them again
            transaction.on_commit(partial(_committed, chosen), robust=True)
    return len(chosen)


def outbox_purge(*, older_than_days: int | None = None) -> int:
    """Delete events dispatched more than ``OUTBOX_RETENTION_DAYS`` ago (housekeeping)."""
    days = settings.OUTBOX_RETENTION_DAYS if older_than_days is None else older_than_days
    deleted, _ = OutboxEvent.objects.filter(dispatched_at__lt=timezone.now() - timedelta(days=days)).delete()
    return deleted
