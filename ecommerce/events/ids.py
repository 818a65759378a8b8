"""Event ids: ``evt_`` + a 26-character ULID (Crockford base32: 48-bit millisecond time, 80
random bits), so ids sort by creation time. They are the Standard Webhooks ``webhook-id``.

Monotonic within a process (the ULID spec's mode): ids made in the same millisecond increment
the random part, so events written together (one ``INSERT``) sort in the order they were made.
"""

from __future__ import annotations

import secrets
import threading
import time

_CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_lock = threading.Lock()
_last = [0, 0]  # millisecond, random part


def ulid() -> str:
    """A new 26-character ULID."""
    with _lock:
        now = int(time.time() * 1000)
        if now <= _last[0] and _last[1] < (1 << 80) - 1:
            now, random_part = _last[0], _last[1] + 1
        else:
            random_part = secrets.randbits(79)  # room to increment within the millisecond
        _last[0], _last[1] = now, random_part
    value = (now << 80) | random_part
    chars = []
    for _ in range(26):
        chars.append(_CROCKFORD[value & 31])
        value >>= 5
    return "".join(reversed(chars))


def event_id_new() -> str:
    """``evt_<ULID>`` (30 characters)."""
    return f"evt_{ulid()}"
