"""The transactional outbox: a row per event in the transaction of the change, dispatched after
commit (here in-process: no broker), never for a rolled-back transaction; the sweeper repairs
a crash between commit and enqueue; a failing subscriber is retried, then dead-lettered."""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from ecommerce.events.ids import event_id_new
from ecommerce.events.models import OutboxEvent
from ecommerce.events.outbox import event_dispatch, event_publish, outbox_purge
from ecommerce.events.registry import event_subscribe
from ecommerce.events.tasks import outbox_sweep
from ecommerce.events.types import EVENT_TYPES
from tests.factories import AdminUserFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_event_ids_are_prefixed_sortable_ulids():
    ids = [event_id_new() for _ in range(200)]
    assert len(set(ids)) == 200
    assert all(re.fullmatch(r"evt_[0-9A-HJKMNP-TV-Z]{26}", i) for i in ids)
    assert ids == sorted(ids)  # monotonic: they sort in the order they were made


def test_committed_event_is_dispatched_once_after_commit(recorder):
    with transaction.atomic():
        event_id = event_publish("ping", {"price": Decimal("15.99")})
        assert recorder.events == []  # nothing leaves before the commit
    row = OutboxEvent.objects.get()
    assert (row.id, row.type, row.version, row.attempts) == (event_id, "ping", 1, 1)
    assert row.dispatched_at is not None and row.data == {"price": 15.99}  # money as a number
    assert [(e.id, e.type, e.data) for e in recorder.events] == [(event_id, "ping", {"price": 15.99})]
    assert event_dispatch(event_id) == (False, None)  # a second dispatch changes nothing
    assert len(recorder.events) == 1


def test_rolled_back_transaction_writes_no_event_and_dispatches_nothing(recorder):
    with pytest.raises(RuntimeError), transaction.atomic():
        event_publish("order.paid", {"id": "ord_x"})
        raise RuntimeError("the business operation failed")
    assert OutboxEvent.objects.count() == 0
    outbox_sweep()
    assert recorder.events == []


def test_unknown_type_is_refused():
    with pytest.raises(ValueError, match="Unknown event type"):
        event_publish("order.exploded", {})
    with pytest.raises(ValueError, match="Unknown event types"):
        event_subscribe("tests.bad", lambda event: None, types=["order.exploded"])
    assert "ping" in EVENT_TYPES and len(EVENT_TYPES) == len(set(EVENT_TYPES)) == 14


def test_crash_between_commit_and_enqueue_is_repaired_by_the_sweeper(recorder, settings):
    """The row committed but its dispatch task was never sent (the process died right after the
    commit): written here without the enqueue, as that crash leaves it."""
    long_ago = timezone.now() - timedelta(seconds=settings.OUTBOX_SWEEP_AFTER_SECONDS + 5)
    lost = OutboxEvent.objects.create(
        type="product.updated", data={"id": "prod_1"}, occurred_at=long_ago, next_attempt_at=long_ago
    )
    recent = OutboxEvent.objects.create(
        type="product.updated",
        data={"id": "prod_2"},
        occurred_at=timezone.now(),
        next_attempt_at=timezone.now(),
    )
    assert outbox_sweep() == 1  # only the overdue one: the recent one's own task may still come
    assert [e.id for e in recorder.events] == [lost.id]
    lost.refresh_from_db()
    recent.refresh_from_db()
    assert lost.dispatched_at is not None and recent.dispatched_at is None
    assert outbox_sweep() == 0  # done: never twice
    call_command("outbox_sweep")  # the same, for a shop without beat
    assert len(recorder.events) == 1


def test_failing_subscriber_is_retried_then_dead_lettered_and_redispatched_from_the_admin(
    recorder, settings, client
):
    settings.OUTBOX_MAX_ATTEMPTS = 3
    recorder.fail = True
    with transaction.atomic():
        event_id = event_publish("ping", {})
    row = OutboxEvent.objects.get()
    assert row.dispatched_at is None and row.attempts == 1 and "ConnectionError" in row.last_error
    assert row.next_attempt_at > timezone.now()  # backed off
    for _ in range(2):
        OutboxEvent.objects.filter(pk=event_id).update(next_attempt_at=timezone.now() - timedelta(hours=1))
        outbox_sweep()
    row.refresh_from_db()
    assert row.attempts == 3 and row.dead_at is not None and row.dispatched_at is None
    OutboxEvent.objects.filter(pk=event_id).update(next_attempt_at=timezone.now() - timedelta(hours=1))
    assert outbox_sweep() == 0  # dead: the sweeper leaves it alone

    recorder.fail = False
    client.force_login(AdminUserFactory())
    page = client.get("/admin/events/outboxevent/?dead_at__isnull=False")
    assert page.status_code == 200 and event_id in page.content.decode()
    response = client.post(
        "/admin/events/outboxevent/", {"action": "redispatch", "_selected_action": [event_id]}, follow=True
    )
    assert "1 event(s) queued for dispatch." in response.content.decode()
    row.refresh_from_db()
    assert row.dispatched_at is not None and row.dead_at is None
    assert [e.id for e in recorder.events] == [event_id]


def test_housekeeping_purges_old_dispatched_events_only(settings):
    old = timezone.now() - timedelta(days=settings.OUTBOX_RETENTION_DAYS + 1)
    OutboxEvent.objects.create(type="ping", data={}, occurred_at=old, next_attempt_at=old, dispatched_at=old)
    kept = OutboxEvent.objects.create(type="ping", data={}, occurred_at=old, next_attempt_at=old)
    assert outbox_purge() == 1
    assert list(OutboxEvent.objects.values_list("pk", flat=True)) == [kept.pk]


def test_hand_written_insert_stores_what_the_orm_stores():
    """``events/queries.py``'s insert against ``bulk_create``, field by field (every database);
    both encode ``data`` through the column's ``EventJSONEncoder``: decimals as numbers,
    datetimes in ISO 8601 with ``Z``."""
    from ecommerce.events.queries import outbox_events_insert

    now = timezone.now()
    data = {"id": "ord_1", "total": Decimal("15.99"), "at": now, "items": [{"q": 1}], "none": None}

    def row() -> OutboxEvent:
        return OutboxEvent(type="order.paid", version=1, data=data, occurred_at=now, next_attempt_at=now)

    by_hand, by_orm = row(), row()
    outbox_events_insert([by_hand])
    OutboxEvent.objects.bulk_create([by_orm])
    stored = {r.pop("id"): r for r in OutboxEvent.objects.values()}
    assert stored[by_hand.id] == stored[by_orm.id]
    assert stored[by_hand.id]["data"]["total"] == 15.99 and stored[by_hand.id]["dispatched_at"] is None
    assert stored[by_hand.id]["data"]["at"] == now.isoformat().replace("+00:00", "Z")
