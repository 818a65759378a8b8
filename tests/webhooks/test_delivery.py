"""Deliveries end to end: the outbox handler, signing (verified with the public
``standardwebhooks`` library on the receiving side), retries with backoff, dead letters."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.utils import timezone
from standardwebhooks import Webhook
from standardwebhooks.webhooks import WebhookVerificationError

from tests.helpers.servers import free_port
from tests.helpers.webhooks import make_event
from webhooks import services
from webhooks.models import Delivery, DeliveryAttempt, DeliveryStatus
from webhooks.tasks import webhook_deliver

ORDER = {"id": "ord_Hx82kQm1Zr0Tb7Yd", "status": "paid", "total_amount": 44.97, "currency": "USD"}


def test_event_is_delivered_signed_and_verifies_with_standardwebhooks(
    endpoint, receiver, django_capture_on_commit_callbacks
):
    event = make_event(id="evt_01JH3Q6S7W8XKZ4P2N5R9TBCDE", type="order.paid", data=ORDER)

    with django_capture_on_commit_callbacks(execute=True):
        services.webhook_event_handler(event)

    assert len(receiver.requests) == 1
    request = receiver.requests[0]
    assert request.path == "/hooks/shop?source=test"
    assert request.headers["webhook-id"] == event.id
    assert request.headers["content-type"] == "application/json"
    assert request.headers["host"] == f"127.0.0.1:{receiver.port}"
    payload = Webhook(endpoint.secret).verify(request.body, request.headers)
    assert payload == {
        "type": "order.paid",
        "timestamp": event.occurred_at.isoformat().replace("+00:00", "Z"),
        "data": ORDER,
    }
    delivery = Delivery.objects.get()
    assert (delivery.status, delivery.attempt, delivery.response_status) == ("succeeded", 1, 200)
    assert delivery.duration_ms is not None and delivery.response_excerpt == '{"ok":true}'
    assert delivery.next_attempt_at is None
    log = DeliveryAttempt.objects.get()
    assert (log.number, log.succeeded, log.response_status) == (1, True, 200)


def test_a_tampered_body_or_another_secret_does_not_verify(
    endpoint, receiver, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.webhook_event_handler(make_event(id="evt_a", type="order.paid", data=ORDER))
    request = receiver.requests[0]
    with pytest.raises(WebhookVerificationError):
        Webhook(endpoint.secret).verify(request.body.replace(b"44.97", b"0.01"), request.headers)
    other = services.endpoint_create(url=receiver.url, events=["stock.low"])
    with pytest.raises(WebhookVerificationError):
        Webhook(other.secret).verify(request.body, request.headers)


def test_only_active_endpoints_that_want_the_type_get_a_delivery(
    receiver, db, django_capture_on_commit_callbacks
):
    paid = services.endpoint_create(url=receiver.url, events=["order.paid"])
    products = services.endpoint_create(url=receiver.url, events=["product.created", "product.updated"])
    everything = services.endpoint_create(url=receiver.url, events=["*"])
    services.endpoint_create(url=receiver.url, events=["*"], is_active=False)

    with django_capture_on_commit_callbacks(execute=True):
        services.webhook_event_handler(make_event(id="evt_paid", type="order.paid", data=ORDER))
        services.webhook_event_handler(
            make_event(id="evt_prod", type="product.created", data={"id": "prod_1"})
        )

    got = sorted(Delivery.objects.values_list("endpoint_id", "event_id"))
    assert got == sorted(
        [
            (paid.pk, "evt_paid"),
            (everything.pk, "evt_paid"),
            (products.pk, "evt_prod"),
            (everything.pk, "evt_prod"),
        ]
    )
    assert len(receiver.requests) == 4
    assert set(Delivery.objects.values_list("status", flat=True)) == {"succeeded"}


def test_the_handler_called_twice_for_one_event_makes_one_delivery(
    endpoint, receiver, django_capture_on_commit_callbacks
):
    event = make_event(id="evt_twice", type="order.created", data=ORDER)
    with django_capture_on_commit_callbacks(execute=True):
        services.webhook_event_handler(event)
        services.webhook_event_handler(event)  # the outbox re-dispatched it
    with django_capture_on_commit_callbacks(execute=True):
        services.webhook_event_handler(event)  # and once more after the first was delivered

    assert Delivery.objects.filter(event_id="evt_twice").count() == 1
    assert len(receiver.requests) == 1
    assert Delivery.objects.get().attempt == 1


def test_ping_events_from_the_outbox_go_nowhere(endpoint, receiver, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.webhook_event_handler(make_event(id="evt_ping", type="ping"))
    assert not Delivery.objects.exists() and receiver.requests == []


def test_a_failing_receiver_is_retried_until_it_answers_2xx(
    endpoint, receiver, django_capture_on_commit_callbacks
):
    receiver.statuses = [503, 500]  # fails twice, then 200

    with django_capture_on_commit_callbacks(execute=True):
        services.webhook_event_handler(make_event(id="evt_retry", type="order.paid", data=ORDER))

    assert len(receiver.requests) == 3
    assert {r.headers["webhook-id"] for r in receiver.requests} == {"evt_retry"}  # same id every time
    assert len({r.body for r in receiver.requests}) == 1  # the same body every time
    for request in receiver.requests:
        Webhook(endpoint.secret).verify(request.body, request.headers)
    delivery = Delivery.objects.get()
    assert (delivery.status, delivery.attempt, delivery.response_status) == ("succeeded", 3, 200)
    log = list(
        DeliveryAttempt.objects.filter(delivery=delivery).values_list("number", "response_status", "error")
    )
    assert log == [(1, 503, "HTTP 503"), (2, 500, "HTTP 500"), (3, 200, "")]
    excerpt = DeliveryAttempt.objects.get(number=1).response_excerpt
    assert excerpt.startswith("receiver says no") and len(excerpt) == 1000  # bounded


def test_each_failure_waits_the_next_interval_of_the_schedule(endpoint, receiver, settings):
    """Attempt by attempt (the tasks the attempts enqueue are left unrun): ``next_attempt_at``
    follows WEBHOOK_RETRY_SCHEDULE, and the enqueued task carries the countdown."""
    settings.WEBHOOK_RETRY_SCHEDULE = [5, 300, 1800]
    receiver.default_status = 502
    services.webhook_event_handler(make_event(id="evt_backoff", type="order.paid", data=ORDER))
    delivery = Delivery.objects.get()
    for attempt, wait in [(1, 5), (2, 300), (3, 1800)]:
        before = timezone.now()
        assert services.delivery_attempt(delivery_id=delivery.pk, attempt=attempt) == "failed"
        delivery.refresh_from_db()
        assert delivery.status == DeliveryStatus.FAILED and delivery.attempt == attempt
        assert before + timedelta(seconds=wait) <= delivery.next_attempt_at
        assert delivery.next_attempt_at <= timezone.now() + timedelta(seconds=wait)
    assert services.delivery_attempt(delivery_id=delivery.pk, attempt=4) == "dead"
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempt, delivery.next_attempt_at) == ("dead", 4, None)
    assert len(receiver.requests) == 4


def test_dead_after_the_schedule_is_used_up(endpoint, receiver, settings, django_capture_on_commit_callbacks):
    settings.WEBHOOK_RETRY_SCHEDULE = [0, 0]
    receiver.default_status = 500

    with django_capture_on_commit_callbacks(execute=True):
        services.webhook_event_handler(make_event(id="evt_dead", type="order.paid", data=ORDER))

    delivery = Delivery.objects.get()
    assert (delivery.status, delivery.attempt, delivery.next_attempt_at) == ("dead", 3, None)
    assert len(receiver.requests) == 3
    assert DeliveryAttempt.objects.filter(delivery=delivery, succeeded=False).count() == 3


def test_an_attempt_runs_once_however_often_its_task_runs(endpoint, receiver):
    """acks_late: a task may run again after a crash; an attempt already made is skipped."""
    services.webhook_event_handler(make_event(id="evt_once", type="order.paid", data=ORDER))
    delivery = Delivery.objects.get()

    assert webhook_deliver.apply(args=(delivery.pk, 1)).get() == "succeeded"
    assert webhook_deliver.apply(args=(delivery.pk, 1)).get() == "skipped"
    assert webhook_deliver.apply(args=(delivery.pk, 2)).get() == "skipped"  # nothing due: it succeeded
    assert webhook_deliver.apply(args=(999_999, 1)).get() == "skipped"  # gone (purged)
    assert len(receiver.requests) == 1


def test_an_attempt_held_by_another_worker_is_skipped(endpoint, receiver):
    services.webhook_event_handler(make_event(id="evt_held", type="order.paid", data=ORDER))
    delivery = Delivery.objects.get()
    Delivery.objects.filter(pk=delivery.pk).update(claimed_until=timezone.now() + timedelta(seconds=60))

    assert services.delivery_attempt(delivery_id=delivery.pk, attempt=1) == "skipped"
    assert receiver.requests == []


def test_a_receiver_slower_than_the_timeout_is_a_failed_attempt(endpoint, receiver, settings):
    settings.WEBHOOK_TIMEOUT = 0.3
    receiver.delay = 1.0
    services.webhook_event_handler(make_event(id="evt_slow", type="order.paid", data=ORDER))
    delivery = Delivery.objects.get()

    assert services.delivery_attempt(delivery_id=delivery.pk, attempt=1) == "failed"
    delivery.refresh_from_db()
    assert (delivery.error, delivery.response_status) == ("timeout", None)
    assert delivery.duration_ms is not None and delivery.duration_ms < 1000


def test_an_unreachable_receiver_is_a_failed_attempt(db):
    endpoint = services.endpoint_create(url=f"http://127.0.0.1:{free_port()}/hooks", events=["*"])
    services.webhook_event_handler(make_event(id="evt_refused", type="order.paid", data=ORDER))

    delivery = Delivery.objects.get(endpoint=endpoint)
    assert services.delivery_attempt(delivery_id=delivery.pk, attempt=1) == "failed"
    delivery.refresh_from_db()
    assert delivery.error == "connection refused"


def test_the_body_is_compact_json_with_type_timestamp_and_data(
    endpoint, receiver, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.webhook_event_handler(
            make_event(id="evt_body", type="stock.low", data={"product_id": "prod_1"})
        )
    body = receiver.requests[0].body
    assert list(json.loads(body)) == ["type", "timestamp", "data"]
    assert b" " not in body
