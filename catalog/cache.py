"""Catalog read cache, invalidated by a version number bumped on every product/category write.

Every cached product read (catalog list/detail, inventory listings) goes through
:func:`cached_read`, which stores each entry with the :func:`catalog_version` it was built
under and serves it only while that is still the current version. Any write calls :func:`catalog_changed` inside its
transaction; the bump happens on commit, so a read after a write is never stale (across
processes when the cache is Redis). Cache failures never fail a request: reads fall back to
the database.

Rendered responses (``bytes``) are also kept in a small in-process LRU per worker
(``CATALOG_LOCAL_CACHE_ENTRIES``), under the same version: a hit then costs one small read of
the version number instead of fetching the whole body from Redis. The version is still read
from the shared cache on every request, so the local copy can never outlive a write made by
another process.
"""

from __future__ import annotations

import hashlib
import logging
import re
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import TypeVar

from django.conf import settings
from django.core.cache import cache
from django.db import transaction

from ecommerce.common.replica import replica_pin

logger = logging.getLogger(__name__)
T = TypeVar("T")

VERSION_KEY = "catalog:version"
DEFAULT_TIMEOUT = 300


def _first_version() -> int:
    """The version a missing (never set, evicted, flushed) version key starts again from: the
    clock in microseconds, so it is above any version handed out before (which grew by one per
    write from an earlier clock reading). Starting again from 1 could match stale entries."""
    return time.time_ns() // 1_000


def catalog_version() -> int | None:
    """The current catalog version, or ``None`` when the cache is unreachable."""
    try:
        version = cache.get(VERSION_KEY)
        if version is None:
            first = _first_version()
            cache.add(VERSION_KEY, first, timeout=None)
            version = cache.get(VERSION_KEY, first)  # a cache that keeps nothing: every read builds
        return int(version)
    except Exception:  # noqa: BLE001 - cache down: serve uncached
        logger.warning("catalog cache unavailable; serving uncached")
        return None


def catalog_version_bump() -> None:
    """Invalidate every cached catalog read now. With a read replica, catalog reads first go
    to the primary for a while (``replica_pin``), so no reader fills the cache under the new
    version with what a lagging replica still shows."""
    replica_pin()
    try:
        try:
            cache.incr(VERSION_KEY)
        except ValueError:  # key missing (evicted or first write)
            cache.add(VERSION_KEY, _first_version(), timeout=None)
            cache.incr(VERSION_KEY)
    except Exception:  # noqa: BLE001 - nothing cached can be served while the cache is down
        logger.warning("catalog cache unavailable; version not bumped")


def catalog_changed() -> None:
    """Call from any write that changes products or categories: bumps the version on commit."""
    transaction.on_commit(catalog_version_bump)


_SAFE_KEY = re.compile(r"^[A-Za-z0-9_.:=&%,+\-]{1,200}$")


def cache_key_safe(key: str) -> str:
    """``key`` when it is short and plain; otherwise a digest of it. Keys hold request input (path
    ids, query strings), which must not reach the cache as control characters or unbounded text."""
    if _SAFE_KEY.match(key):
        return key
    return f"h:{hashlib.sha256(key.encode('utf-8', 'surrogatepass')).hexdigest()}"


class _LocalEntries:
    """A bounded, thread-safe LRU of ``key -> (version, bytes)`` for this process."""

    def __init__(self) -> None:
        self._entries: OrderedDict[str, tuple[int, bytes]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: str, version: int) -> bytes | None:
        with self._lock:
            entry = self._entries.get(key)
            if entry is None or entry[0] != version:
                return None
            self._entries.move_to_end(key)
            return entry[1]

    def put(self, key: str, version: int, value: bytes) -> None:
        limit = settings.CATALOG_LOCAL_CACHE_ENTRIES
        if limit <= 0:
            return
        with self._lock:
            self._entries[key] = (version, value)
            self._entries.move_to_end(key)
            while len(self._entries) > limit:
                self._entries.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

    def __len__(self) -> int:
        return len(self._entries)


local_entries = _LocalEntries()


def cached_read(key: str, build: Callable[[], T], timeout: int = DEFAULT_TIMEOUT) -> T:
    """Return the cached value for ``key`` if it was stored under the current catalog version,
    else build it (and store it). Each entry remembers the version it was built under.

    A hit costs one small cache read (the version) when this process holds the entry (``bytes``
    values only, which nobody can mutate), else two (the version, then the entry).

    ``build`` must return something picklable (plain dicts/lists or rendered bytes).
    """
    full_key = cache_key_safe(f"catalog:{key}")
    version = catalog_version()
    if version is None:
        return build()
    local = local_entries.get(full_key, version)
    if local is not None:
        return local  # type: ignore[return-value]  # only bytes are kept locally
    try:
        hit = cache.get(full_key)
    except Exception:  # noqa: BLE001 - cache down: serve uncached
        logger.warning("catalog cache unavailable; serving uncached")
        return build()
    if isinstance(hit, tuple) and len(hit) == 2 and hit[0] == version:
        value = hit[1]
    else:
        value = build()
        try:
            cache.set(full_key, (version, value), timeout)
        except Exception:  # noqa: BLE001
            logger.warning("catalog cache unavailable; result not stored")
    if isinstance(value, bytes):
        local_entries.put(full_key, version, value)
    return value
