"""Request ids, one JSON log line per request, and the envelope for failures outside DRF."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.urls import Resolver404, resolve

from .exceptions import ErrorCode, database_unavailable, error_json_response
from .http import client_ip
from .logging import new_request_id, reset_request_id, set_request_id
from .ratelimit import rate_limit_collect, rate_limit_collect_end, rate_limit_headers

request_logger = logging.getLogger("ecommerce.request")
error_logger = logging.getLogger("ecommerce.errors")

API_PREFIX = "/api/"


def is_api_request(request: HttpRequest) -> bool:
    return request.path.startswith(API_PREFIX)


class RequestIdMiddleware:
    """Accepts or creates ``X-Request-ID``, returns it, and logs one line per request.

    Views may add fields to the log line through ``request.log_context`` (for example the
    inventory API puts the ``manager_id`` there). Bodies, passwords and tokens are never logged.
    Responses of rate-limited endpoints get the ``RateLimit-*`` headers of the tightest limit.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request_id = new_request_id(request.headers.get("X-Request-ID"))
        request.request_id = request_id  # type: ignore[attr-defined]  # our attributes on HttpRequest
        request.log_context = {}  # type: ignore[attr-defined]  # our attributes on HttpRequest
        token = set_request_id(request_id)
        limits = rate_limit_collect()
        started = time.perf_counter()
        try:
            response = (
                self._guard_path(request) or self._guard_body_size(request) or self.get_response(request)
            )
            response["X-Request-ID"] = request_id
            for header, value in rate_limit_headers().items():
                response[header] = value
            duration_ms = round((time.perf_counter() - started) * 1000, 2)
            user = getattr(request, "user", None)
            request_logger.info(
                "request",
                extra={
                    "method": request.method,
                    "path": request.path,  # never the query string: keys and tokens (docs/accounts.md)
                    "status": response.status_code,
                    "duration_ms": duration_ms,
                    "client_ip": client_ip(request),
                    "user_id": getattr(user, "public_id", None) if user and user.is_authenticated else None,
                    **request.log_context,  # type: ignore[attr-defined]  # set at the top of __call__
                },
            )
            return response
        finally:
            rate_limit_collect_end(limits)
            reset_request_id(token)

    @staticmethod
    def _guard_path(request: HttpRequest) -> HttpResponse | None:
        """No id contains a NUL byte (and PostgreSQL refuses them): such a path is simply unknown."""
        if is_api_request(request) and "\x00" in request.path:
            return error_json_response(404, ErrorCode.NOT_FOUND, "No API endpoint at this path.")
        return None

    @staticmethod
    def _guard_body_size(request: HttpRequest) -> HttpResponse | None:
        """Refuse an API body larger than ``DATA_UPLOAD_MAX_MEMORY_SIZE`` before reading it; a
        view that reads larger bodies (an upload) says how large with a ``request_body_limit()``
        class method (looked up only for a body over the default limit)."""
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        if limit is None or not is_api_request(request):
            return None
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return error_json_response(400, ErrorCode.INVALID_REQUEST, "Invalid Content-Length header.")
        if length > limit:
            limit = max(limit, _view_body_limit(request))
        if length > limit:
            return error_json_response(
                413,
                ErrorCode.PAYLOAD_TOO_LARGE,
                f"The request body is larger than {limit} bytes.",
                {"body": f"at most {limit} bytes"},
            )
        return None


def _view_body_limit(request: HttpRequest) -> int:
    """The ``request_body_limit()`` of the view at this path (0: none, or no such view)."""
    try:
        match = resolve(request.path_info)
    except Resolver404:
        return 0
    view_class = getattr(match.func, "cls", None) or getattr(match.func, "view_class", None)
    body_limit = getattr(view_class, "request_body_limit", None)
    return int(body_limit()) if callable(body_limit) else 0


class ApiExceptionMiddleware:
    """Unhandled exceptions in non-DRF code under ``/api/`` still answer with the envelope."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not is_api_request(request):
            return None
        unavailable = database_unavailable(exception)
        if unavailable is not None:
            return error_json_response(
                unavailable.status_code, unavailable.code, unavailable.message, headers=unavailable.headers
            )
        error_logger.exception("Unhandled exception", exc_info=exception)
        return error_json_response(500, ErrorCode.INTERNAL_ERROR, "An internal error occurred.")


class SecurityHeadersMiddleware:
    """A Content-Security-Policy on every response and ``Cache-Control: no-store`` on HTML pages.

    HTML pages (admin, dashboard, Swagger UI, ReDoc, account pages) get
    ``CONTENT_SECURITY_POLICY``: our own files only, no inline code; a view that needs more
    says so with :func:`content_security_policy`. Everything else (JSON, files) gets
    ``CONTENT_SECURITY_POLICY_NON_HTML``, which allows nothing. An HTML page that sets no
    ``Cache-Control`` itself is ``no-store``: pages can carry keys (reset links) or CSRF tokens
    and are rendered per request anyway.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        html = response.get("Content-Type", "").startswith("text/html")
        if "Content-Security-Policy" not in response:
            response["Content-Security-Policy"] = (
                settings.CONTENT_SECURITY_POLICY if html else settings.CONTENT_SECURITY_POLICY_NON_HTML
            )
        if html and "Cache-Control" not in response:
            response["Cache-Control"] = "no-store"
        return response


def content_security_policy(policy: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """View decorator: answer with ``policy`` instead of the default page policy."""

    def decorator(view: Callable[..., Any]) -> Callable[..., Any]:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
            response = view(request, *args, **kwargs)
            response["Content-Security-Policy"] = policy
            return response

        return wrapped

    return decorator
