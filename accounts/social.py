"""OAuth2 / OpenID Connect through django-allauth's providers (Google, GitHub and a generic
OpenID Connect provider, configured from the environment in settings).

allauth's provider classes need the ``HttpRequest``, so this module is the thin layer between a
view and :func:`accounts.services.social_user_get_or_create`: it turns a provider token or an
authorization code into a :class:`ProviderIdentity`.
"""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import jwt
import requests
from allauth.socialaccount.adapter import get_adapter
from allauth.socialaccount.models import SocialApp, SocialLogin
from allauth.socialaccount.providers.oauth2.client import OAuth2Error
from django.conf import settings
from django.core import signing
from django.core.exceptions import ImproperlyConfigured
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import HttpRequest

from ecommerce.common.exceptions import InvalidRequest

from .exceptions import ProviderRefused, ProviderUnknown
from .services import ProviderIdentity

logger = logging.getLogger("accounts.social")

STATE_SALT = "accounts.social.state"
STATE_MAX_AGE = 600  # seconds between GET /providers and POST /social/{provider}
_PROVIDER_ERRORS = (
    OAuth2Error,
    requests.RequestException,
    DjangoValidationError,
    jwt.PyJWTError,
    KeyError,
    ValueError,
    NotImplementedError,
)


@dataclass(frozen=True)
class ProviderInfo:
    id: str
    name: str
    authorize_url: str


def _provider(request: HttpRequest, provider_id: str) -> Any:
    try:
        return get_adapter(request).get_provider(request, provider_id)
    except (SocialApp.DoesNotExist, ImproperlyConfigured, LookupError) as exc:
        raise ProviderUnknown() from exc


def redirect_uris_allowed(provider_id: str) -> list[str]:
    """The ``redirect_uri`` values a client may send for ``provider_id``."""
    return [uri.replace("{provider}", provider_id) for uri in settings.SOCIAL_LOGIN_REDIRECT_URIS]


def state_make(*, provider_id: str, redirect_uri: str) -> str:
    """A signed, short-lived ``state`` bound to the provider and the redirect URI."""
    return signing.dumps(
        {"p": provider_id, "r": redirect_uri, "n": secrets.token_urlsafe(8)}, salt=STATE_SALT
    )


def state_check(*, state: str, provider_id: str, redirect_uri: str) -> None:
    """Raise :class:`InvalidRequest` unless ``state`` came from us for this provider and URI."""
    try:
        data = signing.loads(state, salt=STATE_SALT, max_age=STATE_MAX_AGE)
    except signing.BadSignature as exc:
        raise InvalidRequest(
            "The state is invalid or expired.", details={"state": "Invalid or expired."}
        ) from exc
    if data.get("p") != provider_id or data.get("r") != redirect_uri:
        raise InvalidRequest(
            "The state does not match this provider and redirect URI.",
            details={"state": "Does not match this provider and redirect_uri."},
        )


def provider_list(request: HttpRequest) -> list[ProviderInfo]:
    """Configured providers with a ready authorize URL (providers that cannot be reached are
    left out and logged)."""
    infos = []
    for app in get_adapter(request).list_apps(request):
        provider = app.get_provider(request)
        provider_id = provider.sub_id
        redirect_uris = redirect_uris_allowed(provider_id)
        try:
            endpoint = provider.get_oauth2_adapter(request).authorize_url
        except _PROVIDER_ERRORS:
            logger.warning("provider unreachable", extra={"provider": provider_id})
            continue
        params = {
            "client_id": app.client_id,
            "redirect_uri": redirect_uris[0],
            "response_type": "code",
            "scope": " ".join(provider.get_scope()),
            "state": state_make(provider_id=provider_id, redirect_uri=redirect_uris[0]),
        }
        infos.append(
            ProviderInfo(id=provider_id, name=provider.name, authorize_url=f"{endpoint}?{urlencode(params)}")
        )
    return infos


def _identity(login: SocialLogin) -> ProviderIdentity:
    addresses = sorted(login.email_addresses, key=lambda a: (not a.verified, not a.primary))
    chosen = addresses[0] if addresses else None
    user = login.user
    return ProviderIdentity(
        provider=login.account.provider,
        uid=login.account.uid,
        email=chosen.email if chosen else None,
        email_verified=bool(chosen and chosen.verified),
        first_name=(getattr(user, "first_name", "") or "") if user else "",
        last_name=(getattr(user, "last_name", "") or "") if user else "",
        extra_data=login.account.extra_data or {},
    )


def provider_identity_fetch(
    request: HttpRequest,
    *,
    provider_id: str,
    access_token: str | None = None,
    id_token: str | None = None,
    code: str | None = None,
    redirect_uri: str | None = None,
    state: str | None = None,
) -> ProviderIdentity:
    """Ask the provider who holds ``access_token`` / ``id_token``, or exchange ``code``.

    Raises :class:`ProviderUnknown` (404), :class:`InvalidRequest` (redirect URI not allowed,
    state mismatch) or :class:`ProviderRefused` (the provider said no or was unreachable).
    """
    provider = _provider(request, provider_id)
    app = provider.app
    if code is not None:
        if redirect_uri not in redirect_uris_allowed(provider_id):
            raise InvalidRequest(
                "This redirect_uri is not allowed.", details={"redirect_uri": "Not an allowed redirect URI."}
            )
        if state is not None:
            state_check(state=state, provider_id=provider_id, redirect_uri=redirect_uri)
    try:
        if id_token is not None:
            login = provider.verify_token(request, {"id_token": id_token})
        else:
            adapter = provider.get_oauth2_adapter(request)
            if code is not None:
                client = adapter.client_class(
                    request,
                    app.client_id,
                    app.secret,
                    adapter.access_token_method,
                    adapter.access_token_url,
                    redirect_uri,
                    scope_delimiter=adapter.scope_delimiter,
                    headers=adapter.headers,
                    basic_auth=adapter.basic_auth,
                )
                response = client.get_access_token(code)
                # did_fetch_access_token stays False: the id_token's signature is checked too.
            else:
                response = {"access_token": access_token}
            token = adapter.parse_token(response)
            token.app = app
            login = adapter.complete_login(request, app, token, response=response)
    except _PROVIDER_ERRORS as exc:
        logger.info(
            "provider refused credentials", extra={"provider": provider_id, "error": type(exc).__name__}
        )
        field_name = "code" if code is not None else ("id_token" if id_token is not None else "access_token")
        raise ProviderRefused(details={field_name: "The provider did not accept it."}) from exc
    return _identity(login)
