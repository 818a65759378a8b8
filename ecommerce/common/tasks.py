"""Background work of the foundation, and the helpers every app's ``tasks.py`` uses.

- :func:`enqueue_on_commit`: the one way a task is sent. The task leaves after the current
  transaction commits (never for a rolled-back one); outside a transaction, at once. Without a
  broker (``CELERY_BROKER_URL`` empty) it runs in-process then. :func:`task_send` sends at once,
  for code that already runs after the commit (the outbox's per-request dispatch).
- :func:`backoff_seconds`: exponential backoff with jitter for retries.
- :func:`housekeeping_register`: upper apps plug periodic purges into the hourly
  ``housekeeping`` task without this layer importing them (e.g. the webhook delivery logs).
- Tasks: ``email_send`` (one queued email), ``worker_heartbeat`` (read by ``/api/health/``),
  ``housekeeping``.

Every task is idempotent: ``CELERY_TASK_ACKS_LATE`` runs it again after a worker dies mid-task.
"""

from __future__ import annotations

import logging
import random
import socket
from collections.abc import Callable
from functools import partial
from typing import Any

from celery import Task, shared_task
from celery.utils import uuid
from django.db import transaction
from django.utils import timezone

logger = logging.getLogger("ecommerce.tasks")


def _send(task: Task, args: tuple[Any, ...], kwargs: dict[str, Any], countdown: float | None) -> None:
    try:
        task.apply_async(args=args, kwargs=kwargs, countdown=countdown)
    except Exception:  # noqa: BLE001 - the broker is down: the rows are committed, a sweeper re-sends
        logger.exception("task not sent; its sweeper will send it again", extra={"task": task.name})


def task_send(task: Task, *args: Any) -> None:
    """Send ``task(*args)`` now (run it in-process without a broker). Only for work whose rows are
    already committed; like :func:`enqueue_on_commit`, a broker that cannot be reached is logged,
    never raised.

    With a broker it is a leaner ``apply_async``: Celery's own message
    (``amqp.create_task_message``) sent by Celery's own ``amqp.send_task_message`` (its retry
    policy, signals and queue declaration), without ``send_task``'s per-call routing, option
    merging and result object; the route is the task's configured one, looked up once. Half the
    CPU of ``apply_async`` (docs/benchmarks.md, issue #14)."""
    if task.app.conf.task_always_eager:
        _send(task, args, {}, None)
        return
    try:
        _publish(task, args)
    except Exception:  # noqa: BLE001 - the broker is down: the rows are committed, a sweeper re-sends
        logger.exception("task not sent; its sweeper will send it again", extra={"task": task.name})


_routes: dict[str, dict[str, Any]] = {}


def _publish(task: Task, args: tuple[Any, ...]) -> None:
    app = task.app
    amqp = app.amqp
    route = _routes.get(task.name)
    if route is None:  # routes are configuration: the same for every call
        route = _routes[task.name] = amqp.router.route({}, task.name, args, {}, task)
    argsrepr = repr(args)
    if len(argsrepr) > amqp.argsrepr_maxsize:  # as Celery's saferepr: a log line, not the data
        argsrepr = argsrepr[: amqp.argsrepr_maxsize - 3] + "..."
    message = amqp.create_task_message(
        uuid(),
        task.name,
        args,
        {},
        time_limit=task.time_limit,
        soft_time_limit=task.soft_time_limit,
        ignore_result=task.ignore_result,
        argsrepr=argsrepr,
        kwargsrepr="{}",
    )
    with app.producer_or_acquire() as producer:
        amqp.send_task_message(producer, task.name, message, **route)


def enqueue_on_commit(task: Task, *args: Any, countdown: float | None = None, **kwargs: Any) -> None:
    """Send ``task(*args, **kwargs)`` once the current transaction commits (at once outside one).

    Arguments must be JSON (ids, not model instances). A broker that cannot be reached is logged,
    never raised: whatever the task works on is a committed row that a sweeper finds again.
    """
    transaction.on_commit(partial(_send, task, args, kwargs, countdown), robust=True)


def backoff_seconds(attempt: int, *, base: float, cap: float) -> float:
    """Seconds to wait after failed attempt number ``attempt`` (1, 2, …): ``min(cap, base *
    2**(attempt-1))`` times a random jitter in [0.5, 1], so retries of many tasks spread out."""
    delay = min(cap, base * 2 ** max(0, attempt - 1))
    return delay * random.uniform(0.5, 1.0)  # noqa: S311 - jitter, not a secret


# --- Housekeeping: periodic purges registered by the apps ---------------------------------------

_housekeeping: dict[str, Callable[[], int]] = {}


def housekeeping_register(name: str, purge: Callable[[], int]) -> None:
    """Run ``purge()`` (returns how many rows it deleted) in every hourly ``housekeeping`` run.
    Call it from ``AppConfig.ready()``; registering ``name`` again replaces the earlier one."""
    _housekeeping[name] = purge


def housekeeping_run() -> dict[str, int]:
    """Run every registered purge; one failing purge is logged and the others still run.
    Returns ``{name: rows deleted}`` (-1 for a purge that failed)."""
    done: dict[str, int] = {}
    for name, purge in list(_housekeeping.items()):
        try:
            done[name] = purge()
        except Exception:  # noqa: BLE001 - the next run tries again
            logger.exception("housekeeping purge failed", extra={"purge": name})
            done[name] = -1
    logger.info("housekeeping", extra={"purged": done})
    return done


# --- Tasks ---------------------------------------------------------------------------------------


@shared_task(bind=True, acks_late=True, ignore_result=True)
def email_send(self: Task, email_id: int) -> str:
    """Render and send one queued email (``ecommerce.common.email``). A failed send is retried
    with backoff until ``EMAIL_MAX_ATTEMPTS``, then dead-lettered (admin: Emails). Without a
    broker a failure is not retried in the request: the email stays pending for the
    ``resend_failed_emails`` command (or the sweeper, when beat runs)."""
    from .email import EmailOutcome, email_attempt

    outcome, delay = email_attempt(email_id)
    if outcome is EmailOutcome.RETRY and not self.request.is_eager:
        raise self.retry(countdown=delay, max_retries=None)
    return outcome.value


@shared_task(acks_late=True, ignore_result=True)
def email_queue_and_send(event_id: str, to: str, kind: str, context: dict[str, Any]) -> str:
    """Write the email row (once per event and recipient) and try it now; a failure is retried
    by ``email_send`` (``email.email_queue_on_commit``)."""
    from .email import EmailOutcome, email_attempt
    from .models import Email

    email, _ = Email.objects.get_or_create(
        event_id=event_id,
        to=to,
        defaults={"kind": kind, "context": context, "next_attempt_at": timezone.now()},
    )
    outcome, delay = email_attempt(email.pk)
    if outcome is EmailOutcome.RETRY:
        _send(email_send, (email.pk,), {}, None if email_send.app.conf.task_always_eager else delay)
    return outcome.value


@shared_task(bind=True, acks_late=True, ignore_result=True)
def worker_heartbeat(self: Task) -> None:
    """Record that a worker takes tasks from the queue (beat sends this one regularly, so a
    fresh heartbeat also proves beat and the broker work)."""
    from .models import WorkerHeartbeat

    hostname = (self.request.hostname or socket.gethostname())[:200]
    WorkerHeartbeat.objects.update_or_create(hostname=hostname, defaults={"beat_at": timezone.now()})


@shared_task(acks_late=True, ignore_result=True)
def housekeeping() -> dict[str, int]:
    """The registered purges (:func:`housekeeping_register`)."""
    return housekeeping_run()
