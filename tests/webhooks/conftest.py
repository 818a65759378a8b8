"""Fixtures of the webhooks tests: a fake receiver, eager Celery, an endpoint on the receiver."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from celery import current_app

from tests.helpers.webhooks import FakeReceiver, fake_receiver
from webhooks import services
from webhooks.models import Endpoint


@pytest.fixture(autouse=True)
def _eager_tasks(settings) -> Iterator[None]:
    """Tasks run in-process (what an empty CELERY_BROKER_URL means) and their failures are raised
    here (a bug must fail the test, not be logged); a short retry schedule and timeout."""
    conf = current_app.conf
    before = (conf.task_always_eager, conf.task_eager_propagates)
    conf.task_always_eager, conf.task_eager_propagates = True, True
    settings.WEBHOOK_RETRY_SCHEDULE = [1, 2, 3]
    settings.WEBHOOK_TIMEOUT = 2.0
    settings.WEBHOOK_DISABLE_AFTER_FAILURES = 50
    yield
    conf.task_always_eager, conf.task_eager_propagates = before


@pytest.fixture
def receiver() -> Iterator[FakeReceiver]:
    yield from fake_receiver()


@pytest.fixture
def endpoint(db, receiver: FakeReceiver) -> Endpoint:
    """An active endpoint on the fake receiver that wants every event."""
    return services.endpoint_create(url=receiver.url, events=["*"], description="test receiver")
