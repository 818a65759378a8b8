"""API keys of store managers (inventory access mode ``api_key``): issue, revoke, note use.

A key reads ``mk_live_3f9c0a1b2d4e_<43 url-safe characters>``:

* ``mk_live_3f9c0a1b2d4e`` is the **prefix**: ``mk_live_`` says what the string is (so secret
  scanners and people recognise it), the 12 hex characters are a random public id. It is stored
  in clear, shown in the admin and the audit log, and names the key for ``revoke``.
* the rest is ``secrets.token_urlsafe(32)``: 256 random bits.

Only ``sha256(key)`` is stored. A fast hash is enough here, unlike for passwords: a slow,
salted hash (Argon2, PBKDF2) exists to make guessing *low-entropy* secrets expensive, but
nobody can enumerate 2**256 candidates, so a stolen table of SHA-256 digests yields no key, and
a key is checked in microseconds on every request instead of the ~50 ms a password hash costs.
The plain key exists only in the return value of :func:`manager_api_key_create`.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from accounts.ids import is_external_id
from accounts.models import StoreManager
from ecommerce.common.exceptions import InvalidRequest, NotFound

from .models import ManagerApiKey

KEY_PREFIX = "mk_live_"
PUBLIC_ID_HEX_CHARS = 12
SECRET_BYTES = 32
# The whole key: prefix, "_", the url-safe secret. Anything else is refused without a query.
KEY_PATTERN = re.compile(
    rf"\A(?P<prefix>{KEY_PREFIX}[0-9a-f]{{{PUBLIC_ID_HEX_CHARS}}})_[A-Za-z0-9_-]{{20,128}}\Z"
)
PREFIX_PATTERN = re.compile(rf"\A{KEY_PREFIX}[0-9a-f]{{{PUBLIC_ID_HEX_CHARS}}}\Z")
LAST_USED_PRECISION = timedelta(minutes=1)


@dataclass(frozen=True)
class IssuedApiKey:
    """A freshly issued key: ``plain_key`` is shown once and never stored."""

    api_key: ManagerApiKey
    plain_key: str


def api_key_hash(key: str) -> str:
    """The stored form of a key: its SHA-256, hex."""
    return hashlib.sha256(key.encode()).hexdigest()


def api_key_prefix(key: str) -> str | None:
    """The prefix of a well-formed key, else ``None`` (not a key of ours)."""
    match = KEY_PATTERN.fullmatch(key)
    return match["prefix"] if match else None


def api_key_matches(api_key: ManagerApiKey, key: str) -> bool:
    """Whether ``key`` is the key stored as ``api_key`` (constant-time comparison)."""
    return hmac.compare_digest(api_key.key_hash, api_key_hash(key))


def manager_api_key_create(*, manager_external_id: str, name: str = "") -> IssuedApiKey:
    """Issue a new key for the manager ``manager_external_id``, creating the manager if new.

    Raises ``InvalidRequest`` for a malformed manager id. Returns the stored row and the plain
    key, which is not kept anywhere: show it to the operator once.
    """
    if not is_external_id(manager_external_id):
        raise InvalidRequest(details={"manager_id": "Must be 1–64 characters of A-Za-z0-9_-."})
    with transaction.atomic():
        manager, _ = StoreManager.objects.get_or_create(external_id=manager_external_id)
        prefix = KEY_PREFIX + secrets.token_hex(PUBLIC_ID_HEX_CHARS // 2)
        plain_key = f"{prefix}_{secrets.token_urlsafe(SECRET_BYTES)}"
        api_key = ManagerApiKey.objects.create(
            manager=manager, name=name[:100], prefix=prefix, key_hash=api_key_hash(plain_key)
        )
    return IssuedApiKey(api_key=api_key, plain_key=plain_key)


def manager_api_key_revoke(*, prefix: str) -> ManagerApiKey:
    """Revoke the key named by ``prefix`` (``mk_live_…``; a whole key is accepted too).

    Effective for the next request (keys are not cached). Revoking a revoked key changes
    nothing. Raises ``NotFound`` for an unknown prefix.
    """
    prefix = api_key_prefix(prefix) or prefix
    if not PREFIX_PATTERN.fullmatch(prefix):
        raise NotFound(f"No API key with prefix {prefix!r}.")
    ManagerApiKey.objects.filter(prefix=prefix, revoked_at__isnull=True).update(
        revoked_at=timezone.now(), updated_at=timezone.now()
    )
    api_key = ManagerApiKey.objects.select_related("manager").filter(prefix=prefix).first()
    if api_key is None:
        raise NotFound(f"No API key with prefix {prefix!r}.")
    return api_key


def manager_api_key_touch(*, api_key: ManagerApiKey) -> None:
    """Record that ``api_key`` was used now: one UPDATE at most once a minute per key."""
    now = timezone.now()
    if api_key.last_used_at is not None and now - api_key.last_used_at < LAST_USED_PRECISION:
        return
    ManagerApiKey.objects.filter(pk=api_key.pk).filter(
        Q(last_used_at__isnull=True) | Q(last_used_at__lt=now - LAST_USED_PRECISION)
    ).update(last_used_at=now)
    api_key.last_used_at = now
