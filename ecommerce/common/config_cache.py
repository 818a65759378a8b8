"""The shop configuration's read cache: shipping zones and methods, tax rates, vouchers and
promotions change a few times a day and are read by every checkout.

Reads go through :func:`config_cached`, which keeps each value in this process under the
current configuration version (a number in the shared cache). Every write to a watched model
(:func:`config_cache_watch`, connected in the apps' ``AppConfig.ready``) bumps the version when
its transaction commits, so a read after a write is never stale, in any process (the version is
read from the shared cache on every call: one round trip instead of the tables' queries; it is
bumped at the write too, so the writing process never reads its own stale entry). A
write the model signals do not see (``bulk_create``, ``QuerySet.update``) calls
:func:`config_changed` itself. When the cache is unreachable, reads go to the database.
Several reads for one answer (a checkout's methods, rates, vouchers and promotions) run inside
:func:`config_pinned`, which reads the version once for all of them.

Values are shared between the threads of a process: callers must not change them.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, TypeVar, cast

from django.core.cache import cache
from django.db import transaction
from django.db.models import Model
from django.db.models.signals import m2m_changed, post_delete, post_save

logger = logging.getLogger(__name__)
T = TypeVar("T")

VERSION_KEY = "shopconfig:version"
LOCAL_ENTRIES = 512

_local: OrderedDict[tuple[int, Hashable], Any] = OrderedDict()  # values of any type T
_lock = threading.Lock()
_UNPINNED = object()
_pinned: ContextVar[object] = ContextVar("config_cache_pinned", default=_UNPINNED)


def config_version() -> int | None:
    """The current configuration version, or ``None`` when the cache is unreachable. A missing
    key starts again from the clock (above any version handed out before)."""
    try:
        version = cache.get(VERSION_KEY)
        if version is None:
            first = time.time_ns() // 1_000
            cache.add(VERSION_KEY, first, timeout=None)
            version = cache.get(VERSION_KEY, first)
        return int(version)
    except Exception:  # noqa: BLE001 - cache down: read the database
        logger.warning("configuration cache unavailable; reading the database")
        return None


def _bump() -> None:
    try:
        try:
            cache.incr(VERSION_KEY)
        except ValueError:  # evicted: start again above every earlier version
            cache.set(VERSION_KEY, time.time_ns() // 1_000, timeout=None)
    except Exception:  # noqa: BLE001 - entries then live until the local cache turns over
        logger.warning("configuration cache unavailable; could not invalidate it")


def config_changed() -> None:
    """Invalidate every cached configuration read: now, and again when the current transaction
    commits (a read between the two, in another process, saw the rows before the write and must
    not outlive the commit)."""
    _bump()
    transaction.on_commit(_bump)


def config_cache_reset() -> None:
    """Forget what this process holds (tests start each case from the database)."""
    with _lock:
        _local.clear()


@contextmanager
def config_pinned() -> Iterator[None]:
    """Read the configuration version once for every :func:`config_cached` call inside (one
    cache round trip instead of one per read); a write committed meanwhile is seen by the next
    scope. Nested scopes keep the outer version."""
    if _pinned.get() is not _UNPINNED:
        yield
        return
    token = _pinned.set(config_version())
    try:
        yield
    finally:
        _pinned.reset(token)


def config_cached(key: Hashable, build: Callable[[], T]) -> T:
    """``build()``, kept in this process under the current version and ``key`` (the version of
    the enclosing :func:`config_pinned`, if any)."""
    pinned = _pinned.get()
    version = config_version() if pinned is _UNPINNED else cast(int | None, pinned)
    if version is None:
        return build()
    entry = (version, key)
    with _lock:
        if entry in _local:
            _local.move_to_end(entry)
            return _local[entry]
    value = build()
    with _lock:
        _local[entry] = value
        while len(_local) > LOCAL_ENTRIES:
            _local.popitem(last=False)
    return value


def _changed(*args: Any, **kwargs: Any) -> None:
    config_changed()


def config_cache_watch(*models: type[Model]) -> None:
    """Invalidate the cache on every save or delete of ``models`` and on changes of their
    many-to-many relations (called from ``AppConfig.ready``)."""
    for model in models:
        uid = f"config_cache.{model._meta.label}"
        post_save.connect(_changed, sender=model, dispatch_uid=f"{uid}.save", weak=False)
        post_delete.connect(_changed, sender=model, dispatch_uid=f"{uid}.delete", weak=False)
        for field in model._meta.many_to_many:
            through = field.remote_field.through
            m2m_changed.connect(_changed, sender=through, dispatch_uid=f"{uid}.{field.name}", weak=False)
