"""Fixed-window limiter on the shared cache (fails open when the store is down)."""

import logging

import pytest
from django.core.cache import cache

from ecommerce.common.ratelimit import rate_limit_hit, rate_limit_reset


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
