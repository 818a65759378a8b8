"""Faults with real servers: Redis stops while the API serves; the database connection is
killed between requests. Nothing is mocked."""

import json
import logging
import os
import shutil
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request

import pytest
from django.db import connection, transaction
from rest_framework_simplejwt.tokens import AccessToken

from catalog.models import Product
from ecommerce.settings.config import cache_config
from tests.factories import ProductFactory, UserFactory
from tests.helpers import ROOT
from tests.helpers.concurrency import requires_server_database
from tests.helpers.orders import checkout_body
from tests.helpers.servers import RedisServer, database_url, free_port, kill_other_connections


@pytest.fixture
def redis_server(tmp_path, settings):
    if not shutil.which("redis-server"):
        pytest.skip("redis-server is not installed")
    server = RedisServer(tmp_path)
    server.start()
    settings.CACHES = {"default": cache_config(f"redis://127.0.0.1:{server.port}/0")}
    yield server
    server.stop()


@pytest.mark.django_db
def test_redis_stops_while_serving(redis_server, api_client, auth_client, caplog):
    product = {"name": "Beans", "price": 15.99, "quantity": 10}
    body = {"manager_id": "mgr_fault", "products": [product]}
    assert api_client.post("/api/inventory/products", body, format="json").status_code == 201
    listing = api_client.get("/api/inventory/products", {"manager_id": "mgr_fault"})
    assert listing.status_code == 200 and len(listing.json()["products"]) == 1
    assert api_client.get("/api/health/").json()["cache"] == "ok"

    redis_server.stop()
    with caplog.at_level(logging.WARNING):
        health = api_client.get("/api/health/")
        assert health.status_code == 503 and health.json()["cache"] == "unavailable"
        # reads fall back to the database
        assert api_client.get("/api/inventory/products", {"manager_id": "mgr_fault"}).status_code == 200
        # writes still work: the inventory API (rate limiter fails open) and a checkout
        second = {"manager_id": "mgr_fault", "products": [{**product, "name": "Tea"}]}
        assert api_client.post("/api/inventory/products", second, format="json").status_code == 201
        shopper = auth_client(UserFactory())
        item = ProductFactory(quantity=3)
        assert (
            shopper.post("/api/cart/items/", {"product_id": item.public_id}, format="json").status_code == 201
        )
        assert shopper.post("/api/orders/", checkout_body(), format="json").status_code == 201
    assert any("rate limit store unavailable" in r.getMessage() for r in caplog.records)

    redis_server.start()  # back again: healthy, and reads see every write made meanwhile
    assert api_client.get("/api/health/").status_code == 200
    names = [
        p["name"]
        for p in api_client.get("/api/inventory/products", {"manager_id": "mgr_fault"}).json()["products"]
    ]
    assert sorted(names) == ["Beans", "Tea"]


def _serve(database_url: str):
    """Start gunicorn (one worker, persistent DB connections) on ``database_url``; return the
    process and its URL once it answers (whatever the health of its database)."""
    port = free_port()
    env = {**os.environ, "DATABASE_URL": database_url, "DJANGO_SETTINGS_MODULE": "ecommerce.settings.test",
           "CONN_MAX_AGE": "600", "LOG_LEVEL": "WARNING", "SERVICE_UNAVAILABLE_RETRY_AFTER": "7"}  # fmt: skip
    process = subprocess.Popen(  # noqa: S603 - fixed arguments
        [sys.executable, "-m", "gunicorn", "ecommerce.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", "1",
         "--no-control-socket"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            urllib.request.urlopen(f"{url}/api/health/", timeout=1)  # noqa: S310
            break
        except urllib.error.HTTPError:
            break  # it answers (a 503 when its database is down)
        except OSError:
            time.sleep(0.1)
    return process, url


@pytest.fixture
def gunicorn_server(transactional_db):
    """gunicorn serving the test database."""
    requires_server_database("SQLite has no server connection to drop")
    process, url = _serve(database_url())
    yield url
    process.terminate()
    process.wait(10)


def _fetch(url: str, headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], dict]:
    try:
        request = urllib.request.Request(url, headers=headers or {})  # noqa: S310
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
            return response.status, dict(response.headers), json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), json.loads(error.read())


