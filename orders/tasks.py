"""Periodic jobs of the orders app (Celery beat, ``CELERY_BEAT_SCHEDULE``)."""

from __future__ import annotations

import logging

from celery import shared_task

logger = logging.getLogger(__name__)


@shared_task(acks_late=True, ignore_result=True)
def reconcile_pending_orders() -> dict[str, int]:
    """Settle shop orders stuck in ``pending`` (``orders_pending_reconcile``, the service of
    ``manage.py reconcile_pending_orders``); idempotent."""
    from .services import orders_pending_reconcile

    report = orders_pending_reconcile()
    counts = {"paid": len(report.paid), "failed": len(report.failed), "pending": len(report.pending)}
    if any(counts.values()):
        logger.warning("pending orders reconciled", extra=counts)
    return counts
