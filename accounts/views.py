"""The backend's own pages behind the links in account emails (used when no ``FRONTEND_URL``
is set): a person clicks the link, confirms with one button (so link scanners that only GET
change nothing) or types a new password.

The links carry the key in the URL fragment (``#key=…``), which browsers never send: a small
static script (``accounts/key-from-fragment.js``) copies it into the form, and the form POSTs
it, so the key appears in no request line, access log or ``Referer``. A ``?key=`` query (links
mailed before keys moved to the fragment) is still accepted. The pages are never cached
(``Cache-Control: no-store``): a page posted back with an error carries the key.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from ecommerce.common.exceptions import ApplicationError

from . import services


def _key_page(view: Callable[[HttpRequest], HttpResponse]) -> Callable[[HttpRequest], HttpResponse]:
    """GET/POST only, never cached, and no ``Referer`` to other sites.

    ``same-origin``, not ``no-referrer``: with ``no-referrer`` browsers send ``Origin: null``
    on the form's POST, which Django's CSRF check refuses. A fragment is never in a Referer.
    """

    @wraps(view)
    def wrapped(request: HttpRequest) -> HttpResponse:
        response = view(request)
        response["Referrer-Policy"] = "same-origin"
        return response

    return require_http_methods(["GET", "POST"])(never_cache(wrapped))


def _key(request: HttpRequest) -> str:
    return (request.POST.get("key") if request.method == "POST" else request.GET.get("key")) or ""


@_key_page
def verify_email_page(request: HttpRequest) -> HttpResponse:
    key = _key(request)
    context: dict[str, object] = {"key": key}
    if request.method == "POST":
        try:
            context["account"] = services.email_verify(key=key)
        except ApplicationError as exc:
            context["error"] = exc.message
            return render(request, "pages/account_verify_email.html", context, status=400)
    return render(request, "pages/account_verify_email.html", context)


@_key_page
def password_reset_page(request: HttpRequest) -> HttpResponse:
    key = _key(request)
    context: dict[str, object] = {"key": key}
    if request.method == "POST":
        password, again = request.POST.get("new_password", ""), request.POST.get("new_password_again", "")
        try:
            if password != again:
                raise ApplicationError("The two passwords differ.")
            context["account"] = services.password_reset_confirm(key=key, new_password=password)
        except ApplicationError as exc:
            context["error"] = " ".join([exc.message, *map(str, exc.details.values())]).strip()
            return render(request, "pages/account_password_reset.html", context, status=400)
    return render(request, "pages/account_password_reset.html", context)
