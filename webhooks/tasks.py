"""Celery tasks of the webhooks app. They take ids, never objects, and are idempotent: a copy
of a task that runs again (``acks_late``, a killed worker) finds its attempt made and skips."""

from __future__ import annotations

from celery import shared_task

from . import services


@shared_task(acks_late=True, ignore_result=True)
def webhook_deliver(delivery_id: int, attempt: int) -> str:
    """Make attempt ``attempt`` of delivery ``delivery_id`` (the next one is enqueued by it)."""
    return services.delivery_attempt(delivery_id=delivery_id, attempt=attempt)


@shared_task(acks_late=True, ignore_result=True)
def webhook_deliveries_due() -> int:
    """Enqueue the attempts that are due (beat, every minute; retries with long waits)."""
    return services.deliveries_due_enqueue()


@shared_task(acks_late=True, ignore_result=True)
def webhook_deliveries_purge() -> int:
    """Purge finished deliveries past ``WEBHOOK_DELIVERY_RETENTION_DAYS`` (a periodic job)."""
    return services.deliveries_purge()
