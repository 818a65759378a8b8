"""Outbox test helpers: a subscriber that records what it was handed."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from ecommerce.events.registry import Event, event_subscribe, event_unsubscribe
from tests.helpers.tasks import celery_connections_reset


class Recorder:
    """A real subscriber (registered in the registry) that keeps the events it receives;
    ``fail`` makes it raise (a subscriber whose downstream is down)."""

    def __init__(self) -> None:
        self.events: list[Event] = []
        self.fail = False

    def __call__(self, event: Event) -> None:
        if self.fail:
            raise ConnectionError("downstream unavailable")
        self.events.append(event)

    def types(self) -> list[str]:
        return [event.type for event in self.events]


@pytest.fixture
def recorder() -> Iterator[Recorder]:
    handler = Recorder()
    event_subscribe("tests.recorder", handler)
    yield handler
    event_unsubscribe("tests.recorder")


# --- A real broker and worker (tests marked ``worker``) -------------------------------------------


@pytest.fixture
def celery_broker(settings) -> Iterator[str]:
    """``CELERY_TEST_BROKER_URL`` (a Redis database of its own, emptied first) as the broker of
    this process: tasks are sent to it instead of running in-process. Skipped without it, and
    on SQLite (the test database lives in this process's memory: no worker can reach it)."""
    import os

    import redis
    from django.db import connection

    from ecommerce.celery import app

    url = os.environ.get("CELERY_TEST_BROKER_URL", "")
    if not url:
        pytest.skip("CELERY_TEST_BROKER_URL is not set (e.g. redis://127.0.0.1:6379/3)")
    if connection.vendor == "sqlite":
        pytest.skip("a worker process cannot reach SQLite's in-memory test database")
    redis.Redis.from_url(url).flushdb()
    before = {
        key: app.conf[key]
        for key in ("broker_url", "broker_transport", "task_always_eager", "broker_transport_options")
    }
    celery_connections_reset(app)  # eager tasks made a (never used) connection to the in-memory broker
    app.conf.update(
        broker_url=url,
        broker_transport="ecommerce.common.broker:Transport",  # as settings choose it for redis://
        task_always_eager=False,
        broker_transport_options={"visibility_timeout": 3},
    )
    settings.CELERY_BROKER_URL, settings.CELERY_TASK_ALWAYS_EAGER = url, False
    yield url
    app.conf.update(before)
    celery_connections_reset(app)
    redis.Redis.from_url(url).flushdb()


@pytest.fixture
def smtp_server():
    from tests.helpers.fake_smtp import FakeSmtpServer

    server = FakeSmtpServer().start()
    yield server
    server.stop()


@pytest.fixture
def celery_worker(celery_broker, smtp_server, tmp_path):
    """A worker process on the test database and broker (started by the test: ``.start()``),
    sending email to ``smtp_server``; retries and redelivery are made quick."""
    from tests.helpers.celery_worker import CeleryWorker
    from tests.helpers.servers import database_url

    worker = CeleryWorker(
        broker_url=celery_broker,
        database_url=database_url(),
        env={
            "TEST_SMTP_PORT": str(smtp_server.port),
            "WORKER_SLOW_FILE": str(tmp_path / "slow"),
            "CELERY_BROKER_VISIBILITY_TIMEOUT": "3",
            "CELERY_BROKER_RESTORE_INTERVAL": "1",
            "EMAIL_RETRY_BASE_SECONDS": "0.5",
            "EMAIL_RETRY_MAX_SECONDS": "1.5",
            "EMAIL_MAX_ATTEMPTS": "30",
        },
        log_dir=tmp_path,
    )
    yield worker
    worker.stop()
