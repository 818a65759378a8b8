"""JWT pairs (djangorestframework-simplejwt): short-lived access tokens, single-use rotating
refresh tokens, blacklisting on logout and on password change/reset.

Tokens name the user by public id (``sub`` = ``usr_…``) and carry the ``role``; the raw primary
key never appears in them.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from rest_framework_simplejwt.exceptions import TokenError
from rest_framework_simplejwt.settings import api_settings
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken, OutstandingToken
from rest_framework_simplejwt.tokens import RefreshToken
from rest_framework_simplejwt.utils import get_md5_hash_password

from .exceptions import TokenInvalid
from .models import User


@dataclass(frozen=True)
class TokenPair:
    access: str
    refresh: str


def token_pair_for_user(*, user: User) -> TokenPair:
    """A fresh access/refresh pair for ``user`` (the refresh token is recorded as outstanding)."""
    refresh = RefreshToken.for_user(user)
    refresh["role"] = user.role
    return TokenPair(access=str(refresh.access_token), refresh=str(refresh))


def _parse_refresh(raw: str) -> RefreshToken:
    try:
        return RefreshToken(raw)  # type: ignore[arg-type]  # simplejwt annotates the encoded token as Token; signature, expiry, type and blacklist are checked here
    except TokenError as exc:
        raise TokenInvalid() from exc


def _bound_to(token: RefreshToken, user: User) -> bool:
    """True when ``token`` still belongs to ``user``: it carries the same password-hash claim
    that access tokens are checked against (``CHECK_REVOKE_TOKEN``), so a token signed for
    another account, or from before a password change, does not match."""
    claim = token.payload.get(api_settings.REVOKE_TOKEN_CLAIM)
    expected = get_md5_hash_password(user.password)
    return isinstance(claim, str) and hmac.compare_digest(claim, expected)


def _blacklist_once(token: RefreshToken, user: User | None = None) -> None:
    """Blacklist ``token``; refuse when it was already used (two refreshes with one token), or
    when it was issued to someone other than ``user``."""
    jti = token.payload.get("jti")
    try:
        with transaction.atomic():
            outstanding = OutstandingToken.objects.filter(jti=jti).first()
            if outstanding is None or (user is not None and outstanding.user_id != user.pk):
                raise TokenInvalid()
            _, created = BlacklistedToken.objects.get_or_create(token=outstanding)
    except IntegrityError as exc:
        raise TokenInvalid() from exc
    if not created:
        raise TokenInvalid()


def token_refresh(*, refresh: str) -> TokenPair:
    """Rotate: the given refresh token stops working and a new pair is returned.

    Raises :class:`TokenInvalid` for a forged, expired, blacklisted or already-used token, or
    when its user is gone or inactive or no longer matches it (password changed, or a token
    re-signed for another account), exactly as access tokens are refused.
    """
    token = _parse_refresh(refresh)
    user = User.objects.filter(public_id=token.payload.get("sub"), is_active=True).first()
    if user is None or not _bound_to(token, user):
        raise TokenInvalid()
    _blacklist_once(token, user)
    return token_pair_for_user(user=user)


def token_revoke(*, refresh: str, user: User | None = None) -> None:
    """Logout: blacklist ``refresh`` (which must belong to ``user`` when given)."""
    token = _parse_refresh(refresh)
    if user is not None and token.payload.get("sub") != user.public_id:
        raise TokenInvalid()
    _blacklist_once(token, user)


def tokens_revoke_all(*, user: User) -> int:
    """Blacklist every outstanding refresh token of ``user``; returns how many were revoked."""
    pending = OutstandingToken.objects.filter(user=user, blacklistedtoken__isnull=True)
    revoked = [BlacklistedToken(token=token) for token in pending]
    BlacklistedToken.objects.bulk_create(revoked, ignore_conflicts=True)
    return len(revoked)
