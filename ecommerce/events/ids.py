"""Event ids: ``evt_`` + a 26-character ULID (Crockford base32: 48-bit millisecond time, 80
random bits), so ids sort by creation time. They are the Standard Webhooks ``webhook-id``."""

from __future__ import annotations

import secrets
import time

_CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def ulid() -> str:
    """A new 26-character ULID."""
    value = (int(time.time() * 1000) << 80) | secrets.randbits(80)
    chars = []
    for _ in range(26):
        chars.append(_CROCKFORD[value & 31])
        value >>= 5
    return "".join(reversed(chars))


def event_id_new() -> str:
    """``evt_<ULID>`` (30 characters)."""
    return f"evt_{ulid()}"
