"""The one error envelope: ``{"error": {"code", "message", "details"}}``.

Services raise :class:`ApplicationError` subclasses (no DRF import needed there). The DRF
exception handler below turns those, DRF's own exceptions and Django's ``Http404`` /
``PermissionDenied`` / ``ValidationError`` into the envelope. Anything unexpected becomes a
logged 500 ``INTERNAL_ERROR`` that shows no internals.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import DataError
from django.http import Http404, JsonResponse
from rest_framework import exceptions as drf
from rest_framework.response import Response
from rest_framework.views import set_rollback

from .db import database_unreachable

logger = logging.getLogger("ecommerce.errors")


class ErrorCode:
    """Codes of the API contract (``../shared/api-contract.md``)."""

    INVALID_REQUEST = "INVALID_REQUEST"
    CART_EMPTY = "CART_EMPTY"
    AUTHENTICATION_REQUIRED = "AUTHENTICATION_REQUIRED"
    INVALID_CREDENTIALS = "INVALID_CREDENTIALS"
    TOKEN_INVALID = "TOKEN_INVALID"  # noqa: S105 - an error code, not a secret
    PAYMENT_FAILED = "PAYMENT_FAILED"
    PERMISSION_DENIED = "PERMISSION_DENIED"
    EMAIL_NOT_VERIFIED = "EMAIL_NOT_VERIFIED"
    NOT_FOUND = "NOT_FOUND"
    PRODUCT_NOT_FOUND = "PRODUCT_NOT_FOUND"
    ORDER_NOT_FOUND = "ORDER_NOT_FOUND"
    METHOD_NOT_ALLOWED = "METHOD_NOT_ALLOWED"
    UNSUPPORTED_MEDIA_TYPE = "UNSUPPORTED_MEDIA_TYPE"
    NOT_ACCEPTABLE = "NOT_ACCEPTABLE"
    INSUFFICIENT_STOCK = "INSUFFICIENT_STOCK"
    PRODUCT_DISCONTINUED = "PRODUCT_DISCONTINUED"
    VARIANT_REQUIRED = "VARIANT_REQUIRED"
    VOUCHER_INVALID = "VOUCHER_INVALID"
    VOUCHER_EXHAUSTED = "VOUCHER_EXHAUSTED"
    INVALID_STATE = "INVALID_STATE"
    IDEMPOTENCY_CONFLICT = "IDEMPOTENCY_CONFLICT"
    PAYLOAD_TOO_LARGE = "PAYLOAD_TOO_LARGE"
    RATE_LIMITED = "RATE_LIMITED"
    INTERNAL_ERROR = "INTERNAL_ERROR"
    SERVICE_UNAVAILABLE = "SERVICE_UNAVAILABLE"
    PRICE_CHANGED = "PRICE_CHANGED"
    SHIPPING_UNAVAILABLE = "SHIPPING_UNAVAILABLE"
    CHECKOUT_EXPIRED = "CHECKOUT_EXPIRED"


class ApplicationError(Exception):
    """Base of every business error: a code, an HTTP status and structured details."""

    status_code: int = 400
    code: str = ErrorCode.INVALID_REQUEST
    default_message: str = "The request could not be processed."

    def __init__(
        self,
        message: str | None = None,
        *,
        details: Mapping[str, Any] | None = None,
        code: str | None = None,
        status_code: int | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        self.message = message or self.default_message
        self.details: dict[str, Any] = dict(details or {})
        if code is not None:
            self.code = code
        if status_code is not None:
            self.status_code = status_code
        self.headers: dict[str, str] = dict(headers or {})
        super().__init__(self.message)


class InvalidRequest(ApplicationError):
    status_code = 400
    code = ErrorCode.INVALID_REQUEST
    default_message = "The request is invalid."


class NotFound(ApplicationError):
    status_code = 404
    code = ErrorCode.NOT_FOUND
    default_message = "Not found."


class Conflict(ApplicationError):
    status_code = 409
    code = ErrorCode.INVALID_STATE
    default_message = "The request conflicts with the current state."


class RateLimited(ApplicationError):
    status_code = 429
    code = ErrorCode.RATE_LIMITED
    default_message = "Too many requests. Try again later."

    def __init__(self, retry_after: int, message: str | None = None) -> None:
        super().__init__(message, headers={"Retry-After": str(max(1, int(retry_after)))})


class ServiceUnavailable(ApplicationError):
    """A required dependency (the database) cannot be reached: 503 with ``Retry-After``."""

    status_code = 503
    code = ErrorCode.SERVICE_UNAVAILABLE
    default_message = "The service is temporarily unavailable. Try again shortly."

    def __init__(self, message: str | None = None, *, retry_after: int | None = None) -> None:
        seconds = settings.SERVICE_UNAVAILABLE_RETRY_AFTER if retry_after is None else retry_after
        super().__init__(message, headers={"Retry-After": str(max(1, int(seconds)))})


def database_unavailable(exc: BaseException) -> ServiceUnavailable | None:
    """``ServiceUnavailable`` when ``exc`` means the database is unreachable, else ``None``."""
    if not database_unreachable(exc):
        return None
    logger.warning("database unreachable mid-request: %s", type(exc).__name__)
    return ServiceUnavailable()


def envelope(code: str, message: str, details: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The body of every error response."""
    return {"error": {"code": code, "message": message, "details": dict(details or {})}}


