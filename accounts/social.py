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

from .exceptions import ProviderRefused, ProviderTokenRejected, ProviderUnknown
from .services import ProviderIdentity

logger = logging.getLogger("accounts.social")

GOOGLE_TOKENINFO_URL = "https://oauth2.googleapis.com/tokeninfo"
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


# --- Is this access token ours? ----------------------------------------------------------------
# A provider access token proves only that *some* OAuth app was allowed to read the profile:
# any site offering "sign in with GitHub" could replay the tokens its users give it. So the
# provider is asked, authenticated with our client secret where it can be, whether the token
# was issued to our client id. The token travels in a POST body, never in a URL (URLs end up
# in logs).


def _reject(reason: str) -> ProviderTokenRejected:
    return ProviderTokenRejected(details={"access_token": reason})


NOT_OURS = "Not issued to this shop's OAuth app."
INVALID = "Invalid or expired."


def _google_token_owner(app: SocialApp, access_token: str) -> str | None:
    """Google's token info: the token's ``aud`` must be our client id. Returns ``sub``."""
    url = settings.SOCIALACCOUNT_PROVIDERS.get("google", {}).get("TOKENINFO_URL", GOOGLE_TOKENINFO_URL)
    with get_adapter().get_requests_session() as session:
        response = session.post(url, data={"access_token": access_token})
    if response.status_code in (400, 401):
        raise _reject(INVALID)
    response.raise_for_status()
    info = response.json()
    if info.get("aud") != app.client_id:
        raise _reject(NOT_OURS)
    return str(info["sub"]) if info.get("sub") else None


def _github_token_owner(adapter: Any, app: SocialApp, access_token: str) -> str | None:
    """GitHub's ``POST /applications/{client_id}/token`` (basic auth with our client id and
    secret) answers 404 for a token of any other app. Returns the user's id."""
    url = f"{adapter.api_url}/applications/{app.client_id}/token"
    with get_adapter().get_requests_session() as session:
        response = session.post(
            url,
            json={"access_token": access_token},
            auth=(app.client_id, app.secret),
            headers={"Accept": "application/vnd.github+json", "X-GitHub-Api-Version": "2022-11-28"},
        )
    if response.status_code in (404, 422):
        raise _reject(NOT_OURS)
    response.raise_for_status()
    info = response.json()
    if (info.get("app") or {}).get("client_id") != app.client_id:
        raise _reject(NOT_OURS)
    user_id = (info.get("user") or {}).get("id")
    return str(user_id) if user_id is not None else None


def _oidc_token_owner(adapter: Any, app: SocialApp, access_token: str) -> str | None:
    """OAuth 2.0 token introspection (RFC 7662) from the provider's discovery document: the
    token must be active and its ``client_id`` ours (or, without one, ``aud`` must name us).
    A provider without an introspection endpoint cannot vouch: send the ``id_token`` or use
    the code flow instead."""
    config = adapter.openid_config
    endpoint = config.get("introspection_endpoint")
    if not endpoint:
        raise InvalidRequest(
            "This provider cannot confirm which app a token was issued to; send the id_token or use the code flow.",
            details={
                "access_token": "Not accepted for this provider; send id_token, or code with redirect_uri."
            },
        )
    methods = config.get("introspection_endpoint_auth_methods_supported") or ["client_secret_basic"]
    data = {"token": access_token, "token_type_hint": "access_token"}
    auth: tuple[str, str] | None = (app.client_id, app.secret)
    if "client_secret_basic" not in methods and "client_secret_post" in methods:
        data.update(client_id=app.client_id, client_secret=app.secret)
        auth = None
    with get_adapter().get_requests_session() as session:
        response = session.post(endpoint, data=data, auth=auth, headers={"Accept": "application/json"})
    response.raise_for_status()
    info = response.json()
    if info.get("active") is not True:
        raise _reject(INVALID)
    client_id = info.get("client_id") or info.get("azp")
    audience = info.get("aud")
    audiences = audience if isinstance(audience, list) else [audience]
    if (client_id and client_id != app.client_id) or (not client_id and app.client_id not in audiences):
        raise _reject(NOT_OURS)
    if app.settings.get("uid_field", "sub") == "sub" and info.get("sub"):
        return str(info["sub"])
    return None


def _access_token_owner(provider: Any, adapter: Any, access_token: str) -> str | None:
    """Raise :class:`ProviderTokenRejected` unless the provider confirms that ``access_token``
    was issued to our app; returns the provider's id of the token's user when it says."""
    if provider.id == "google":
        return _google_token_owner(provider.app, access_token)
    if provider.id == "github":
        return _github_token_owner(adapter, provider.app, access_token)
    if provider.id == "openid_connect":
        return _oidc_token_owner(adapter, provider.app, access_token)
    raise InvalidRequest(
        "Sign in with this provider through the code flow.",
        details={"access_token": "Not accepted for this provider; send code with redirect_uri."},
    )


def _provider_down(exc: Exception) -> bool:
    """The provider could not be asked (network, timeout, its own 5xx): not the client's fault."""
    if isinstance(exc, requests.ConnectionError | requests.Timeout):
        return True
    response = getattr(exc, "response", None)
    return isinstance(exc, requests.HTTPError) and response is not None and response.status_code >= 500


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

    An ``access_token`` counts only when the provider confirms it was issued to our client id
    (an ``id_token``'s audience is checked by its signature verification; a ``code`` can only
    be exchanged with our client secret).

    Raises :class:`ProviderUnknown` (404), :class:`InvalidRequest` (redirect URI not allowed,
    state mismatch, access tokens not verifiable with this provider), :class:`ProviderTokenRejected`
    (401: token invalid or issued to another app) or :class:`ProviderRefused` (400: the code
    was refused, or the provider was unreachable).
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
    field_name = "code" if code is not None else ("id_token" if id_token is not None else "access_token")
    owner: str | None = None
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
                owner = _access_token_owner(provider, adapter, str(access_token))
                response = {"access_token": access_token}
            token = adapter.parse_token(response)
            token.app = app
            login = adapter.complete_login(request, app, token, response=response)
    except _PROVIDER_ERRORS as exc:
        status = getattr(getattr(exc, "response", None), "status_code", None)
        logger.info(
            "provider refused credentials",
            extra={"provider": provider_id, "error": type(exc).__name__, "provider_status": status},
        )
        if code is not None or _provider_down(exc):
            raise ProviderRefused(details={field_name: "The provider did not accept it."}) from exc
        raise ProviderTokenRejected(details={field_name: INVALID}) from exc
    if owner is not None and owner != str(login.account.uid):
        logger.warning("provider token check and profile disagree", extra={"provider": provider_id})
        raise _reject(NOT_OURS)
    return _identity(login)
