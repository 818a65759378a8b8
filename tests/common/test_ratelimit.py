"""Fixed-window limiter on the shared cache: fails open (or closed when asked) when the store
is down, can keep its counters in a store of its own, and sends RateLimit-* headers."""

import json
import logging
import os
import re
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.core.cache import cache, caches

from ecommerce.common.ratelimit import STORE_DOWN_RETRY_AFTER, rate_limit_hit, rate_limit_reset
from ecommerce.settings.config import cache_config
from tests.helpers.servers import RedisServer

# windows of 60 s and 300 s: every 300-second boundary is a 60-second one
pytestmark = pytest.mark.rate_window(60, margin=10)

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def _clear():
    cache.clear()
    yield
    cache.clear()


def test_allows_up_to_limit_then_refuses_with_retry_after():
    results = [rate_limit_hit(scope="t", key="k", limit=3, window_seconds=60) for _ in range(4)]
    assert [r.allowed for r in results] == [True, True, True, False]
    assert results[-1].count == 4
    assert 1 <= results[-1].retry_after <= 60


def test_keys_are_independent_and_reset_clears():
    for _ in range(2):
        rate_limit_hit(scope="t", key="a", limit=1, window_seconds=60)
    assert rate_limit_hit(scope="t", key="b", limit=1, window_seconds=60).allowed
    rate_limit_reset(scope="t", key="a", window_seconds=60)
    assert rate_limit_hit(scope="t", key="a", limit=1, window_seconds=60).allowed


def test_store_down_fails_open_with_warning(settings, caplog):
    settings.CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
            "OPTIONS": {"SOCKET_CONNECT_TIMEOUT": 0.2, "SOCKET_TIMEOUT": 0.2},
        }
    }
    with caplog.at_level(logging.WARNING, logger="ecommerce.ratelimit"):
        result = rate_limit_hit(scope="t", key="k", limit=0, window_seconds=60)
        rate_limit_reset(scope="t", key="k", window_seconds=60)
    assert result.allowed
    assert any("unavailable" in r.message for r in caplog.records)


# --- fail closed, a store of its own, headers, shipped defaults --------------------------------

NOTHING_LISTENS = 18201  # in this suite's port range; nothing is started on it


def _refused_redis() -> dict:
    with socket.socket() as probe:
        assert probe.connect_ex(("127.0.0.1", NOTHING_LISTENS)) != 0, "something listens on the test port"
    return cache_config(f"redis://127.0.0.1:{NOTHING_LISTENS}/0")


def test_store_down_fails_closed_when_asked(settings, caplog):
    settings.CACHES = {"default": _refused_redis()}
    with caplog.at_level(logging.WARNING, logger="ecommerce.ratelimit"):
        result = rate_limit_hit(scope="t", key="k", limit=100, window_seconds=60, fail_closed=True)
    assert not result.allowed and result.store_down and result.retry_after == STORE_DOWN_RETRY_AFTER
    assert any("refusing" in r.message for r in caplog.records)


def test_counters_live_in_the_ratelimit_alias_when_configured(settings):
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "shop"},
        "ratelimit": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "limits"},
    }
    rate_limit_hit(scope="t", key="k", limit=1, window_seconds=60)
    assert caches["default"].get(_key("t", "k", 60)) is None
    assert caches["ratelimit"].get(_key("t", "k", 60)) == 1
    caches["default"].clear()  # a flush of the shared cache does not forget the count
    assert not rate_limit_hit(scope="t", key="k", limit=1, window_seconds=60).allowed


def _key(scope: str, key: str, window: int) -> str:
    now = int(time.time())
    return f"rl:{scope}:{key}:{now - now % window}"


def test_a_cache_flooded_with_junk_does_not_evict_the_counters(settings):
    """The default cache is small and full of junk; the counters are in their own store."""
    small = {"MAX_ENTRIES": 20, "CULL_FREQUENCY": 2}
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "s",
            "OPTIONS": small,
        },
        "ratelimit": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "rl"},
    }
    assert [rate_limit_hit(scope="t", key="k", limit=2, window_seconds=60).allowed for _ in range(3)] == [
        True,
        True,
        False,
    ]
    for n in range(200):
        caches["default"].set(f"catalog:junk:{n}", b"x" * 100)
    assert not rate_limit_hit(scope="t", key="k", limit=2, window_seconds=60).allowed


@pytest.mark.django_db
def test_separate_redis_store_for_the_limiter(tmp_path, settings, api_client):
    """A real redis-server as the limiter store: the counts are there, not in the default cache."""
    if not shutil.which("redis-server"):
        pytest.skip("redis-server is not installed")
    server = RedisServer(tmp_path)  # its own port: CI's legs run this test side by side
    server.start()
    try:
        settings.CACHES = {
            "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "d"},
            "ratelimit": cache_config(f"redis://127.0.0.1:{server.port}/0"),
        }
        settings.ACCOUNTS_LOGIN_LIMIT_PER_IP = (2, 300)
        body = {"email": "x@example.com", "password": "wrong"}
        codes = [api_client.post("/api/auth/login", body, format="json").status_code for _ in range(3)]
        assert codes == [401, 401, 429]
        assert caches["ratelimit"].get(_key("login-ip", "127.0.0.1", 300)) == 3
        assert caches["default"].get(_key("login-ip", "127.0.0.1", 300)) is None
    finally:
        server.stop()


