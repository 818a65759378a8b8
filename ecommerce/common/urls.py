"""URL helpers: every API route answers with and without a trailing slash, without redirects."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.urls import URLPattern, path


def api_path(route: str, view: Callable[..., Any], name: str | None = None) -> list[URLPattern]:
    """``route`` (written with a trailing slash) registered twice: with and without it.

    Use as ``*api_path("orders/<str:order_id>/", view, name="order-detail")``.
    """
    route = route.rstrip("/") + "/" if route else route
    patterns = [path(route, view, name=name)]
    if route:
        patterns.append(path(route.rstrip("/"), view))
    return patterns