def error_json_response(
    status: int,
    code: str,
    message: str,
    details: Mapping[str, Any] | None = None,
    headers: Mapping[str, str] | None = None,
) -> JsonResponse:
    """An envelope response outside DRF (404 of unknown paths, middleware errors)."""
    return JsonResponse(envelope(code, message, details), status=status, headers=headers)


# --- DRF validation errors → flat dotted details ---------------------------------------------


def _flatten(detail: Any, prefix: str = "") -> dict[str, str]:
    """Flatten DRF's nested error detail into ``{"products.1.price": "message"}``."""
    out: dict[str, str] = {}
    if isinstance(detail, Mapping):
        for key, value in detail.items():
            # An object-level error belongs to the object itself: "products", not
            # "products.non_field_errors" (top level it stays "non_field_errors").
            name = "" if key == "non_field_errors" else str(key)
            path = f"{prefix}.{name}" if prefix and name else (prefix or name)
            out.update(_flatten(value, path))
    elif isinstance(detail, list):
        if detail and all(not isinstance(item, Mapping | list) for item in detail):
            out[prefix or "non_field_errors"] = " ".join(str(item) for item in detail)
        else:
            for index, item in enumerate(detail):
                if item in ({}, [], ""):
                    continue
                out.update(_flatten(item, f"{prefix}.{index}" if prefix else str(index)))
    else:
        out[prefix or "non_field_errors"] = str(detail)
    return out


def validation_details(detail: Any) -> dict[str, str]:
    """Public helper: DRF ``ValidationError.detail`` → contract ``details`` object."""
    return _flatten(detail)


def _first_message(details: Mapping[str, str], fallback: str) -> str:
    if not details:
        return fallback
    field, message = next(iter(details.items()))
    if field == "non_field_errors":
        return message
    return f"Invalid value for '{field}': {message}"


_DRF_CODES: list[tuple[type[drf.APIException], int, str]] = [
    (drf.NotAuthenticated, 401, ErrorCode.AUTHENTICATION_REQUIRED),
    (drf.AuthenticationFailed, 401, ErrorCode.TOKEN_INVALID),
    (drf.PermissionDenied, 403, ErrorCode.PERMISSION_DENIED),
    (drf.NotFound, 404, ErrorCode.NOT_FOUND),
    (drf.MethodNotAllowed, 405, ErrorCode.METHOD_NOT_ALLOWED),
    (drf.NotAcceptable, 406, ErrorCode.NOT_ACCEPTABLE),
    (drf.UnsupportedMediaType, 415, ErrorCode.UNSUPPORTED_MEDIA_TYPE),
    (drf.Throttled, 429, ErrorCode.RATE_LIMITED),
    (drf.ParseError, 400, ErrorCode.INVALID_REQUEST),
]


def _response(
    status: int,
    code: str,
    message: str,
    details: Mapping[str, Any] | None = None,
    headers: Mapping[str, str] | None = None,
) -> Response:
    response = Response(envelope(code, message, details), status=status)
    for key, value in (headers or {}).items():
        response[key] = value
    return response


def api_exception_handler(exc: Exception, context: dict[str, Any]) -> Response:
    """DRF ``EXCEPTION_HANDLER``: every failure under ``/api/`` leaves through here."""
    set_rollback()
    exc = database_unavailable(exc) or exc  # the database went away mid-request: 503, not 500
    if isinstance(exc, ApplicationError):
        return _response(exc.status_code, exc.code, exc.message, exc.details, exc.headers)
    if isinstance(exc, DataError):  # a value the database cannot store (e.g. a NUL byte)
        return _response(400, ErrorCode.INVALID_REQUEST, "A value in the request cannot be stored.")
    if isinstance(exc, Http404):
        return _response(404, ErrorCode.NOT_FOUND, "Not found.")
    if isinstance(exc, DjangoPermissionDenied):
        return _response(403, ErrorCode.PERMISSION_DENIED, "You do not have permission to do this.")
    if isinstance(exc, DjangoValidationError):
        details = validation_details(
            exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        )
        return _response(400, ErrorCode.INVALID_REQUEST, _first_message(details, "Invalid request."), details)
    if isinstance(exc, drf.ValidationError):
        details = validation_details(exc.detail)
        return _response(400, ErrorCode.INVALID_REQUEST, _first_message(details, "Invalid request."), details)
    if isinstance(exc, drf.APIException):
        headers: dict[str, str] = {}
        if getattr(exc, "auth_header", None):
            headers["WWW-Authenticate"] = exc.auth_header  # type: ignore[attr-defined]  # checked by getattr above
        if getattr(exc, "wait", None) is not None:
            headers["Retry-After"] = str(max(1, int(exc.wait)))  # type: ignore[attr-defined]  # Throttled, checked by getattr above
        status, code = exc.status_code, ErrorCode.INTERNAL_ERROR
        for klass, klass_status, klass_code in _DRF_CODES:
            if isinstance(exc, klass):
                status, code = klass_status, klass_code
                break
        if isinstance(exc, drf.ParseError):
            multipart = str(exc.detail).startswith("Multipart form parse error")
            message = f"The request body is not valid {'multipart/form-data' if multipart else 'JSON'}."
        else:
            message = str(exc.detail) if isinstance(exc.detail, str) else "Request failed."
        # simplejwt's InvalidToken carries a structured detail; keep only a plain message.
        if code == ErrorCode.TOKEN_INVALID:
            message = "The token is invalid or expired."
        return _response(status, code, message, {}, headers)
    logger.exception("Unhandled exception in API view")
    return _response(500, ErrorCode.INTERNAL_ERROR, "An internal error occurred.")
