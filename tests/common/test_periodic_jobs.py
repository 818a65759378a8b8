"""The beat schedule and the periodic jobs it runs (docs/background-jobs.md)."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone

from analytics.models import DailyOrderStats
from analytics.periods import shop_today
from analytics.services import rollup_rebuild
from analytics.tasks import rollup_check
from ecommerce.celery import app
from ecommerce.common.tasks import housekeeping, housekeeping_register
from orders.models import IdempotencyKey
from orders.tasks import reconcile_pending_orders
from tests.factories import OrderFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_every_scheduled_task_exists():
    app.loader.import_default_modules()  # autodiscovery, as a worker does at start
    names = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert names == {
        "ecommerce.events.tasks.outbox_relay",
        "ecommerce.events.tasks.outbox_sweep",
        "ecommerce.common.tasks.worker_heartbeat",
        "ecommerce.common.tasks.housekeeping",
        "orders.tasks.reconcile_pending_orders",
        "analytics.tasks.rollup_check",
        "webhooks.tasks.webhook_deliveries_due",
    }
    assert names <= set(app.tasks)


def test_housekeeping_runs_every_registered_purge_and_survives_a_failing_one():
    user = UserFactory()
    old = IdempotencyKey.objects.create(user=user, key="old", request_hash="h")
    IdempotencyKey.objects.filter(pk=old.pk).update(
        created_at=timezone.now() - timedelta(hours=settings.IDEMPOTENCY_KEY_TTL_HOURS + 1)
    )
    IdempotencyKey.objects.create(user=user, key="new", request_hash="h")

    def broken() -> int:
        raise RuntimeError("the webhooks table is locked")

    housekeeping_register("tests.broken", broken)
    try:
        done = housekeeping.apply().get()
    finally:
        from ecommerce.common import tasks

        tasks._housekeeping.pop("tests.broken")
    assert done["orders.idempotency_keys"] == 1 and done["tests.broken"] == -1
    assert list(IdempotencyKey.objects.values_list("key", flat=True)) == ["new"]


def test_reconcile_task_settles_stale_pending_orders():
    order = OrderFactory(status="pending")
    type(order).objects.filter(pk=order.pk).update(created_at=timezone.now() - timedelta(hours=2))
    counts = reconcile_pending_orders.apply().get()
    order.refresh_from_db()
    # the test gateway has no payment for it: the order fails (its stock would be returned)
    assert counts == {"paid": 0, "failed": 1, "pending": 0} and order.status == "payment_failed"


def test_rollup_check_is_quiet_when_rollups_match_and_names_the_day_when_not(caplog):
    OrderFactory(status="paid", total_amount="12.00")  # written directly: the rollups lag …
    assert rollup_check.apply().get() == [shop_today().isoformat()]
    rollup_rebuild()  # … until rebuilt (what the log line tells the operator to run)
    assert rollup_check.apply().get() == []
    row = DailyOrderStats.objects.first()
    DailyOrderStats.objects.filter(pk=row.pk).update(orders=row.orders + 1)
    with caplog.at_level(logging.ERROR):
        assert rollup_check.apply().get() == [row.day.isoformat()]
    assert any(r.message == "analytics rollups differ from the orders" for r in caplog.records)
