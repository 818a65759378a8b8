"""Periodic jobs of the analytics app: the nightly check that the rollups equal the orders."""

from __future__ import annotations

import logging

from celery import shared_task

logger = logging.getLogger(__name__)


@shared_task(acks_late=True, ignore_result=True)
def rollup_check() -> list[str]:
    """Compare the last ``ANALYTICS_CHECK_DAYS`` days of rollups with a live aggregate of the
    orders; log an error naming the days that differ (repair: ``manage.py analytics_rollup
    --from … --to …``). Returns those days (ISO dates)."""
    from .selectors import rollup_mismatches

    days = [day.isoformat() for day in rollup_mismatches()]
    if days:
        logger.error("analytics rollups differ from the orders", extra={"days": days})
    else:
        logger.info("analytics rollups match the orders")
    return days
