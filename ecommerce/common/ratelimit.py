"""A fixed-window rate limiter on an atomic counter in a shared cache.

``cache.add`` creates the window's counter, ``cache.incr`` bumps it atomically (Redis INCR in
production), so concurrent requests in several processes are all counted.

The counters live in the ``ratelimit`` cache alias (``RATELIMIT_CACHE_URL``: a Redis of its
own, without eviction) when it is configured, else in ``default``. A cache shared with the
catalog can evict counters under a flood of junk entries; a store of their own cannot.

Store down: the caller chooses. **Fail open** (the default) allows the request and logs a
warning (``ecommerce.ratelimit``): a Redis outage must not take the shop down with it.
**Fail closed** (``fail_closed=True``, the sign-in, registration and re-authentication limits)
refuses it: an outage must not switch brute-force protection off. See docs/rate-limits.md.

Every result of a request is remembered (see :func:`rate_limit_collect`), so one place (the
request middleware) can send the ``RateLimit-Limit/Remaining/Reset`` headers of the tightest
limit the request met.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable
from contextvars import ContextVar
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import BaseCache, caches

from .exceptions import RateLimited

logger = logging.getLogger("ecommerce.ratelimit")

CACHE_ALIAS = "ratelimit"
# Retry-After of a request refused because the store of a fail-closed limit is down.
STORE_DOWN_RETRY_AFTER = 30


@dataclass(frozen=True)
class RateLimitResult:
    allowed: bool
    count: int
    limit: int
    retry_after: int  # seconds until the window resets (0 when allowed)
    reset: int = 0  # seconds until the window resets (0 when the store was down)
    store_down: bool = False


_collected: ContextVar[list[RateLimitResult] | None] = ContextVar("rate_limit_results", default=None)


def rate_limit_store() -> BaseCache:
    """The cache that holds the counters: the ``ratelimit`` alias, else ``default``."""
    return caches[CACHE_ALIAS if CACHE_ALIAS in settings.CACHES else "default"]


def rate_limit_hit(
    *, scope: str, key: str, limit: int, window_seconds: int, fail_closed: bool = False
) -> RateLimitResult:
    """Count one request for ``key`` in ``scope``; ``allowed`` is False past ``limit``.

    ``fail_closed``: when the store is unreachable, refuse (``allowed=False``, ``store_down``)
    instead of allowing; either way a warning is logged.
    """
    now = int(time.time())
    window_start = now - now % window_seconds
    cache_key = f"rl:{scope}:{key}:{window_start}"
    reset = max(1, window_start + window_seconds - now)
    store = rate_limit_store()
    try:
        if store.add(cache_key, 1, timeout=window_seconds + 5):
            count = 1
        else:
            try:
                count = store.incr(cache_key)
            except ValueError:  # expired between add and incr
                store.add(cache_key, 1, timeout=window_seconds + 5)
                count = 1
    except Exception:  # noqa: BLE001 - store down: the caller's choice, loudly
        if fail_closed:
            logger.warning("rate limit store unavailable; refusing request", extra={"scope": scope})
            return RateLimitResult(False, 0, limit, STORE_DOWN_RETRY_AFTER, 0, store_down=True)
        logger.warning("rate limit store unavailable; allowing request", extra={"scope": scope})
        return RateLimitResult(True, 0, limit, 0, 0, store_down=True)
    allowed = count <= limit
    result = RateLimitResult(allowed, count, limit, 0 if allowed else reset, reset)
    collected = _collected.get()
    if collected is not None:
        collected.append(result)
    return result


def rate_limit_reset(*, scope: str, key: str, window_seconds: int) -> None:
    """Forget the current window's count (e.g. after a successful login)."""
    now = int(time.time())
    try:
        rate_limit_store().delete(f"rl:{scope}:{key}:{now - now % window_seconds}")
    except Exception:  # noqa: BLE001
        logger.warning("rate limit store unavailable; count not reset", extra={"scope": scope})


def rate_limit_enforce(
    checks: Iterable[tuple[str, str, tuple[int, int]]], *, message: str, fail_closed: bool = False
) -> None:
    """Count one request against each ``(scope, key, (limit, window_seconds))``.

    Every check is counted (so a refused request still uses up each budget), then
    :class:`RateLimited` is raised with the longest wait when any of them refused.
    """
    waits = []
    for scope, key, (limit, window) in checks:
        result = rate_limit_hit(
            scope=scope, key=key, limit=limit, window_seconds=window, fail_closed=fail_closed
        )
        if not result.allowed:
            waits.append(result.retry_after)
    if waits:
        raise RateLimited(max(waits), message)


# --- RateLimit-* response headers -------------------------------------------------------------


def rate_limit_collect() -> object:
    """Start remembering this request's results; returns a token for :func:`rate_limit_collect_end`."""
    return _collected.set([])


def rate_limit_collect_end(token: object) -> None:
    """Stop remembering (call in a ``finally``)."""
    _collected.reset(token)  # type: ignore[arg-type]  # the Token from rate_limit_collect(), typed object for callers


def rate_limit_headers() -> dict[str, str]:
    """The ``RateLimit-*`` headers of the limit this request met with the fewest requests
    left; none when no limit was counted."""
    results = _collected.get() or []
    if not results:
        return {}
    tightest = min(results, key=lambda r: (r.limit - r.count, -r.reset))
    return {
        "RateLimit-Limit": str(tightest.limit),
        "RateLimit-Remaining": str(max(0, tightest.limit - tightest.count)),
        "RateLimit-Reset": str(tightest.reset),
    }
