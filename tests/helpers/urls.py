"""The API's endpoints as the URL resolver serves them."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.urls import URLPattern, URLResolver, get_resolver

from ecommerce.common.views import api_not_found

IGNORED_ROUTES = {"api/schema/", "api/docs/", "api/redoc/"}  # documentation, not the API
METHODS = ("get", "post", "put", "patch", "delete")


def resolver_endpoints() -> set[tuple[str, str]]:
    """(METHOD, route under /api/) for every view the URL resolver serves there."""

    def walk(patterns: list[Any], prefix: str) -> Iterator[tuple[str, Any]]:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                yield from walk(pattern.url_patterns, prefix + str(pattern.pattern))
            elif isinstance(pattern, URLPattern):
                yield prefix + str(pattern.pattern), pattern.callback

    endpoints = set()
    for route, callback in walk(get_resolver().url_patterns, ""):
        if not route.startswith("api/") or callback is api_not_found:
            continue
        route = route.rstrip("/") + "/"  # every route is registered with and without the slash
        if route in IGNORED_ROUTES:
            continue
        view_class = getattr(callback, "cls", None) or callback.view_class
        for method in METHODS:
            if hasattr(view_class, method):
                endpoints.add((method.upper(), route.removeprefix("api/")))
    return endpoints
