"""DRF authentication of the inventory API in access mode ``api_key``."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AnonymousUser
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.request import Request

from ..keys import manager_api_key_touch
from ..models import ManagerApiKey
from ..selectors import manager_api_key_get_active


class ManagerApiKeyAuthentication(BaseAuthentication):
    """A manager's API key, sent as ``Authorization: Bearer <key>`` or ``X-API-Key: <key>``.

    Returns ``(AnonymousUser, ManagerApiKey)``: a key names a store manager, not a Django user,
    so ``request.user`` stays anonymous and ``request.auth`` is the key (with ``.manager``).
    No credential: ``None`` (the view answers 401 ``AUTHENTICATION_REQUIRED``). A credential
    that is not an active key, or two different keys in the two headers: ``AuthenticationFailed``
    (401 ``TOKEN_INVALID``). Accepted keys get ``last_used_at`` (at most one write a minute).
    """

    keyword = "Bearer"

    def authenticate(self, request: Request) -> tuple[Any, ManagerApiKey] | None:
        key = self._credential(request)
        if key is None:
            return None
        api_key = manager_api_key_get_active(key=key)
        if api_key is None:
            raise exceptions.AuthenticationFailed("The API key is invalid or revoked.")
        manager_api_key_touch(api_key=api_key)
        return AnonymousUser(), api_key

    def authenticate_header(self, request: Request) -> str:
        return f'{self.keyword} realm="inventory"'

    def _credential(self, request: Request) -> str | None:
        header_key = request.META.get("HTTP_X_API_KEY")
        bearer_key = None
        parts = get_authorization_header(request).split()
        if parts:
            if parts[0].lower() != self.keyword.lower().encode() or len(parts) != 2:
                raise exceptions.AuthenticationFailed("Send the key as 'Authorization: Bearer <key>'.")
            try:
                bearer_key = parts[1].decode("ascii")
            except UnicodeDecodeError:
                raise exceptions.AuthenticationFailed("The API key is invalid or revoked.") from None
        if header_key is not None and bearer_key is not None and header_key != bearer_key:
            raise exceptions.AuthenticationFailed("Authorization and X-API-Key name different keys.")
        key = bearer_key if bearer_key is not None else header_key
        return key or None


class ManagerApiKeyScheme(OpenApiAuthenticationExtension):
    """OpenAPI: either header carries the key (alternatives, not both)."""

    target_class = ManagerApiKeyAuthentication
    name = ["managerApiKeyBearer", "managerApiKeyHeader"]

    def get_security_requirement(self, auto_schema: Any) -> list[dict[str, list[Any]]]:
        return [{"managerApiKeyBearer": []}, {"managerApiKeyHeader": []}]

    def get_security_definition(self, auto_schema: Any) -> list[dict[str, Any]]:
        description = "A store manager's API key (mk_live_…), INVENTORY_ACCESS_MODE=api_key."
        return [
            {"type": "http", "scheme": "bearer", "description": description},
            {"type": "apiKey", "in": "header", "name": "X-API-Key", "description": description},
        ]
