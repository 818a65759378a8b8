"""One dispatch task per unit of work (``outbox_batch``): events committed inside a batch leave
together when it ends, however it ends; outside a batch (a Celery task, a management command,
the shell) each committing transaction sends its own task; a unit of work that dies before its
end leaves its committed events to the sweeper."""

from __future__ import annotations

import contextvars
from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from ecommerce.events.models import OutboxEvent
from ecommerce.events.outbox import DISPATCH_CHUNK, event_publish, events_publish, outbox_batch
from ecommerce.events.tasks import outbox_dispatch, outbox_sweep
from tests.helpers.tasks import tasks_run

pytestmark = pytest.mark.django_db(transaction=True)

DISPATCH = outbox_dispatch.name


def test_outside_a_batch_each_commit_sends_its_own_dispatch(recorder):
    with tasks_run(DISPATCH) as runs:
        with transaction.atomic():
            first = event_publish("ping", {"n": 1})
        assert recorder.types() == ["ping"]  # right after its commit
        with transaction.atomic():
            second, third = events_publish([("ping", {"n": 2}), ("ping", {"n": 3})])
    assert runs == [(first,), (second, third)]  # one task per transaction, not per event
    assert [e.id for e in recorder.events] == [first, second, third]


def test_a_batch_sends_one_dispatch_when_it_ends_with_every_committed_event_in_order(recorder):
    with tasks_run(DISPATCH) as runs:
        with outbox_batch():
            with transaction.atomic():
                first = event_publish("ping", {"n": 1})
            with outbox_batch():  # nested: joins the outer batch
                with transaction.atomic():
                    second = event_publish("ping", {"n": 2})
            with pytest.raises(RuntimeError), transaction.atomic():
                event_publish("ping", {"rolled": "back"})
                raise RuntimeError
            assert runs == [] and recorder.events == []  # nothing left before the end
        assert runs == [(first, second)]
    assert [e.id for e in recorder.events] == [first, second]
    assert OutboxEvent.objects.count() == 2 and not OutboxEvent.objects.filter(dispatched_at=None).exists()


def test_an_error_after_a_commit_still_sends_what_committed(recorder):
    with tasks_run(DISPATCH) as runs, pytest.raises(ValueError):
        with outbox_batch():
            with transaction.atomic():
                event_id = event_publish("ping", {})
            raise ValueError("the second step failed")
    assert runs == [(event_id,)]
    assert [e.id for e in recorder.events] == [event_id]


def test_a_unit_of_work_that_dies_before_its_end_is_repaired_by_the_sweeper(recorder, settings):
    """The process dies between the commit and the end of the batch (a killed gunicorn worker in
    the middle of a checkout's payment): the batch never sends. Played in a context of its own
    that is abandoned without leaving the batch."""

    batch = outbox_batch()
    request = contextvars.copy_context()

    def request_killed_midway() -> str:
        batch.__enter__()  # not left until the process is "back"
        with transaction.atomic():
            return event_publish("ping", {})

    event_id = request.run(request_killed_midway)
    assert recorder.events == [] and OutboxEvent.objects.get().dispatched_at is None
    assert outbox_sweep() == 0  # not overdue yet: its task may still come
    overdue = timezone.now() - timedelta(seconds=settings.OUTBOX_SWEEP_AFTER_SECONDS + 1)
    OutboxEvent.objects.filter(pk=event_id).update(next_attempt_at=overdue)
    assert outbox_sweep() == 1
    assert [e.id for e in recorder.events] == [event_id]
    request.run(batch.__exit__, None, None, None)  # had it lived after all: a late send is a no-op
    assert [e.id for e in recorder.events] == [event_id]


def test_events_published_by_a_task_dispatch_on_commit(recorder):
    """Inside a Celery task (here in-process) there is no batch: on commit, as before."""
    from celery import shared_task

    @shared_task
    def publish_twice() -> None:
        for n in range(2):
            with transaction.atomic():
                event_publish("ping", {"n": n})

    with tasks_run(DISPATCH) as runs:
        publish_twice.delay()
    assert len(runs) == 2 and recorder.types() == ["ping", "ping"]


def test_a_large_batch_is_sent_in_chunks(recorder):
    with tasks_run(DISPATCH) as runs, outbox_batch():
        with transaction.atomic():
            ids = events_publish([("ping", {"n": n}) for n in range(DISPATCH_CHUNK + 1)])
    assert [len(args) for args in runs] == [DISPATCH_CHUNK, 1]
    assert [e.id for e in recorder.events] == ids
