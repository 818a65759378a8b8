"""Deploy checks of the shared web layer: secrets that must not reach production.

Registered with ``deploy=True`` (``AppConfig.ready``), so ``manage.py check --deploy`` and every
production start (``gunicorn.conf.py``, ``ecommerce.wsgi``; see ``ecommerce.common.startup``)
run them. Errors refuse the start; settings are read at check time, not at import time.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error, Tags, register

from ecommerce.settings.config import DEVELOPMENT_SECRET_KEY

MIN_KEY_LENGTH = 50  # the same thresholds as Django's security.W009
MIN_KEY_DISTINCT_CHARACTERS = 5
# Keys that are public: the development default, the one docker-compose.yml shipped before it
# read an uncommitted env file, the placeholders of .env.example and of the Dockerfile's build.
PUBLIC_KEYS = frozenset(
    {
        DEVELOPMENT_SECRET_KEY,
        "change-me-in-production-to-a-long-random-string-0123456789",
        "change-me-to-50-random-characters",
        "build-only",
    }
)
PUBLIC_KEY_MARKERS = ("django-insecure", "change-me", "changeme", "insecure-dev-key")
GENERATE_HINT = 'Generate one with: python -c "import secrets; print(secrets.token_urlsafe(64))"'


def key_weakness(key: Any) -> str | None:
    """Why ``key`` must not sign anything in production, or ``None`` when it is strong enough."""
    if not isinstance(key, str | bytes) or not key:
        return "it is empty"
    text = key.decode("latin-1") if isinstance(key, bytes) else key
    if text in PUBLIC_KEYS or any(marker in text.lower() for marker in PUBLIC_KEY_MARKERS):
        return "it is a published development or example key"
    if len(text) < MIN_KEY_LENGTH:
        return f"it is shorter than {MIN_KEY_LENGTH} characters"
    if len(set(text)) < MIN_KEY_DISTINCT_CHARACTERS:
        return f"it has fewer than {MIN_KEY_DISTINCT_CHARACTERS} distinct characters"
    return None


def _key_errors(name: str, keys: Sequence[Any], check_id: str) -> list[CheckMessage]:
    errors: list[CheckMessage] = []
    for key in keys:
        reason = key_weakness(key)
        if reason:
            errors.append(
                Error(f"{name} is unsafe for production: {reason}.", hint=GENERATE_HINT, id=check_id)
            )
    return errors


@register(Tags.security, deploy=True)
def check_secret_key(app_configs: object = None, **kwargs: object) -> list[CheckMessage]:
    """``SECRET_KEY`` (and ``SECRET_KEY_FALLBACKS``) must be long, random and not published."""
    keys = [getattr(settings, "SECRET_KEY", ""), *getattr(settings, "SECRET_KEY_FALLBACKS", [])]
    return _key_errors("SECRET_KEY", keys, "common.E001")


@register(Tags.security, deploy=True)
def check_jwt_signing_key(app_configs: object = None, **kwargs: object) -> list[CheckMessage]:
    """A separate ``JWT_SIGNING_KEY`` (HMAC key of the JWTs) obeys the same rules as ``SECRET_KEY``."""
    simple_jwt = getattr(settings, "SIMPLE_JWT", {}) or {}
    key = simple_jwt.get("SIGNING_KEY")
    algorithm = str(simple_jwt.get("ALGORITHM", "HS256"))
    if key is None or key == settings.SECRET_KEY or not algorithm.startswith("HS"):
        return []  # the same key as SECRET_KEY (checked above), or an asymmetric private key
    return _key_errors("JWT_SIGNING_KEY", [key], "common.E002")
