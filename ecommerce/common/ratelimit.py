"""A fixed-window rate limiter on an atomic counter in the shared cache.

``cache.add`` creates the window's counter, ``cache.incr`` bumps it atomically (Redis INCR in
production), so concurrent requests in several processes are all counted.

Store down: **fail open**. A Redis outage must not take the shop down with it, so the request
is allowed and a warning is logged (``ecommerce.ratelimit``).
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass

from django.core.cache import cache

logger = logging.getLogger("ecommerce.ratelimit")


@dataclass(frozen=True)
class RateLimitResult:
    allowed: bool
    count: int
    limit: int
    retry_after: int  # seconds until the window resets (0 when allowed)


def rate_limit_hit(*, scope: str, key: str, limit: int, window_seconds: int) -> RateLimitResult:
    """Count one request for ``key`` in ``scope``; ``allowed`` is False past ``limit``."""
    now = int(time.time())
    window_start = now - now % window_seconds
    cache_key = f"rl:{scope}:{key}:{window_start}"
    retry_after = max(1, window_start + window_seconds - now)
    try:
        if cache.add(cache_key, 1, timeout=window_seconds + 5):
            count = 1
        else:
            try:
                count = cache.incr(cache_key)
            except ValueError:  # expired between add and incr
                cache.add(cache_key, 1, timeout=window_seconds + 5)
                count = 1
    except Exception:  # noqa: BLE001 - store down: fail open, loudly
        logger.warning("rate limit store unavailable; allowing request", extra={"scope": scope})
        return RateLimitResult(True, 0, limit, 0)
    allowed = count <= limit
    return RateLimitResult(allowed, count, limit, 0 if allowed else retry_after)


def rate_limit_reset(*, scope: str, key: str, window_seconds: int) -> None:
    """Forget the current window's count (e.g. after a successful login)."""
    now = int(time.time())
    try:
        cache.delete(f"rl:{scope}:{key}:{now - now % window_seconds}")
    except Exception:  # noqa: BLE001
        logger.warning("rate limit store unavailable; count not reset", extra={"scope": scope})
