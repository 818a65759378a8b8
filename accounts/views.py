"""The backend's own pages behind the links in account emails (used when no ``FRONTEND_URL``
is set): a person clicks the link, confirms with one button (so link scanners that only GET
change nothing) or types a new password."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from ecommerce.common.exceptions import ApplicationError

from . import services


@require_http_methods(["GET", "POST"])
def verify_email_page(request: HttpRequest) -> HttpResponse:
    key = (request.POST.get("key") if request.method == "POST" else request.GET.get("key")) or ""
    context: dict[str, object] = {"key": key}
    if request.method == "POST":
        try:
            context["account"] = services.email_verify(key=key)
        except ApplicationError as exc:
            context["error"] = exc.message
            return render(request, "pages/account_verify_email.html", context, status=400)
    return render(request, "pages/account_verify_email.html", context)


@require_http_methods(["GET", "POST"])
def password_reset_page(request: HttpRequest) -> HttpResponse:
    key = (request.POST.get("key") if request.method == "POST" else request.GET.get("key")) or ""
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
