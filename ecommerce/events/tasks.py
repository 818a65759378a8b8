"""Tasks of the outbox: dispatch one event, and the sweeper (beat, every minute)."""

from __future__ import annotations

from celery import Task, shared_task


@shared_task(bind=True, acks_late=True, ignore_result=True)
def outbox_dispatch(self: Task, event_id: str) -> bool:
    """Hand one outbox event to its subscribers (``outbox.event_dispatch``); idempotent. A failing
    subscriber is retried with backoff; without a broker the sweeper (or the next
    ``outbox_sweep`` command) retries it instead of the request."""
    from .outbox import event_dispatch

    dispatched, retry_in = event_dispatch(event_id)
    if retry_in is not None and not self.request.is_eager:
        raise self.retry(countdown=retry_in, max_retries=None)
    return dispatched


@shared_task(acks_late=True, ignore_result=True)
def outbox_sweep() -> int:
    """Re-send undispatched events and overdue emails (``OUTBOX_SWEEP_AFTER_SECONDS``)."""
    from ecommerce.common.email import emails_sweep

    from .outbox import outbox_sweep as sweep

    return sweep() + emails_sweep()
