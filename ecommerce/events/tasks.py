"""Tasks of the outbox: dispatch events, the relay (beat, every ``OUTBOX_RELAY_SECONDS``) and the
sweeper (beat, every minute)."""

from __future__ import annotations

from celery import Task, shared_task


@shared_task(bind=True, acks_late=True, ignore_result=True)
def outbox_dispatch(self: Task, *event_ids: str) -> int:
    """Hand outbox events to their subscribers (``outbox.event_dispatch``), one after another in
    the order given (the order they committed), each in its own transaction; idempotent. The
    events whose subscriber failed are retried together with backoff (the longest of theirs);
    without a broker the sweeper (or the next ``outbox_sweep`` command) retries them instead of
    the request. Returns how many were dispatched now."""
    from .outbox import event_dispatch

    dispatched, delay = 0, 0.0
    failed: list[str] = []
    for event_id in event_ids:
        done, retry_in = event_dispatch(event_id)
        dispatched += done
        if retry_in is not None:
            failed.append(event_id)
            delay = max(delay, retry_in)
    if failed and not self.request.is_eager:
        raise self.retry(args=failed, countdown=delay, max_retries=None)
    return dispatched


@shared_task(acks_late=True, ignore_result=True)
def outbox_sweep() -> int:
    """Re-send undispatched events and overdue emails (``OUTBOX_SWEEP_AFTER_SECONDS``)."""
    from ecommerce.common.email import emails_sweep

    from .outbox import outbox_sweep as sweep

    return sweep() + emails_sweep()


@shared_task(ignore_result=True)
def outbox_relay() -> int:
    """Send the dispatch of newly committed events (``outbox.outbox_relay``)."""
    from .outbox import outbox_relay as relay

    return relay()
