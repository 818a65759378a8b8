"""At least once, with a real Celery worker process on the real broker (Redis): an event published
with no one sending anything is dispatched by the relay on beat; a worker killed
(SIGKILL) in the middle of a task leaves the task to run again, and its effect happens once;
a mail server that is down is retried with backoff by the worker until it is back, and the email
is sent once. Run with ``CELERY_TEST_BROKER_URL=redis://127.0.0.1:6379/3`` on PostgreSQL or
MariaDB (``pytest -m worker``; .ci/run's worker leg); skipped otherwise."""

from __future__ import annotations

import base64
import json
import time
from collections.abc import Callable
from pathlib import Path

import pytest
import redis
from django.db import transaction

from ecommerce.common.models import Email, EmailStatus
from ecommerce.common.tasks import worker_heartbeat
from ecommerce.events.models import OutboxEvent
from ecommerce.events.outbox import event_publish, outbox_batch, outbox_relay
from ecommerce.events.tasks import outbox_dispatch

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def wait_for(condition: Callable[[], object], *, timeout: float = 30, what: str = "") -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what or condition}")


def test_worker_killed_mid_task_runs_it_again_and_the_effect_happens_once(
    celery_worker, smtp_server, tmp_path
):
    slow = Path(celery_worker.env["WORKER_SLOW_FILE"])
    slow.write_text("1")
    celery_worker.start(beat=True)  # the relay (beat, every OUTBOX_RELAY_SECONDS) sends the dispatch
    with transaction.atomic():
        event_id = event_publish("ping", {"kill_test": True})
    started = Path(f"{slow}.started")
    wait_for(started.exists, what="the subscriber to start")  # the dispatch task is running
    celery_worker.kill()
    slow.unlink()
    row = OutboxEvent.objects.get(pk=event_id)
    assert row.dispatched_at is None and Email.objects.count() == 0  # nothing committed

    celery_worker.start(beat=True)  # the unacknowledged task comes back to a worker
    wait_for(lambda: smtp_server.messages, timeout=60, what="the email after redelivery")
    time.sleep(4)  # longer than the visibility timeout: a duplicate would show now
    row.refresh_from_db()
    assert row.dispatched_at is not None and row.attempts == 1
    assert smtp_server.subjects() == [f"effect of {event_id}"]
    email = Email.objects.get()
    assert (email.event_id, email.status) == (event_id, EmailStatus.SENT)


def test_smtp_down_is_retried_by_the_worker_then_sent_once(celery_worker, smtp_server):
    from ecommerce.common.email import email_queue

    smtp_server.stop()
    celery_worker.start()
    with transaction.atomic():
        email = email_queue(
            event_id="evt_smtp_down",
            to="down@example.com",
            kind="raw",
            context={"subject": "Retry me", "text": "t"},
        )
    wait_for(lambda: Email.objects.get(pk=email.pk).attempts >= 2, what="two failed attempts")
    email.refresh_from_db()
    assert email.status == EmailStatus.PENDING and "ConnectionRefusedError" in email.last_error
    smtp_server.start()
    wait_for(lambda: Email.objects.get(pk=email.pk).status == EmailStatus.SENT, what="the email sent")
    time.sleep(4)
    assert smtp_server.subjects() == ["Retry me"]


def test_health_reports_the_worker_heartbeat(celery_worker, client):
    celery_worker.start()
    assert client.get("/api/health/").json()["worker"] == "degraded"  # no heartbeat yet
    worker_heartbeat.delay()  # what beat sends every CELERY_HEARTBEAT_SECONDS
    wait_for(lambda: client.get("/api/health/").json()["status"] == "ok", what="a healthy report")
    assert client.get("/api/health/").json() == {
        "status": "ok",
        "database": "ok",
        "cache": "ok",
        "broker": "ok",
        "worker": "ok",
    }


def test_the_relay_sends_one_message_as_celery_makes_it_and_a_worker_runs_it(celery_broker, celery_worker):
    """With a broker, publishing sends nothing; the relay's ``task_send`` (the lean send, through
    the Redis transport that reuses its client) puts the message Celery's ``apply_async`` would,
    but for its ids."""
    with outbox_batch():
        with transaction.atomic():
            first = event_publish("ping", {"n": 1})
        with transaction.atomic():
            second = event_publish("ping", {"n": 2})
    queue = redis.Redis.from_url(celery_broker)
    assert queue.llen("celery") == 0  # the request sent nothing
    assert outbox_relay() == 2
    (sent,) = (json.loads(m) for m in queue.lrange("celery", 0, -1))
    outbox_dispatch.apply_async(args=(first, second))
    reference = json.loads(queue.lrange("celery", 0, 0)[0])  # the newest
    assert json.loads(base64.b64decode(sent["body"])) == json.loads(base64.b64decode(reference["body"]))
    assert json.loads(base64.b64decode(sent["body"]))[0] == [first, second]
    unique = {"id", "root_id", "origin", "correlation_id", "delivery_tag", "reply_to"}
    for part in ("headers", "properties"):
        assert sent[part].keys() == reference[part].keys()
        assert {k: v for k, v in sent[part].items() if k not in unique} == {
            k: v for k, v in reference[part].items() if k not in unique
        }
    assert {k: v for k, v in sent.items() if k not in ("headers", "properties", "body")} == {
        k: v for k, v in reference.items() if k not in ("headers", "properties", "body")
    }

    celery_worker.start()
    wait_for(
        lambda: not OutboxEvent.objects.filter(dispatched_at=None).exists(), what="both events dispatched"
    )
    assert OutboxEvent.objects.get(pk=first).attempts == 1  # the second message found them done
