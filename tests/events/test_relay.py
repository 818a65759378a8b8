"""The outbox relay (with a broker): the request that publishes sends nothing; the relay (a beat
task) claims what committed and no one has sent, marks it, and sends one dispatch per chunk;
relays beside each other never send an event twice and never wait for each other."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.db import connections, transaction
from django.utils import timezone

from ecommerce.events.models import OutboxEvent
from ecommerce.events.outbox import (
    DISPATCH_CHUNK,
    event_publish,
    events_publish,
    events_redispatch,
    outbox_batch,
    outbox_relay,
)
from ecommerce.events.tasks import outbox_dispatch
from tests.helpers.concurrency import requires_server_database, run_in_threads, transaction_held

pytestmark = pytest.mark.django_db(transaction=True)

DISPATCH = outbox_dispatch.name


def test_with_a_broker_publishing_sends_nothing_and_the_relay_sends_what_committed(memory_broker, recorder):
    with outbox_batch():
        with transaction.atomic():
            first, second = events_publish([("ping", {"n": 1}), ("ping", {"n": 2})])
        with pytest.raises(RuntimeError), transaction.atomic():
            event_publish("ping", {"rolled": "back"})
            raise RuntimeError
    assert memory_broker == [] and recorder.events == []  # the request sent nothing, ran nothing

    assert outbox_relay() == 2
    assert memory_broker == [(DISPATCH, (first, second))]  # one message, in commit order
    assert OutboxEvent.objects.filter(relayed_at__isnull=False).count() == 2
    assert outbox_relay() == 0 and len(memory_broker) == 1  # claimed once

    outbox_dispatch.apply(args=memory_broker[0][1])  # what the worker that takes the message does
    assert [e.id for e in recorder.events] == [first, second]
    assert not OutboxEvent.objects.filter(dispatched_at=None).exists()


def test_the_relay_sends_chunks_and_leaves_dead_dispatched_and_not_yet_due_events(memory_broker):
    with transaction.atomic():
        ids = events_publish([("ping", {"n": n}) for n in range(DISPATCH_CHUNK + 1)])
        dead, done, later = events_publish([("ping", {}), ("ping", {}), ("ping", {})])
    now = timezone.now()
    OutboxEvent.objects.filter(pk=dead).update(dead_at=now)
    OutboxEvent.objects.filter(pk=done).update(dispatched_at=now)
    OutboxEvent.objects.filter(pk=later).update(next_attempt_at=now + timedelta(minutes=5))

    assert outbox_relay() == DISPATCH_CHUNK + 1
    assert [args for _, args in memory_broker] == [tuple(ids[:DISPATCH_CHUNK]), tuple(ids[DISPATCH_CHUNK:])]
    assert outbox_relay(limit=10) == 0


def test_a_backlog_is_claimed_in_rounds_until_a_claim_comes_back_short(memory_broker):
    with transaction.atomic():
        ids = events_publish([("ping", {"n": n}) for n in range(7)])

    assert outbox_relay(limit=3, rounds=2) == 6  # two full claims, the run ends
    assert [args for _, args in memory_broker] == [tuple(ids[:3]), tuple(ids[3:6])]
    assert outbox_relay(limit=3) == 1 and memory_broker[-1][1] == (ids[6],)


def test_an_event_redispatched_from_the_admin_goes_through_the_relay(memory_broker):
    with transaction.atomic():
        event_id = event_publish("ping", {})
    assert outbox_relay() == 1
    OutboxEvent.objects.filter(pk=event_id).update(dead_at=timezone.now(), attempts=10)

    assert events_redispatch(ids=[event_id]) == 1
    assert len(memory_broker) == 1  # nothing sent by the admin's request
    assert outbox_relay() == 1
    assert memory_broker[-1] == (DISPATCH, (event_id,))


def test_without_a_broker_the_relay_finds_nothing_left(recorder):
    """``make run`` and the tests: the request dispatched in-process already."""
    with transaction.atomic():
        event_id = event_publish("ping", {})
    assert [e.id for e in recorder.events] == [event_id]
    assert outbox_relay() == 0


@pytest.mark.concurrency
def test_relays_side_by_side_send_every_event_once(memory_broker):
    requires_server_database()
    with transaction.atomic():
        ids = events_publish([("ping", {"n": n}) for n in range(600)])

    claimed = run_in_threads(lambda _: outbox_relay(limit=150), 4)
    assert all(isinstance(c, int) for c in claimed), claimed
    claimed += [outbox_relay()]  # whatever a relay skipped (held by another) is left for the next
    sent = [event_id for _, args in memory_broker for event_id in args]
    assert sorted(sent) == sorted(ids) and sum(claimed) == 600  # each one, once


@pytest.mark.concurrency
def test_a_relay_skips_rows_another_holds_instead_of_waiting(memory_broker):
    requires_server_database()
    with transaction.atomic():
        held, free = events_publish([("ping", {}), ("ping", {})])
    with transaction_held(lambda: list(OutboxEvent.objects.select_for_update().filter(pk=held))):
        result: list[int] = []
        relay = threading.Thread(target=lambda: (result.append(outbox_relay()), connections.close_all()))
        relay.start()
        relay.join(10)
        assert not relay.is_alive(), "the relay waited for the held row"
        assert result == [1] and memory_broker == [(DISPATCH, (free,))]
    assert outbox_relay() == 1 and memory_broker[-1] == (DISPATCH, (held,))