def _assert_service_unavailable(status: int, headers: dict[str, str], body: dict) -> None:
    assert status == 503, body
    assert body == {
        "error": {"code": "SERVICE_UNAVAILABLE", "message": body["error"]["message"], "details": {}}
    }
    assert headers["Retry-After"] == "7"


def test_database_connection_dropped_between_requests_reconnects(gunicorn_server):
    def get(path: str) -> tuple[int, dict]:
        try:
            with urllib.request.urlopen(f"{gunicorn_server}{path}", timeout=10) as response:  # noqa: S310
                return response.status, json.loads(response.read())
        except urllib.error.HTTPError as error:
            return error.code, json.loads(error.read())

    healthy = (
        200,
        {"status": "ok", "database": "ok", "cache": "ok", "broker": "disabled", "worker": "disabled"},
    )
    assert get("/api/health/") == healthy
    assert kill_other_connections() >= 1  # the worker's persistent connection is gone
    assert get("/api/health/") == healthy  # the next request reconnects
    status, body = get("/api/orders/")
    assert status == 401 and body["error"]["code"] == "AUTHENTICATION_REQUIRED"


def _blocked_session() -> int | None:
    """The id of the session on the test database that waits for the table lock we hold."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
                "AND pid <> pg_backend_pid() AND wait_event_type = 'Lock'"
            )
        else:
            cursor.execute(
                "SELECT id FROM information_schema.processlist WHERE db = DATABASE() "
                "AND id <> CONNECTION_ID() AND state LIKE 'Waiting for table%'"
            )
        row = cursor.fetchone()
    return row[0] if row else None


@pytest.mark.concurrency
def test_database_connection_killed_mid_request_is_503_with_retry_after(gunicorn_server):
    """The products table is locked, a request blocks on it inside gunicorn, and its database
    session is terminated while it waits: the client gets the 503 envelope, not a 500."""
    Product.objects.create(name="Locked", price="1.00", quantity=1)
    table = connection.ops.quote_name(Product._meta.db_table)
    result: dict[str, tuple] = {}
    request = threading.Thread(target=lambda: result.update(r=_fetch(f"{gunicorn_server}/api/products/")))
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"LOCK TABLE {table} IN ACCESS EXCLUSIVE MODE")
        else:
            cursor.execute(f"LOCK TABLES {table} WRITE")
        try:
            request.start()
            for _ in range(200):
                session = _blocked_session()
                if session is not None:
                    break
                time.sleep(0.05)
            else:
                pytest.fail("the request never waited for the lock")
            if connection.vendor == "postgresql":
                cursor.execute("SELECT pg_terminate_backend(%s)", [session])
            else:
                cursor.execute(f"KILL {int(session)}")
        finally:
            if connection.vendor != "postgresql":
                cursor.execute("UNLOCK TABLES")
    request.join(30)
    _assert_service_unavailable(*result["r"])
    # the worker drops the dead connection: the next request is served again
    status, _, body = _fetch(f"{gunicorn_server}/api/products/")
    assert status == 200 and [p["name"] for p in body["results"]] == ["Locked"]


@pytest.mark.parametrize("scheme", ["postgres", "mysql"])
def test_database_refusing_connections_is_503_with_retry_after(scheme):
    if scheme == "mysql":
        pytest.importorskip("MySQLdb", reason="mysqlclient is installed only for MariaDB runs")
    process, url = _serve(f"{scheme}://shop@127.0.0.1:{free_port()}/shop")  # nothing listens there
    try:
        _assert_service_unavailable(*_fetch(f"{url}/api/products/"))
        token = AccessToken()  # signed with the same key as the server's: the user lookup fails
        token["sub"] = "usr_0000000000000000"
        bearer = {"Authorization": f"Bearer {token}"}
        _assert_service_unavailable(*_fetch(f"{url}/api/orders/", bearer))
        status, headers, body = _fetch(f"{url}/api/health/")
        assert status == 503 and body["database"] == "unavailable" and headers["Retry-After"] == "7"
    finally:
        process.terminate()
        process.wait(10)
