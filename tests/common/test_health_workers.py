"""``/api/health/`` with a broker configured: the broker's reachability and the workers'
heartbeat. Either failing is ``degraded`` with HTTP 200 (the web node still serves); the
database and cache rules (503) are unchanged (test_health_and_routing.py, test_faults.py)."""

from __future__ import annotations

import shutil
from datetime import timedelta

import pytest
from django.utils import timezone

from ecommerce.common.models import WorkerHeartbeat
from ecommerce.common.tasks import worker_heartbeat
from tests.helpers.servers import RedisServer, free_port

pytestmark = pytest.mark.django_db


@pytest.fixture
def broker(settings, tmp_path):
    """A throw-away Redis on 127.0.0.1 as the broker (redis-server from the distribution)."""
    if not shutil.which("redis-server"):
        pytest.skip("redis-server is not installed")
    server = RedisServer(tmp_path)
    server.start()
    settings.CELERY_BROKER_URL = f"redis://127.0.0.1:{server.port}/0"
    settings.CELERY_TASK_ALWAYS_EAGER = False
    yield server
    server.stop()


def test_broker_unreachable_is_named_and_degraded_not_503(client, settings):
    settings.CELERY_BROKER_URL = f"redis://127.0.0.1:{free_port()}/0"
    settings.CELERY_TASK_ALWAYS_EAGER = False  # a broker is configured (the web node's view)
    response = client.get("/api/health/")
    assert response.status_code == 200
    assert response.json() == {
        "status": "degraded",
        "database": "ok",
        "cache": "ok",
        "broker": "unavailable",
        "worker": "degraded",
    }


def test_fresh_heartbeat_is_ok_and_a_stale_one_is_degraded(client, broker, settings):
    worker_heartbeat.apply()  # what beat makes a worker do every CELERY_HEARTBEAT_SECONDS
    assert WorkerHeartbeat.objects.count() == 1
    assert client.get("/api/health/").json() == {
        "status": "ok",
        "database": "ok",
        "cache": "ok",
        "broker": "ok",
        "worker": "ok",
    }
    stale = timezone.now() - timedelta(seconds=settings.CELERY_HEARTBEAT_STALE_SECONDS + 1)
    WorkerHeartbeat.objects.update(beat_at=stale)
    response = client.get("/api/health")
    assert response.status_code == 200
    assert response.json()["status"] == "degraded" and response.json()["worker"] == "degraded"
    assert response.json()["broker"] == "ok"

    broker.stop()  # the broker goes away too
    body = client.get("/api/health/").json()
    assert (body["status"], body["broker"]) == ("degraded", "unavailable")
