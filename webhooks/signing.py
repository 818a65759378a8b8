"""Standard Webhooks signing (https://www.standardwebhooks.com/): per-endpoint ``whsec_`` secrets
and the three headers of every delivery, made with the ``standardwebhooks`` package."""

from __future__ import annotations

import base64
import secrets
from datetime import UTC, datetime

from standardwebhooks import Webhook

SECRET_PREFIX = "whsec_"  # noqa: S105 - the format's prefix, not a secret
SECRET_BYTES = 32  # a 256-bit HMAC-SHA256 key


def secret_generate() -> str:
    """A new endpoint secret: ``whsec_`` + the base64 of 32 random bytes."""
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(SECRET_BYTES)).decode()


def signed_headers(*, secret: str, msg_id: str, timestamp: datetime, body: str) -> dict[str, str]:
    """``webhook-id``, ``webhook-timestamp`` (Unix seconds) and ``webhook-signature``
    (``v1,<base64 HMAC-SHA256 of id.timestamp.body>``) for one attempt."""
    moment = timestamp.astimezone(UTC)
    signature = Webhook(secret).sign(msg_id=msg_id, timestamp=moment, data=body)
    return {
        "webhook-id": msg_id,
        "webhook-timestamp": str(int(moment.timestamp())),
        "webhook-signature": signature,
    }
