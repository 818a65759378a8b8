"""The base view of the store-manager inventory API: access mode, rate limit, audit and log
context, shared by its four endpoints (``views.py``). See ``docs/inventory.md``, "Access modes".
"""

from __future__ import annotations

import time
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from rest_framework import exceptions as drf_exceptions
from rest_framework import serializers
from rest_framework.authentication import BaseAuthentication
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView
from rest_framework_simplejwt.authentication import JWTAuthentication

from accounts.ids import is_external_id
from accounts.permissions import is_manager
from ecommerce.common.exceptions import InvalidRequest, RateLimited
from ecommerce.common.http import client_ip
from ecommerce.common.parsers import DecimalJSONParser
from ecommerce.common.ratelimit import rate_limit_hit

from ..exceptions import ManagerAccessDenied
from ..models import ManagerApiKey
from ..selectors import store_manager_get_for_user
from ..services import audit_event_record
from .authentication import ManagerApiKeyAuthentication

ACCESS_TRUSTED = "trusted"
ACCESS_TOKEN = "token"  # noqa: S105 - a mode name, not a secret
ACCESS_API_KEY = "api_key"
RATE_LIMIT_SCOPE = "inventory"


def access_mode() -> str:
    """``INVENTORY_ACCESS_MODE`` at request time; an unknown value counts as ``api_key`` (fail closed)."""
    mode = settings.INVENTORY_ACCESS_MODE
    return mode if mode in (ACCESS_TRUSTED, ACCESS_TOKEN) else ACCESS_API_KEY


def _error_code(response: Response) -> str:
    data = getattr(response, "data", None)
    if response.status_code >= 400 and isinstance(data, dict) and isinstance(data.get("error"), dict):
        return str(data["error"].get("code", ""))
    return ""


class InventoryApiView(APIView):
    """Access mode, rate limit, audit and log context shared by the four endpoints."""

    parser_classes = [DecimalJSONParser]
    permission_classes: list[type] = []  # access is checked in initial(), around the rate limit

    def get_authenticators(self) -> list[BaseAuthentication]:
        mode = access_mode()
        if mode == ACCESS_TOKEN:
            return [JWTAuthentication()]
        if mode == ACCESS_API_KEY:
            return [ManagerApiKeyAuthentication()]
        return []  # trusted: a token, if any, is not looked at

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Response:
        started = time.perf_counter()
        self.audit_manager_id = ""
        self.audit_key_prefix = ""
        self.audit_changes: list[dict[str, Any]] = []
        self.audit_order_id = ""
        self.acting_manager_id: str | None = None  # token / api_key: the authenticated manager
        response: Response = super().dispatch(request, *args, **kwargs)  # type: ignore[assignment]  # APIView's is a Response
        audit_event_record(
            request_id=str(getattr(request, "request_id", "")),
            manager_external_id=self.audit_manager_id,
            api_key_prefix=self.audit_key_prefix,
            client_ip=client_ip(request),
            method=request.method or "",
            path=request.path,
            status_code=response.status_code,
            error_code=_error_code(response),
            duration_ms=(time.perf_counter() - started) * 1000,
            order_public_id=self.audit_order_id,
            changes=self.audit_changes,
        )
        return response

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        manager_id, body_error = self._peek_manager_id(request)
        if manager_id:
            self.audit_manager_id = manager_id
            log_context = getattr(request._request, "log_context", None)
            if isinstance(log_context, dict):
                log_context["manager_id"] = manager_id
        if access_mode() == ACCESS_TRUSTED:
            self._rate_limit(request, manager_id)  # the contract: per manager_id as sent
            super().initial(request, *args, **kwargs)
        else:
            acting, refusal = self._authenticate(request)
            self._rate_limit(request, acting)  # unauthenticated: per client IP only
            super().initial(request, *args, **kwargs)
            if refusal is not None:
                raise refusal
            if manager_id is not None and manager_id != acting:
                raise ManagerAccessDenied()
            self.acting_manager_id = acting
        if body_error is not None:
            raise body_error

    def manager_id_of(self, params: dict[str, Any]) -> str:
        """The validated ``manager_id``; in token/api_key mode it is the authenticated manager's."""
        manager_id: str = params["manager_id"]
        if self.acting_manager_id is not None and manager_id != self.acting_manager_id:
            raise ManagerAccessDenied()  # unreachable after initial(); kept as the last guard
        return manager_id

    @staticmethod
    def _rate_limit(request: Request, manager_id: str | None) -> None:
        """Count the request for ``manager_id`` (or the client IP when ``None``); 429 past the limit."""
        hit = rate_limit_hit(
            scope=RATE_LIMIT_SCOPE,
            key=manager_id or f"ip:{client_ip(request._request) or 'unknown'}",
            limit=settings.INVENTORY_RATE_LIMIT,
            window_seconds=settings.INVENTORY_RATE_WINDOW,
        )
        if not hit.allowed:
            raise RateLimited(
                hit.retry_after,
                f"Rate limit of {hit.limit} requests per {settings.INVENTORY_RATE_WINDOW} seconds exceeded.",
            )

    def _authenticate(self, request: Request) -> tuple[str | None, Exception | None]:
        """token / api_key: ``(the authenticated manager's id, None)`` or ``(None, the refusal)``.

        Never raises, so that the caller can count the request (per manager, or per IP when
        unauthenticated) before answering 401/403.
        """
        try:
            user, auth = request.user, request.auth  # runs the mode's authenticator
        except drf_exceptions.APIException as exc:
            return None, exc
        if isinstance(auth, ManagerApiKey):
            self.audit_key_prefix = auth.prefix
            return auth.manager.external_id, None
        if access_mode() != ACCESS_TOKEN or not user or not user.is_authenticated:
            return None, drf_exceptions.NotAuthenticated()
        if not is_manager(user):
            return None, ManagerAccessDenied("Only store managers may use the inventory API.")
        try:
            return store_manager_get_for_user(user=user).external_id, None
        except ManagerAccessDenied as exc:
            return None, exc

    @staticmethod
    def _peek_manager_id(request: Request) -> tuple[str | None, Exception | None]:
        """The caller's ``manager_id`` when it is well-formed (query for GET, else the body).

        The same predicate as the serializers' (``accounts.ids``): an id refused here is
        refused by validation too, so no request skips the access check and then passes.
        """
        if request.method in ("GET", "HEAD", "OPTIONS", "DELETE"):
            value: Any = request.query_params.get("manager_id")
        else:
            try:
                data = request.data
            except drf_exceptions.ParseError as exc:
                return None, exc
            except drf_exceptions.UnsupportedMediaType:
                return None, None  # raised again when the handler reads the body
            value = data.get("manager_id") if isinstance(data, dict) else None
        return (value, None) if is_external_id(value) else (None, None)

    @staticmethod
    def validated(serializer_class: type[serializers.Serializer], data: Any) -> dict[str, Any]:
        """Validate a JSON object body (anything else is a 400 naming ``body``)."""
        if not isinstance(data, dict):
            raise InvalidRequest(
                "The request body must be a JSON object.", details={"body": "Must be a JSON object."}
            )
        serializer = serializer_class(data=data)
        serializer.is_valid(raise_exception=True)  # the envelope handler names each field
        return dict(serializer.validated_data)
