"""Brute-force and abuse limits of the accounts endpoints, counted in the rate-limit store
(``ecommerce.common.ratelimit``), so they hold across processes.

All of them **fail closed**: when the store is down the request is refused with 429 rather
than let through unthrottled (docs/rate-limits.md). Addresses never appear in cache keys, only
a digest of them.
"""

from __future__ import annotations

import hashlib

from django.conf import settings

from ecommerce.common.exceptions import RateLimited
from ecommerce.common.ratelimit import rate_limit_enforce, rate_limit_hit, rate_limit_reset

from .models import User


def _account_key(email: str) -> str:
    # Cache keys never hold the address itself.
    return hashlib.sha256(email.strip().lower().encode()).hexdigest()[:32]


def _hit(scope: str, key: str, limit: tuple[int, int]) -> int:
    """Count one attempt (failing closed); returns 0 when allowed, else the seconds to wait."""
    attempts, window = limit
    result = rate_limit_hit(scope=scope, key=key, limit=attempts, window_seconds=window, fail_closed=True)
    return 0 if result.allowed else result.retry_after


def throttle_login(*, ip: str, email: str) -> None:
    """Raise :class:`RateLimited` when this IP, this account from this IP, or this account
    from anywhere has tried too often.

    The per-account count (a much higher bound) only moves when the attempt passed the two
    others: a stranger hammering from one address is stopped by those and cannot use up the
    owner's budget on every other address.
    """
    account = _account_key(email)
    message = "Too many sign-in attempts. Try again later."
    waits = [
        _hit("login-ip", ip, settings.ACCOUNTS_LOGIN_LIMIT_PER_IP),
        _hit("login-account-ip", f"{account}:{ip}", settings.ACCOUNTS_LOGIN_LIMIT_PER_ACCOUNT_IP),
    ]
    if any(waits):
        raise RateLimited(max(waits), message)
    wait = _hit("login-account", account, settings.ACCOUNTS_LOGIN_LIMIT_PER_ACCOUNT)
    if wait:
        raise RateLimited(wait, message)


def throttle_login_succeeded(*, email: str, ip: str) -> None:
    """A successful sign-in clears the account's failure counts (from this IP and overall);
    the per-IP count keeps running."""
    account = _account_key(email)
    rate_limit_reset(
        scope="login-account-ip",
        key=f"{account}:{ip}",
        window_seconds=settings.ACCOUNTS_LOGIN_LIMIT_PER_ACCOUNT_IP[1],
    )
    rate_limit_reset(
        scope="login-account", key=account, window_seconds=settings.ACCOUNTS_LOGIN_LIMIT_PER_ACCOUNT[1]
    )


def throttle_password_reset(*, ip: str, email: str) -> None:
    """Raise :class:`RateLimited` when this IP or this address asked for too many resets."""
    rate_limit_enforce(
        [
            ("reset-ip", ip, settings.ACCOUNTS_RESET_LIMIT_PER_IP),
            ("reset-account", _account_key(email), settings.ACCOUNTS_RESET_LIMIT_PER_ACCOUNT),
        ],
        message="Too many password reset requests. Try again later.",
        fail_closed=True,
    )


def throttle_verification_resend(*, ip: str, email: str) -> None:
    """Same limits as password reset, counted separately."""
    rate_limit_enforce(
        [
            ("resend-ip", ip, settings.ACCOUNTS_RESET_LIMIT_PER_IP),
            ("resend-account", _account_key(email), settings.ACCOUNTS_RESET_LIMIT_PER_ACCOUNT),
        ],
        message="Too many verification emails requested. Try again later.",
        fail_closed=True,
    )


def throttle_register(*, ip: str, email: str) -> None:
    """Registrations per IP and per address (each one sends a verification email)."""
    rate_limit_enforce(
        [
            ("register-ip", ip, settings.REGISTER_LIMIT_PER_IP),
            ("register-email", _account_key(email), settings.REGISTER_LIMIT_PER_EMAIL),
        ],
        message="Too many registrations. Try again later.",
        fail_closed=True,
    )


def throttle_email_change(*, ip: str, user: User) -> None:
    """Email changes per user and per IP (each one sends a verification email to the new address)."""
    rate_limit_enforce(
        [
            ("email-change-user", user.public_id, settings.EMAIL_CHANGE_LIMIT_PER_USER),
            ("email-change-ip", ip, settings.EMAIL_CHANGE_LIMIT_PER_IP),
        ],
        message="Too many email changes. Try again later.",
        fail_closed=True,
    )


def throttle_reauthentication(*, user: User) -> None:
    """Password checks of a signed-in user (password change, account deletion), counted
    together: both guess the same password with a stolen access token."""
    rate_limit_enforce(
        [("reauth-user", user.public_id, settings.REAUTH_LIMIT_PER_USER)],
        message="Too many password attempts. Try again later.",
        fail_closed=True,
    )
