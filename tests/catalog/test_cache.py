"""Catalog read cache: version bumped on commit, reads never stale, cache failures degrade."""

import pytest
from django.core.cache import cache
from django.db import transaction

from catalog.cache import cached_read, catalog_changed, catalog_version, catalog_version_bump

REDIS_DOWN = {
    "default": {
        "BACKEND": "django_redis.cache.RedisCache",
        "LOCATION": "redis://127.0.0.1:1/0",
        "OPTIONS": {"SOCKET_CONNECT_TIMEOUT": 0.2, "SOCKET_TIMEOUT": 0.2},
    }
}


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()
    yield
    cache.clear()


def test_cached_read_serves_from_cache_until_bumped():
    calls = []

    def build():
        calls.append(1)
        return {"n": len(calls)}

    assert cached_read("k", build) == {"n": 1}
    assert cached_read("k", build) == {"n": 1}
    catalog_version_bump()
    assert cached_read("k", build) == {"n": 2}


def test_bump_recovers_from_an_evicted_version_key():
    cache.delete("catalog:version")
    catalog_version_bump()
    assert catalog_version() == 3


@pytest.mark.django_db(transaction=True)
def test_catalog_changed_bumps_only_after_commit():
    before = catalog_version()
    with transaction.atomic():
        catalog_changed()
        assert catalog_version() == before
    assert catalog_version() == before + 1


@pytest.mark.django_db(transaction=True)
def test_rolled_back_write_does_not_bump():
    before = catalog_version()
    with pytest.raises(ZeroDivisionError), transaction.atomic():
        catalog_changed()
        1 / 0  # noqa: B018
    assert catalog_version() == before


def test_cache_down_degrades_to_uncached_reads(settings):
    settings.CACHES = REDIS_DOWN
    assert catalog_version() is None
    assert cached_read("k", lambda: "fresh") == "fresh"
    catalog_version_bump()  # does not raise


def test_unsafe_keys_are_digested_and_still_cache():
    from catalog.cache import cache_key_safe

    assert cache_key_safe("catalog:products:detail:prod_abc") == "catalog:products:detail:prod_abc"
    unsafe = "catalog:categories:detail:\x1c\U000a02bd with spaces"
    digested = cache_key_safe(unsafe)
    assert digested.startswith("h:") and len(digested) == 66
    assert cache_key_safe("x" * 300).startswith("h:")
    calls = []
    assert cached_read("detail:\x00 odd", lambda: calls.append(1) or "v") == "v"
    assert cached_read("detail:\x00 odd", lambda: calls.append(1) or "v") == "v"
    assert len(calls) == 1
