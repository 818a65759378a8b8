"""Catalog read cache: version bumped on commit, reads never stale, cache failures degrade."""

import pytest
from django.core.cache import cache
from django.db import transaction

from catalog.cache import (
    VERSION_KEY,
    cache_key_safe,
    cached_read,
    catalog_changed,
    catalog_version,
    catalog_version_bump,
    local_entries,
)
from tests.helpers.caches import REDIS_DOWN


def test_cached_read_serves_from_cache_until_bumped():
    calls = []

    def build():
        calls.append(1)
        return {"n": len(calls)}

    assert cached_read("k", build) == {"n": 1}
    assert cached_read("k", build) == {"n": 1}
    catalog_version_bump()
    assert cached_read("k", build) == {"n": 2}


def test_a_lost_version_key_never_comes_back_lower():
    for _ in range(5):
        catalog_version_bump()
    high = catalog_version()
    cache.delete(VERSION_KEY)  # evicted, or Redis flushed
    catalog_version_bump()
    assert catalog_version() > high
    again = catalog_version()
    cache.delete(VERSION_KEY)
    assert catalog_version() > again


def test_entries_from_before_a_lost_version_key_are_not_served():
    assert cached_read("k", lambda: b"old") == b"old"
    cache.delete(VERSION_KEY)
    assert cached_read("k", lambda: b"new") == b"new"


def test_rendered_bytes_are_served_from_the_process_until_another_process_bumps():
    calls = []

    def build():
        calls.append(1)
        return f"body {len(calls)}".encode()

    assert cached_read("page", build) == b"body 1"
    cache.delete(cache_key_safe("catalog:page"))  # only this process still holds the body
    assert cached_read("page", build) == b"body 1"
    assert len(calls) == 1
    cache.incr(VERSION_KEY)  # a write committed in another process
    assert cached_read("page", build) == b"body 2"


def test_only_bytes_are_kept_in_the_process():
    calls = []

    def build():
        calls.append(1)
        return {"n": len(calls)}

    assert cached_read("dict", build) == {"n": 1}
    cache.delete(cache_key_safe("catalog:dict"))
    assert cached_read("dict", build) == {"n": 2}
    assert len(local_entries) == 0


def test_the_process_layer_is_bounded_and_can_be_turned_off(settings):
    settings.CATALOG_LOCAL_CACHE_ENTRIES = 2
    for key in ("a", "b", "c"):
        cached_read(key, lambda key=key: key.encode())
    assert len(local_entries) == 2
    cache.delete(cache_key_safe("catalog:a"))
    assert cached_read("a", lambda: b"a again") == b"a again"  # "a" was the least recent
    local_entries.clear()
    settings.CATALOG_LOCAL_CACHE_ENTRIES = 0
    cached_read("d", lambda: b"d")
    assert len(local_entries) == 0


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

    assert cache_key_safe("catalog:products:detail:prod_abc") == "catalog:products:detail:prod_abc"
    unsafe = "catalog:categories:detail:\x1c\U000a02bd with spaces"
    digested = cache_key_safe(unsafe)
    assert digested.startswith("h:") and len(digested) == 66
    assert cache_key_safe("x" * 300).startswith("h:")
    calls = []
    assert cached_read("detail:\x00 odd", lambda: calls.append(1) or "v") == "v"
    assert cached_read("detail:\x00 odd", lambda: calls.append(1) or "v") == "v"
    assert len(calls) == 1


def test_a_cache_that_keeps_nothing_builds_every_read_without_warnings(settings, caplog):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
    calls = []
    assert cached_read("k", lambda: calls.append(1) or b"v") == b"v"
    assert cached_read("k", lambda: calls.append(1) or b"v") == b"v"
    assert len(calls) == 2
    assert not [r for r in caplog.records if r.levelname == "WARNING"]
