"""Brute-force limits for login and password reset, per client IP and per account, counted
in the shared cache (``ecommerce.common.ratelimit``), so they hold across processes."""

from __future__ import annotations

import hashlib

from django.conf import settings

from ecommerce.common.exceptions import RateLimited
from ecommerce.common.ratelimit import rate_limit_hit, rate_limit_reset


def _account_key(email: str) -> str:
    # Cache keys never hold the address itself.
    return hashlib.sha256(email.strip().lower().encode()).hexdigest()[:32]


def _hit(scope: str, key: str, limit: tuple[int, int]) -> int:
    """Count one attempt; returns 0 when allowed, else the seconds to wait."""
    attempts, window = limit
    result = rate_limit_hit(scope=scope, key=key, limit=attempts, window_seconds=window)
    return 0 if result.allowed else result.retry_after


def throttle_login(*, ip: str, email: str) -> None:
    """Raise :class:`RateLimited` when this IP or this account has tried too often."""
    waits = [
        _hit("login-ip", ip, settings.ACCOUNTS_LOGIN_LIMIT_PER_IP),
        _hit("login-account", _account_key(email), settings.ACCOUNTS_LOGIN_LIMIT_PER_ACCOUNT),
    ]
    if any(waits):
        raise RateLimited(max(waits), "Too many sign-in attempts. Try again later.")


def throttle_login_succeeded(*, email: str) -> None:
    """A successful sign-in clears the account's failure count."""
    rate_limit_reset(
        scope="login-account",
        key=_account_key(email),
        window_seconds=settings.ACCOUNTS_LOGIN_LIMIT_PER_ACCOUNT[1],
    )


def throttle_password_reset(*, ip: str, email: str) -> None:
    """Raise :class:`RateLimited` when this IP or this address asked for too many resets."""
    waits = [
        _hit("reset-ip", ip, settings.ACCOUNTS_RESET_LIMIT_PER_IP),
        _hit("reset-account", _account_key(email), settings.ACCOUNTS_RESET_LIMIT_PER_ACCOUNT),
    ]
    if any(waits):
        raise RateLimited(max(waits), "Too many password reset requests. Try again later.")


def throttle_verification_resend(*, ip: str, email: str) -> None:
    """Same limits as password reset, counted separately."""
    waits = [
        _hit("resend-ip", ip, settings.ACCOUNTS_RESET_LIMIT_PER_IP),
        _hit("resend-account", _account_key(email), settings.ACCOUNTS_RESET_LIMIT_PER_ACCOUNT),
    ]
    if any(waits):
        raise RateLimited(max(waits), "Too many verification emails requested. Try again later.")
