"""Guest-cart tokens: ``ct_`` + 43 URL-safe characters (256 random bits), shown once when the cart
is made. Only the SHA-256 of a token is stored (``Cart.token_hash``, a unique index), so the table
holds nothing that opens a cart; a token is checked by looking its hash up in that index (a
lookup by a digest leaks nothing about the stored tokens through timing)."""

from __future__ import annotations

import hashlib
import secrets

TOKEN_PREFIX = "ct_"  # noqa: S105 - a header name / prefix, not a secret
# Longer than any token we issue (46 characters): a longer value is refused without a lookup.
TOKEN_MAX_LENGTH = 128


def cart_token_new() -> tuple[str, str]:
    """A new token and its hash: ``(token, token_hash)``."""
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    return token, cart_token_hash(token)


def cart_token_hash(token: str) -> str:
    """The hex SHA-256 of ``token``: what ``Cart.token_hash`` stores."""
    return hashlib.sha256(token.encode()).hexdigest()


def cart_token_well_formed(token: object) -> bool:
    """True when ``token`` could be one of ours (worth a lookup)."""
    return (
        isinstance(token, str)
        and token.startswith(TOKEN_PREFIX)
        and len(token) <= TOKEN_MAX_LENGTH
        and token.isascii()
    )
