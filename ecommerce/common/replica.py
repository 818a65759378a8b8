"""Catalog reads from a read replica (``DATABASE_REPLICA_URL``; docs/scaling.md).

Off unless a replica is configured: then the ``replica`` database alias exists,
``CATALOG_READ_DATABASE`` names it, :class:`ReplicaRouter` is installed and
:class:`ReplicaReadsMiddleware` opens the per-request scope. The rule, in one place
(:func:`catalog_read_db`): a catalog read selector (product list and detail, categories)
reads from the replica only when **all** of these hold, else from the primary:

- the request is a safe one (``GET``/``HEAD``/``OPTIONS``): a write request reads what it
  is about to change, and answers with what it wrote, from the primary;
- nothing was written through the ORM earlier in this request (:meth:`ReplicaRouter.db_for_write`
  remembers a write);
- no transaction is open on the primary (a read inside a transaction is part of it);
- no catalog write committed in the last ``DATABASE_REPLICA_PIN_SECONDS`` (any process: the
  pin is a key in the shared cache, set on commit just before the catalog cache version is
  bumped). This is read-your-writes across requests: an admin who edits a product and reloads
  it, and any reader who fills the catalog cache under the new version, reads the primary
  until the replica has surely replayed the change. If the cache cannot be read, the primary.

Everything else (carts, orders, accounts, the inventory API, management commands, tasks)
never reads from the replica, and every write goes to the primary whatever the instance's
origin (:meth:`ReplicaRouter.db_for_write`).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, connections
from django.http import HttpRequest, HttpResponse

logger = logging.getLogger(__name__)

REPLICA_ALIAS = "replica"
PIN_KEY = "db:replica:pinned"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

# True while a safe request runs and has not written anything (default: no request, no replica).
_replica_allowed: ContextVar[bool] = ContextVar("replica_allowed", default=False)


def replica_alias() -> str | None:
    """The alias catalog reads may use (``CATALOG_READ_DATABASE``), or None when routing is off."""
    alias: str | None = getattr(settings, "CATALOG_READ_DATABASE", None)
    return alias or None


@contextmanager
def replica_reads_allowed(allowed: bool = True) -> Iterator[None]:
    """The scope of one request: catalog reads inside it may use the replica when ``allowed``."""
    token = _replica_allowed.set(allowed)
    try:
        yield
    finally:
        _replica_allowed.reset(token)


def catalog_read_db() -> str:
    """The database alias a catalog read selector reads from now (see the module docstring)."""
    alias = replica_alias()
    if alias is None or not _replica_allowed.get():
        return DEFAULT_DB_ALIAS
    if connections[DEFAULT_DB_ALIAS].in_atomic_block:
        return DEFAULT_DB_ALIAS
    try:
        pinned = cache.get(PIN_KEY) is not None
    except Exception:  # noqa: BLE001 - cache down: cannot tell whether a write is recent
        return DEFAULT_DB_ALIAS
    return DEFAULT_DB_ALIAS if pinned else alias


def replica_pin() -> None:
    """Send catalog reads to the primary for ``DATABASE_REPLICA_PIN_SECONDS`` (call on commit of a
    catalog write, before the catalog cache version is bumped). A no-op without a replica."""
    seconds = int(getattr(settings, "DATABASE_REPLICA_PIN_SECONDS", 0))
    if replica_alias() is None or seconds <= 0:
        return
    try:
        cache.set(PIN_KEY, 1, timeout=seconds)
    except Exception:  # noqa: BLE001 - readers treat an unreadable cache as pinned anyway
        logger.warning("cache unavailable; replica pin not set")


class ReplicaRouter:
    """Writes always go to the primary; reads follow the alias a query names (the catalog read
    selectors name the replica through :func:`catalog_read_db`) or the instance they start
    from (a prefetch of a product read from the replica reads the replica too)."""

    def db_for_read(self, model: type[Any], **hints: Any) -> str | None:
        return None  # Django's default: the instance's database, else the primary

    def db_for_write(self, model: type[Any], **hints: Any) -> str:
        _replica_allowed.set(False)  # read-your-writes for the rest of this request
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1: Any, obj2: Any, **hints: Any) -> bool | None:
        same_data = {DEFAULT_DB_ALIAS, REPLICA_ALIAS}
        return True if {obj1._state.db, obj2._state.db} <= same_data else None

    def allow_migrate(self, db: str, app_label: str, **hints: Any) -> bool | None:
        # The replica gets its schema by replication; migrate runs against the primary only
        # (tests build a stand-in replica database, hence "no opinion" rather than False).
        return None


class ReplicaReadsMiddleware:
    """Opens the per-request scope of :func:`catalog_read_db`: safe methods may read the replica."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        with replica_reads_allowed(request.method in SAFE_METHODS):
            return self.get_response(request)
