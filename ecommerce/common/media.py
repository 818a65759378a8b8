"""Serving uploaded media (product images) from ``MEDIA_ROOT`` by Django itself: for ``make run``
and demos only, when ``SERVE_MEDIA`` is on (off by default unless ``DEBUG``).

In production the web server, a CDN or the object store serves ``MEDIA_URL`` (docs/deploying.md):
Django streaming files ties up a worker per download. What is served is safe to serve from our
origin: only files the storage wrote (pictures re-encoded by Pillow, under names we made), a path
is joined safely under ``MEDIA_ROOT`` (no ``..``), directories are not listed, only GET/HEAD, and
the responses carry ``nosniff`` and the non-HTML Content-Security-Policy like every other.
"""

from __future__ import annotations

import re

from django.conf import settings
from django.core.exceptions import SuspiciousFileOperation
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.urls import URLPattern, re_path
from django.views.decorators.http import require_safe
from django.views.static import serve

MEDIA_CACHE_CONTROL = "public, max-age=3600"


@require_safe
def media_serve(request: HttpRequest, path: str) -> HttpResponse | FileResponse:
    """The file at ``path`` under ``MEDIA_ROOT``, or 404 (also whenever ``SERVE_MEDIA`` is off)."""
    if not settings.SERVE_MEDIA:
        raise Http404("Media are not served by this process.")
    try:
        response = serve(request, path, document_root=settings.MEDIA_ROOT)
    except SuspiciousFileOperation:  # a path outside MEDIA_ROOT (``..``)
        raise Http404("No such file.") from None
    response["Cache-Control"] = MEDIA_CACHE_CONTROL
    return response


def media_urlpatterns() -> list[URLPattern]:
    """The route of :func:`media_serve` under a local ``MEDIA_URL`` (none for an absolute one)."""
    prefix = settings.MEDIA_URL.lstrip("/")
    if not prefix or "://" in settings.MEDIA_URL or settings.MEDIA_URL.startswith("//"):
        return []
    return [re_path(rf"^{re.escape(prefix)}(?P<path>.+)$", media_serve, name="media")]
