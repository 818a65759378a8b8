"""Purging old delivery logs (WEBHOOK_DELIVERY_RETENTION_DAYS) and the deploy check webhooks.W001."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from tests.helpers.webhooks import make_event
from webhooks import services
from webhooks.checks import webhook_private_targets_check
from webhooks.models import Delivery, DeliveryAttempt, DeliveryStatus
from webhooks.tasks import webhook_deliveries_purge


def test_finished_deliveries_past_retention_are_purged_with_their_log(endpoint, receiver, settings):
    settings.WEBHOOK_DELIVERY_RETENTION_DAYS = 30
    for number in range(5):
        services.webhook_event_handler(make_event(id=f"evt_{number}", type="order.paid"))
    deliveries = {d.event_id: d for d in Delivery.objects.all()}
    for delivery in deliveries.values():
        services.delivery_attempt(delivery_id=delivery.pk, attempt=1)
    old = timezone.now() - timedelta(days=31)
    Delivery.objects.filter(event_id__in=["evt_0", "evt_1", "evt_2"]).update(created_at=old)
    Delivery.objects.filter(event_id="evt_1").update(status=DeliveryStatus.DEAD)
    Delivery.objects.filter(event_id="evt_2").update(status=DeliveryStatus.FAILED)  # still open: kept

    assert services.deliveries_purge(batch_size=1) == 2

    assert sorted(Delivery.objects.values_list("event_id", flat=True)) == ["evt_2", "evt_3", "evt_4"]
    assert DeliveryAttempt.objects.count() == 3


def test_the_purge_task(endpoint, settings):
    services.webhook_event_handler(make_event(id="evt_old", type="order.paid"))
    Delivery.objects.update(status=DeliveryStatus.SUCCEEDED, created_at=timezone.now() - timedelta(days=400))

    assert webhook_deliveries_purge.delay().get() == 1
    assert not Delivery.objects.exists()


def test_private_targets_warn_under_check_deploy(settings):
    settings.WEBHOOK_ALLOW_PRIVATE_TARGETS = True
    assert [message.id for message in webhook_private_targets_check()] == ["webhooks.W001"]
    settings.WEBHOOK_ALLOW_PRIVATE_TARGETS = False
    assert webhook_private_targets_check() == []
