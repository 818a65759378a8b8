"""The email to admins when an endpoint is disabled after failures: queued through the shop's one
email path (``ecommerce.common.email``: a row per event and recipient, sent by a worker)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.db.models import Q
from django.template.loader import render_to_string

from accounts.models import Role, User
from ecommerce.common.email import OutgoingEmail, email_queue, email_renderer_register

from .models import Endpoint

KIND = "webhooks.endpoint_disabled"


def admin_emails() -> list[str]:
    """The addresses of every active admin (staff or role ``admin``)."""
    admins = (
        User.objects.filter(is_active=True).filter(Q(is_staff=True) | Q(role=Role.ADMIN)).exclude(email="")
    )
    return sorted(set(admins.values_list("email", flat=True)))


def endpoint_disabled_notify(endpoint: Endpoint) -> None:
    """Queue the "endpoint disabled" email for every admin, in the current transaction (once per
    disabling and admin)."""
    assert endpoint.disabled_at is not None  # noqa: S101 - called right after disabling
    event_id = f"{endpoint.public_id}.disabled.{int(endpoint.disabled_at.timestamp())}"
    for address in admin_emails():
        email_queue(event_id=event_id, to=address, kind=KIND, context={"endpoint_id": endpoint.public_id})


def endpoint_disabled_render(to: str, context: Mapping[str, Any]) -> OutgoingEmail | None:
    """The email, from the endpoint as it is now (``None`` once the endpoint is gone)."""
    endpoint = Endpoint.objects.filter(public_id=context["endpoint_id"]).first()
    if endpoint is None:
        return None
    template_context = {"endpoint": endpoint, "site_url": settings.SITE_URL}
    return OutgoingEmail(
        to=to,
        subject=f"Webhook endpoint {endpoint.public_id} was disabled",
        text=render_to_string("emails/webhook_endpoint_disabled.txt", template_context),
        html=render_to_string("emails/webhook_endpoint_disabled.html", template_context),
    )


def notifications_connect() -> None:
    """Register the renderer (``WebhooksConfig.ready``)."""
    email_renderer_register(KIND, endpoint_disabled_render)
