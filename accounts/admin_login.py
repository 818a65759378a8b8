"""The Django admin's login page, throttled per client IP (brute force → 429; fails closed
when the rate-limit store is down)."""

from __future__ import annotations

from django.conf import settings
from django.contrib import admin
from django.http import HttpRequest, HttpResponse

from ecommerce.common.http import client_ip
from ecommerce.common.ratelimit import rate_limit_hit


def admin_login_throttled(request: HttpRequest) -> HttpResponse:
    """``admin.site.login``, but at most ``ADMIN_LOGIN_LIMIT`` POSTs per IP per window."""
    if request.method == "POST":
        limit, window = settings.ADMIN_LOGIN_LIMIT
        result = rate_limit_hit(
            scope="admin-login",
            key=client_ip(request) or "unknown",
            limit=limit,
            window_seconds=window,
            fail_closed=True,
        )
        if not result.allowed:
            response = HttpResponse(
                "Too many login attempts. Try again later.", status=429, content_type="text/plain"
            )
            response["Retry-After"] = str(result.retry_after)
            return response
    return admin.site.login(request)
