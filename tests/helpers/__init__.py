"""Assertions and subprocess environments shared by the test modules."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
# The password of the users the shared fixtures make (tests/conftest.py).
PASSWORD = "correct-horse-battery-9"  # noqa: S105 - a test password


def assert_envelope(response: Any, status: int | tuple[int, ...], code: str | None = None) -> dict[str, Any]:
    """Assert ``response`` is the contract's error envelope with ``status`` (one or several
    allowed) and, when given, ``code``; return the ``error`` object."""
    statuses = (status,) if isinstance(status, int) else status
    assert response.status_code in statuses, response.content
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"error"}
    error = body["error"]
    assert set(error) == {"code", "message", "details"}
    assert isinstance(error["message"], str) and error["message"]
    assert isinstance(error["details"], dict)
    if code is not None:
        assert error["code"] == code
    return error


# Variables the production environment below decides; the caller's own values are dropped.
_PRODUCTION_DECIDES = ("SECRET_KEY", "JWT_SIGNING_KEY", "INVENTORY_", "PAYMENT_", "DEBUG", "READ_DOT_ENV")


def production_environ(database_dir: Path | None = None, **overrides: str | None) -> dict[str, str]:
    """A complete, safe environment for a subprocess under ``ecommerce.settings.production``:
    every deploy check passes with it. ``overrides`` change single variables (``None`` removes
    one); ``database_dir`` puts a SQLite database there (else ``DATABASE_URL`` is inherited).

    When a new deploy check lands, add its safe setting here (never an acknowledgement of an
    unsafe mode). The inventory API needs nothing: production defaults to ``api_key``."""
    environ = {k: v for k, v in os.environ.items() if not k.startswith(_PRODUCTION_DECIDES)}
    environ.update(
        DJANGO_SETTINGS_MODULE="ecommerce.settings.production",
        READ_DOT_ENV="0",
        DEBUG="0",
        SECRET_KEY=secrets.token_urlsafe(64),
        JWT_SIGNING_KEY=secrets.token_urlsafe(64),
        ALLOWED_HOSTS="127.0.0.1,shop.example.com",
        CSRF_TRUSTED_ORIGINS="https://shop.example.com",
        BEHIND_TLS_PROXY="1",
        CACHE_URL=os.environ.get("CACHE_URL") or "locmemcache://",
        EMAIL_URL="smtp+tls://shop:mail-password@127.0.0.1:2525",
        PAYMENT_GATEWAY="orders.payments_http.HttpPaymentGateway",
        PAYMENT_GATEWAY_URL="https://psp.example.com",
        PAYMENT_GATEWAY_API_KEY=secrets.token_urlsafe(32),
        LOG_LEVEL="WARNING",
    )
    if database_dir is not None:
        environ["DATABASE_URL"] = f"sqlite:///{database_dir / 'production.sqlite3'}"
    for name, value in overrides.items():
        if value is None:
            environ.pop(name, None)
        else:
            environ[name] = value
    return environ


def manage_py(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """Run ``manage.py`` with ``args`` in a subprocess with ``env``; never raises on failure."""
    return subprocess.run(  # noqa: S603 - fixed arguments
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, check=False
    )
