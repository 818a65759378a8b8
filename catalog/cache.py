"""Catalog read cache, invalidated by a version number bumped on every product/category write.

Every cached product read (catalog list/detail, inventory listings) goes through
:func:`cached_read`, which stores each entry with the :func:`catalog_version` it was built
under and serves it only while that is still the current version. Any write calls :func:`catalog_changed` inside its
transaction; the bump happens on commit, so a read after a write is never stale (across
processes when the cache is Redis). Cache failures never fail a request: reads fall back to
the database.
"""

from __future__ import annotations

import hashlib
import logging
import re
from collections.abc import Callable
from typing import TypeVar

from django.core.cache import cache
from django.db import transaction

logger = logging.getLogger(__name__)
T = TypeVar("T")

VERSION_KEY = "catalog:version"
DEFAULT_TIMEOUT = 300


def catalog_version() -> int | None:
    """The current catalog version, or ``None`` when the cache is unreachable."""
    try:
        version = cache.get(VERSION_KEY)
        if version is None:
            cache.add(VERSION_KEY, 1, timeout=None)
            version = cache.get(VERSION_KEY, 1)
        return int(version)
    except Exception:  # noqa: BLE001 - cache down: serve uncached
        logger.warning("catalog cache unavailable; serving uncached")
        return None


def catalog_version_bump() -> None:
    """Invalidate every cached catalog read now."""
    try:
        try:
            cache.incr(VERSION_KEY)
        except ValueError:  # key missing (evicted or first write)
            cache.add(VERSION_KEY, 2, timeout=None)
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


def cached_read(key: str, build: Callable[[], T], timeout: int = DEFAULT_TIMEOUT) -> T:
    """Return the cached value for ``key`` if it was stored under the current catalog version,
    else build it (and store it). One cache round trip on a hit: the version and the entry are
    read together, and each entry remembers the version it was built under.

    ``build`` must return something picklable (plain dicts/lists or rendered bytes).
    """
    full_key = cache_key_safe(f"catalog:{key}")
    try:
        found = cache.get_many([VERSION_KEY, full_key])
    except Exception:  # noqa: BLE001 - cache down: serve uncached
        logger.warning("catalog cache unavailable; serving uncached")
        return build()
    version = found.get(VERSION_KEY)
    if version is None:  # first read, or the version key was evicted
        version = catalog_version()
        if version is None:
            return build()
    hit = found.get(full_key)
    if isinstance(hit, tuple) and len(hit) == 2 and hit[0] == int(version):
        return hit[1]
    value = build()
    try:
        cache.set(full_key, (int(version), value), timeout)
    except Exception:  # noqa: BLE001
        logger.warning("catalog cache unavailable; result not stored")
    return value
