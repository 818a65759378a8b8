"""Service endpoints: health, the envelope 404 for unknown API paths, and Django's error views
(400/403/404/500, CSRF failure) that answer with the envelope under ``/api/``."""

from __future__ import annotations

import uuid
from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.db import connections
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from django.views import csrf, defaults
from django.views.decorators.csrf import csrf_exempt
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from .exceptions import ErrorCode, envelope, error_json_response
from .schema import ErrorBodySerializer

OK = "ok"
UNAVAILABLE = "unavailable"
DEGRADED = "degraded"
DISABLED = "disabled"  # no broker configured: tasks run in-process, there is no worker to check


def check_database(alias: str) -> bool:
    """True when ``SELECT 1`` succeeds on database ``alias``."""
    try:
        with connections[alias].cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    except Exception:  # noqa: BLE001 - any failure means "down"
        return False


def check_cache() -> bool:
    """True when a value written to the cache can be read back."""
    key = f"health:{uuid.uuid4().hex}"
    try:
        cache.set(key, OK, timeout=10)
        ok = cache.get(key) == OK
        cache.delete(key)
        return ok
    except Exception:  # noqa: BLE001 - any failure means "down"
        return False


def check_broker() -> bool:
    """True when the Celery broker (``CELERY_BROKER_URL``) accepts a connection (and, for Redis,
    answers a PING) within a second."""
    from celery import current_app

    try:
        with current_app.connection_for_write(settings.CELERY_BROKER_URL) as connection:
            connection.ensure_connection(max_retries=1, interval_start=0, interval_step=0, timeout=1)
            client = getattr(connection.default_channel, "client", None)
            if client is not None and hasattr(client, "ping"):
                client.ping()
        return True
    except Exception:  # noqa: BLE001 - any failure means "down"
        return False


def check_worker() -> bool:
    """True when a worker wrote its heartbeat (``worker_heartbeat``, sent by beat) within
    ``CELERY_HEARTBEAT_STALE_SECONDS``."""
    from .models import WorkerHeartbeat

    cutoff = timezone.now() - timedelta(seconds=settings.CELERY_HEARTBEAT_STALE_SECONDS)
    try:
        return WorkerHeartbeat.objects.filter(beat_at__gte=cutoff).exists()
    except Exception:  # noqa: BLE001 - the database is down: reported as such
        return False


def _health_fields() -> dict[str, serializers.Field]:
    """Fresh field instances each time (a serializer class takes ownership of its fields)."""
    return {
        "status": serializers.ChoiceField(
            choices=[OK, DEGRADED, UNAVAILABLE],
            help_text="`unavailable` (503) when the database or the cache is down; `degraded` (still "
            "200: this node serves requests) when the broker is unreachable or no worker has written "
            "its heartbeat lately; else `ok`.",
        ),
        "database": serializers.ChoiceField(choices=[OK, UNAVAILABLE]),
        "cache": serializers.ChoiceField(choices=[OK, UNAVAILABLE]),
        "broker": serializers.ChoiceField(
            choices=[OK, UNAVAILABLE, DISABLED],
            help_text="The Celery broker; `disabled` when none is configured (tasks run in-process).",
        ),
        "worker": serializers.ChoiceField(
            choices=[OK, DEGRADED, DISABLED],
            help_text="`degraded` when no worker has written its heartbeat for "
            "`CELERY_HEARTBEAT_STALE_SECONDS`; `disabled` without a broker.",
        ),
    }


_HealthSerializer = inline_serializer("Health", _health_fields())
# 503: the same parts, plus the error envelope naming the failing ones.
_HealthUnavailableSerializer = inline_serializer(
    "HealthUnavailable", {**_health_fields(), "error": ErrorBodySerializer()}
)


class HealthApi(APIView):
    """Liveness and readiness: checks the database and the cache for real (503 when either is
    down), and reports the broker and the workers' heartbeat (``degraded``, still 200)."""

    authentication_classes: list[type] = []
    permission_classes: list[type] = []

    @extend_schema(
        tags=["service"],
        summary="Health of the service: database, cache, broker and workers",
        responses={200: _HealthSerializer, 503: _HealthUnavailableSerializer},
    )
    def get(self, request: Request) -> Response:
        database_ok = all(check_database(alias) for alias in settings.HEALTH_CHECK_DATABASES)
        cache_ok = check_cache()
        if not settings.CELERY_TASK_ALWAYS_EAGER:  # a broker is configured
            broker = OK if check_broker() else UNAVAILABLE
            worker = OK if database_ok and check_worker() else DEGRADED
        else:
            broker = worker = DISABLED
        body = {
            "status": OK if database_ok and cache_ok else UNAVAILABLE,
            "database": OK if database_ok else UNAVAILABLE,
            "cache": OK if cache_ok else UNAVAILABLE,
            "broker": broker,
            "worker": worker,
        }
        if database_ok and cache_ok:
            if broker == UNAVAILABLE or worker == DEGRADED:
                body["status"] = DEGRADED
            return Response(body)
        failing = {part: "unavailable" for part in ("database", "cache") if body[part] != OK}
        body.update(envelope(ErrorCode.SERVICE_UNAVAILABLE, f"Unavailable: {', '.join(failing)}.", failing))
        return Response(
            body, status=503, headers={"Retry-After": str(settings.SERVICE_UNAVAILABLE_RETRY_AFTER)}
        )


@csrf_exempt  # any method: a POST to an unknown path is a 404 too, not a CSRF failure
def api_not_found(request: HttpRequest, *args: object, **kwargs: object) -> JsonResponse:
    """Unknown path under ``/api/``: a 404 with the envelope (never an HTML page or a redirect)."""
    return error_json_response(404, ErrorCode.NOT_FOUND, "No API endpoint at this path.")


# --- Django's error views (``handler400`` … in ecommerce/urls.py, ``CSRF_FAILURE_VIEW``) ------
# Django calls them for errors raised outside DRF: a ``Host`` not in ALLOWED_HOSTS
# (DisallowedHost), a CSRF failure, an exception in a middleware. Under /api/ they answer with
# the envelope; elsewhere (admin, account pages) with Django's own pages.


def _is_api(request: HttpRequest) -> bool:
    return request.path.startswith("/api/")


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if _is_api(request):
        return error_json_response(400, ErrorCode.INVALID_REQUEST, "The request is invalid.")
    return defaults.bad_request(request, exception)  # type: ignore[arg-type]  # Django's handler always passes one


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if _is_api(request):
        return error_json_response(403, ErrorCode.PERMISSION_DENIED, "You do not have permission to do this.")
    return defaults.permission_denied(request, exception)  # type: ignore[arg-type]  # Django's handler always passes one


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if _is_api(request):
        return error_json_response(404, ErrorCode.NOT_FOUND, "No API endpoint at this path.")
    return defaults.page_not_found(request, exception)


def server_error(request: HttpRequest) -> HttpResponse:
    if _is_api(request):
        return error_json_response(500, ErrorCode.INTERNAL_ERROR, "An internal error occurred.")
    return defaults.server_error(request)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """``CSRF_FAILURE_VIEW``: the envelope under /api/ (the API itself uses no cookies)."""
    if _is_api(request):
        return error_json_response(403, ErrorCode.PERMISSION_DENIED, "CSRF verification failed.")
    return csrf.csrf_failure(request, reason)