@pytest.mark.django_db
def test_limited_endpoints_send_ratelimit_headers(api_client, settings):
    settings.ACCOUNTS_LOGIN_LIMIT_PER_IP = (3, 300)
    body = {"email": "x@example.com", "password": "wrong"}
    first = api_client.post("/api/auth/login", body, format="json")
    assert (first["RateLimit-Limit"], first["RateLimit-Remaining"]) == ("3", "2")
    assert 1 <= int(first["RateLimit-Reset"]) <= 300
    api_client.post("/api/auth/login", body, format="json")
    api_client.post("/api/auth/login", body, format="json")
    refused = api_client.post("/api/auth/login", body, format="json")
    assert refused.status_code == 429
    assert (refused["RateLimit-Limit"], refused["RateLimit-Remaining"]) == ("3", "0")
    assert int(refused["Retry-After"]) == int(refused["RateLimit-Reset"])
    assert "RateLimit-Limit" not in api_client.get("/api/health/")  # not a limited endpoint


LIMIT_SETTINGS = {
    "ACCOUNTS_LOGIN_LIMIT_PER_IP": [30, 300],
    "ACCOUNTS_LOGIN_LIMIT_PER_ACCOUNT_IP": [5, 900],
    "ACCOUNTS_LOGIN_LIMIT_PER_ACCOUNT": [50, 900],
    "ACCOUNTS_RESET_LIMIT_PER_IP": [20, 3600],
    "ACCOUNTS_RESET_LIMIT_PER_ACCOUNT": [5, 3600],
    "REGISTER_LIMIT_PER_IP": [10, 3600],
    "REGISTER_LIMIT_PER_EMAIL": [3, 3600],
    "EMAIL_CHANGE_LIMIT_PER_USER": [5, 3600],
    "EMAIL_CHANGE_LIMIT_PER_IP": [20, 3600],
    "REAUTH_LIMIT_PER_USER": [5, 900],
    "CHECKOUT_LIMIT_PER_USER": [10, 600],
    "CHECKOUT_LIMIT_PER_IP": [30, 600],
    "GUEST_CART_LIMIT_PER_IP": [60, 3600],
    "ADMIN_LOGIN_LIMIT": [10, 300],
    "TRUSTED_PROXIES": [],
    "RATELIMIT_CACHE_URL": "",
    "INVENTORY_RATE_LIMIT": 100,
    "INVENTORY_RATE_WINDOW": 3600,
}
# Variables that change a limit; the subprocess below runs without any of them.
_LIMIT_VARIABLES = ("LIMIT", "INVENTORY_RATE_", "TRUSTED_PROXIES", "RATELIMIT_CACHE_URL", "READ_DOT_ENV")


def _shipped_settings(names: list[str]) -> dict:
    """``names`` of ``ecommerce.settings.base`` as a fresh interpreter reads them with none of
    the limit variables in its environment (what a deployment gets without setting anything)."""
    code = (
        "import json; from ecommerce.settings import base as b; "
        f"print(json.dumps({{n: getattr(b, n) for n in {names!r}}}))"
    )
    env = {
        key: value for key, value in os.environ.items() if not any(part in key for part in _LIMIT_VARIABLES)
    }
    result = subprocess.run(  # noqa: S603 - fixed arguments
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    )
    return json.loads(result.stdout)


def test_shipped_limit_defaults():
    """The defaults a deployment gets without setting anything (docs/rate-limits.md)."""
    shipped = _shipped_settings([*LIMIT_SETTINGS, "CACHES"])
    caches_config = shipped.pop("CACHES")
    assert shipped == LIMIT_SETTINGS
    assert caches_config["ratelimit"] == caches_config["default"]  # the same store unless configured


_WINDOWS = {"5 min": 300, "10 min": 600, "15 min": 900, "1 h": 3600}


def _documented_limits() -> dict[str, tuple[int, int]]:
    """{env variable: (requests, window seconds)} from the table of docs/rate-limits.md."""
    documented: dict[str, tuple[int, int]] = {}
    for line in (ROOT / "docs" / "rate-limits.md").read_text().splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) != 6 or "`" not in cells[1]:
            continue  # not a table row, the header, or a row that reuses the settings above
        names = [name for name in cells[1].split("`")[1::2]]
        defaults = [int(value) for value in cells[2].split("/")]
        window = _WINDOWS[cells[3]]
        if names == ["INVENTORY_RATE_LIMIT", "INVENTORY_RATE_WINDOW"]:
            documented["INVENTORY_RATE_LIMIT"] = (defaults[0], window)
            continue
        assert len(names) == len(defaults), line
        documented.update({name: (default, window) for name, default in zip(names, defaults, strict=True)})
    return documented


def test_every_documented_limit_is_the_shipped_default():
    """Each row of docs/rate-limits.md against the settings a clean environment gets; the
    inventory limit included (its tests set it themselves, so nothing else would notice)."""
    documented = _documented_limits()
    assert len(documented) == 15, documented  # every row with settings was read
    source = (ROOT / "ecommerce" / "settings" / "base.py").read_text()
    setting_of = dict(
        (env_name, setting)
        for setting, env_name in re.findall(r'^(\w+) = \(?env\.int\("(\w+)"', source, flags=re.MULTILINE)
    )
    shipped = _shipped_settings(sorted({setting_of[name] for name in documented} | {"INVENTORY_RATE_WINDOW"}))
    for name, (requests, window) in documented.items():
        if name == "INVENTORY_RATE_LIMIT":
            value = [shipped["INVENTORY_RATE_LIMIT"], shipped["INVENTORY_RATE_WINDOW"]]
        else:
            value = shipped[setting_of[name]]
        assert value == [requests, window], f"{name}: documented {requests}/{window}s, shipped {value}"
