"""The webhooks app on the outbox (ecommerce.events): subscribed in ``WebhooksConfig.ready()``,
nothing for a rolled-back transaction, long retries sent by the every-minute job, old logs
purged by the hourly housekeeping."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone
from standardwebhooks import Webhook

from ecommerce.common.tasks import housekeeping_run
from ecommerce.events.outbox import event_publish
from ecommerce.events.registry import subscriptions_for
from tests.helpers.webhooks import make_event
from webhooks import services
from webhooks.models import Delivery, DeliveryStatus
from webhooks.tasks import webhook_deliveries_due


def test_the_app_subscribes_to_every_event_type():
    assert any(s.name == "webhooks" and s.types is None for s in subscriptions_for("order.paid"))


def test_a_published_event_reaches_the_receiver_signed(
    endpoint, receiver, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        with transaction.atomic():
            event_id = event_publish("stock.low", {"product_id": "prod_3kTMd9xQ2b7VfLr8", "quantity": 2})

    assert len(receiver.requests) == 1
    request = receiver.requests[0]
    assert request.headers["webhook-id"] == event_id
    payload = Webhook(endpoint.secret).verify(request.body, request.headers)
    assert payload["type"] == "stock.low"
    assert payload["data"] == {"product_id": "prod_3kTMd9xQ2b7VfLr8", "quantity": 2}
    assert Delivery.objects.get().status == "succeeded"


def test_nothing_is_delivered_for_a_rolled_back_transaction(
    endpoint, receiver, django_capture_on_commit_callbacks
):
    class Boom(Exception):
        pass

    with django_capture_on_commit_callbacks(execute=True):
        with pytest.raises(Boom), transaction.atomic():
            event_publish("order.paid", {"id": "ord_1"})
            raise Boom

    assert not Delivery.objects.exists() and receiver.requests == []


def test_long_waits_are_left_to_the_due_job(endpoint, receiver, settings, django_capture_on_commit_callbacks):
    """A retry after more than WEBHOOK_MAX_COUNTDOWN_SECONDS is not enqueued with a countdown;
    ``webhooks.tasks.webhook_deliveries_due`` sends it once it is due."""
    settings.WEBHOOK_RETRY_SCHEDULE = [3600]
    settings.WEBHOOK_MAX_COUNTDOWN_SECONDS = 300
    receiver.statuses = [500]
    with django_capture_on_commit_callbacks(execute=True):
        services.webhook_event_handler(make_event(id="evt_long", type="order.paid"))
    delivery = Delivery.objects.get()
    assert (delivery.status, delivery.attempt, len(receiver.requests)) == (DeliveryStatus.FAILED, 1, 1)

    with django_capture_on_commit_callbacks(execute=True):
        assert webhook_deliveries_due.delay().get() == 0  # not due yet
    Delivery.objects.filter(pk=delivery.pk).update(next_attempt_at=timezone.now() - timedelta(seconds=1))
    with django_capture_on_commit_callbacks(execute=True):
        assert webhook_deliveries_due.delay().get() == 1

    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempt, len(receiver.requests)) == (DeliveryStatus.SUCCEEDED, 2, 2)


def test_housekeeping_purges_old_delivery_logs(endpoint, settings):
    settings.WEBHOOK_DELIVERY_RETENTION_DAYS = 7
    services.webhook_event_handler(make_event(id="evt_old", type="order.paid"))
    Delivery.objects.update(status=DeliveryStatus.DEAD, created_at=timezone.now() - timedelta(days=8))

    assert housekeeping_run()["webhook_deliveries"] == 1
    assert not Delivery.objects.exists()
