"""Two workers at once (acks_late re-deliveries, the due job racing a countdown message): one
attempt is made once, one event makes one delivery per endpoint. PostgreSQL and MariaDB."""

from __future__ import annotations

import pytest

from tests.helpers.concurrency import requires_server_database, run_in_threads
from tests.helpers.webhooks import make_event
from webhooks import services
from webhooks.models import Delivery, DeliveryAttempt

pytestmark = [pytest.mark.concurrency, pytest.mark.django_db(transaction=True)]


def test_the_same_attempt_run_by_four_workers_is_sent_once(receiver):
    requires_server_database()
    receiver.delay = 0.2  # the first worker is still sending while the others arrive
    endpoint = services.endpoint_create(url=receiver.url, events=["*"])
    # Written directly: the handler would enqueue (and, eager in autocommit, make) attempt 1 at once.
    delivery = Delivery.objects.create(
        endpoint=endpoint, event_id="evt_race", event_type="order.paid", body="{}"
    )

    results = run_in_threads(lambda _: services.delivery_attempt(delivery_id=delivery.pk, attempt=1), 4)

    assert sorted(results) == ["skipped", "skipped", "skipped", "succeeded"]
    assert len(receiver.requests) == 1
    assert DeliveryAttempt.objects.filter(delivery=delivery).count() == 1


def test_one_event_dispatched_by_four_workers_makes_one_delivery(receiver):
    requires_server_database()
    endpoint = services.endpoint_create(url=receiver.url, events=["*"])
    event = make_event(id="evt_twice_at_once", type="order.paid")

    results = run_in_threads(lambda _: services.webhook_event_handler(event), 4)

    assert results == [None, None, None, None]
    assert Delivery.objects.filter(endpoint=endpoint, event_id=event.id).count() == 1
    assert len(receiver.requests) == 1  # each handler enqueued the attempt; one was made
