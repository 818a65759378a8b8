"""Adds the analytics dashboard to the existing ``admin.site`` (other apps register on it, so it
is not replaced): ``/admin/analytics/`` and its CSV exports, staff only through
``admin_view`` (everyone else gets the admin login page)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import admin
from django.urls import URLPattern, URLResolver, path

from .views import dashboard_view, export_daily_view, export_products_view


def _with_analytics_urls(get_urls: Callable[[], list[Any]]) -> Callable[[], list[URLPattern | URLResolver]]:
    def get_urls_with_analytics() -> list[URLPattern | URLResolver]:
        site = admin.site
        return [
            path("analytics/", site.admin_view(dashboard_view), name="analytics_dashboard"),
            path(
                "analytics/export/daily.csv",
                site.admin_view(export_daily_view),
                name="analytics_export_daily",
            ),
            path(
                "analytics/export/top-products.csv",
                site.admin_view(export_products_view),
                name="analytics_export_products",
            ),
            *get_urls(),
        ]

    get_urls_with_analytics.analytics = True  # type: ignore[attr-defined]  # a marker attribute on the function
    return get_urls_with_analytics


if not getattr(admin.site.get_urls, "analytics", False):
    admin.site.get_urls = _with_analytics_urls(admin.site.get_urls)  # type: ignore[method-assign]  # wraps the default site's URLs
