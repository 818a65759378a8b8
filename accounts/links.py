"""Links inside account emails: the backend's pages, or ``FRONTEND_URL`` when configured.

The backend's pages get the key in the URL fragment (``#key=…``): browsers never send a
fragment, so the key reaches no request line, access log (ours or a proxy's) or ``Referer``;
the page's script posts it. Links to ``FRONTEND_URL`` carry it as the ``key`` query parameter,
as the API contract promises front ends.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.conf import settings
from django.urls import reverse


def _link(*, frontend_path: str, backend_name: str, key: str) -> str:
    query = urlencode({"key": key})
    if settings.FRONTEND_URL:
        return f"{settings.FRONTEND_URL}{frontend_path}?{query}"
    return f"{settings.SITE_URL}{reverse(backend_name)}#{query}"


def verification_link(key: str) -> str:
    """Where the person confirms their email address."""
    return _link(frontend_path="/verify-email", backend_name="accounts-verify-email-page", key=key)


def password_reset_link(key: str) -> str:
    """Where the person chooses a new password."""
    return _link(frontend_path="/reset-password", backend_name="accounts-password-reset-page", key=key)
