"""GET /api/health/, optional trailing slashes, request ids and the request log line."""

import json
import logging

import pytest
from django.db import connections

from ecommerce.common.logging import new_request_id


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/api/health/", "/api/health"])
def test_health_ok_with_and_without_slash(client, path):
    response = client.get(path)
    assert response.status_code == 200
    # no broker configured (tests): tasks run in-process, there is no worker to report on
    assert response.json() == {
        "status": "ok",
        "database": "ok",
        "cache": "ok",
        "broker": "disabled",
        "worker": "disabled",
    }


@pytest.mark.django_db
def test_health_reports_broken_cache_as_503(client, settings):
    # A real Redis client pointed at a port where nothing listens.
    settings.CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
            "OPTIONS": {"SOCKET_CONNECT_TIMEOUT": 0.2, "SOCKET_TIMEOUT": 0.2},
        }
    }
    response = client.get("/api/health/")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["cache"] == "unavailable"
    assert body["database"] == "ok"
    assert body["error"]["code"] == "SERVICE_UNAVAILABLE"
    assert body["error"]["details"] == {"cache": "unavailable"}


@pytest.fixture
def broken_database(settings, tmp_path):
    """A real extra database alias whose file cannot be opened."""
    alias = "broken"
    connections.settings[alias] = {
        **connections.settings["default"],
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": str(tmp_path / "missing-dir" / "db.sqlite3"),
        "OPTIONS": {},
        "TEST": {},
    }
    settings.HEALTH_CHECK_DATABASES = ["default", alias]
    yield alias
    connections[alias].close()
    del connections[alias]
    del connections.settings[alias]


@pytest.mark.django_db
def test_health_reports_broken_database_as_503(client, broken_database):
    response = client.get("/api/health/")
    assert response.status_code == 503
    body = response.json()
    assert body["database"] == "unavailable"
    assert body["cache"] == "ok"
    assert body["error"]["details"] == {"database": "unavailable"}


@pytest.mark.django_db
def test_request_id_round_trips_and_is_logged(client, caplog):
    with caplog.at_level(logging.INFO, logger="ecommerce.request"):
        response = client.get("/api/health/", HTTP_X_REQUEST_ID="abc-123")
    assert response["X-Request-ID"] == "abc-123"
    lines = [r for r in caplog.records if r.name == "ecommerce.request"]
    assert len(lines) == 1
    record = lines[0]
    assert record.request_id == "abc-123"
    assert record.method == "GET"
    assert record.path == "/api/health/"
    assert record.status == 200
    assert record.duration_ms >= 0


@pytest.mark.django_db
def test_request_id_is_created_when_missing_or_unsafe(client):
    generated = client.get("/api/health/")["X-Request-ID"]
    assert len(generated) == 32
    unsafe = client.get("/api/health/", HTTP_X_REQUEST_ID="bad id\nwith newline")["X-Request-ID"]
    assert unsafe != "bad id\nwith newline" and len(unsafe) == 32


def test_new_request_id_rejects_overlong_values():
    assert new_request_id("a" * 129) != "a" * 129
    assert new_request_id("ok.id-1") == "ok.id-1"


@pytest.mark.django_db
def test_log_line_is_json_with_request_fields(client, caplog):
    with caplog.at_level(logging.INFO, logger="ecommerce.request"):
        client.get("/api/health", HTTP_X_REQUEST_ID="json-line-1")
    (record,) = [r for r in caplog.records if r.name == "ecommerce.request"]
    # Format it with the handler that writes to stdout in every environment.
    (handler,) = [h for h in logging.getLogger().handlers if getattr(h, "name", None) == "stdout"]
    line = handler.format(record)
    payload = json.loads(line)
    assert payload["request_id"] == "json-line-1"
    assert payload["path"] == "/api/health"
    assert payload["status"] == 200
    assert payload["method"] == "GET"
    assert payload["logger"] == "ecommerce.request"
    assert payload["time"].endswith("+00:00")
    assert "duration_ms" in payload


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/api/schema/", "/api/schema"])
def test_schema_served_with_and_without_slash(client, path):
    response = client.get(path, {"format": "json"})
    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    paths = schema["paths"]
    assert "/api/health/" in paths
    assert "/api/health" not in paths, "slashless duplicates are dropped from the schema"
    errors = paths["/api/health/"]["get"]["responses"]
    assert "500" in errors and "ErrorEnvelope" in json.dumps(errors["500"])
    # the documented 503 body is what the endpoint sends: the parts plus the envelope
    assert "HealthUnavailable" in json.dumps(errors["503"])
    unavailable = schema["components"]["schemas"]["HealthUnavailable"]["properties"]
    assert set(unavailable) == {"status", "database", "cache", "broker", "worker", "error"}


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/api/docs/", "/api/redoc/"])
def test_docs_pages_use_local_assets(client, path):
    response = client.get(path)
    assert response.status_code == 200
    html = response.content.decode()
    assert "/static/drf_spectacular_sidecar/" in html
    assert "cdn.jsdelivr.net" not in html and "unpkg.com" not in html
