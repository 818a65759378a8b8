"""Account emails: queued in the transaction of the change (``ecommerce.common.email``), then
rendered from ``templates/emails/account_*`` (text and HTML) and sent by a worker."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from functools import partial
from typing import Any

from allauth.account.models import EmailAddress, EmailConfirmationHMAC
from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.template.loader import render_to_string

from ecommerce.common.email import OutgoingEmail, email_queue, email_queue_on_commit, email_renderer_register

from .links import password_reset_link, verification_link
from .models import User

SUBJECTS = {
    "verify_email": "Confirm your email address",
    "password_reset": "Reset your password",
    "password_changed": "Your password was changed",
    "account_deleted": "Your account was deleted",
}


def email_render(*, template: str, to: str, context: Mapping[str, Any]) -> OutgoingEmail:
    """Render ``emails/account_<template>.txt`` and ``.html`` for ``to``."""
    subject = SUBJECTS[template]
    full = {"site_url": settings.SITE_URL, "email": to, "subject": subject, **context}
    return OutgoingEmail(
        to=to,
        subject=subject,
        text=render_to_string(f"emails/account_{template}.txt", full),
        html=render_to_string(f"emails/account_{template}.html", full),
    )


def email_send_on_commit(*, template: str, to: str, context: dict[str, Any]) -> None:
    """Queue the ``template`` email for ``to`` in the current transaction; a worker renders and
    sends it after commit. Every call is its own event (a second reset request is a second
    email). ``context`` is JSON and holds no secret: keys are made when the email is rendered.

    The password reset email's row is written by the worker instead
    (``email_queue_on_commit``), so that a reset request for a known address does no more in
    the request than one for an unknown address."""
    queue = email_queue_on_commit if template == "password_reset" else email_queue
    queue(event_id=f"acc_{uuid.uuid4().hex}", to=to, kind=f"accounts.{template}", context=context)


def reset_key(user: User) -> str:
    """A password reset key: Django's generator (the one allauth's extends), an HMAC over the
    password hash, last login, email and a timestamp, checked in constant time. allauth's
    subclass writes email rows while it hashes, so it is not used here."""
    return f"{user.public_id}-{default_token_generator.make_token(user)}"


def _context_with_keys(template: str, context: Mapping[str, Any]) -> dict[str, Any] | None:
    """The template context, with the one-time key made now (queued emails and task arguments
    never hold a key, so neither the database nor a log line can leak one). ``None`` when the
    email has no purpose any more (the address is verified, the account gone or disabled)."""
    if template == "verify_email":
        address = EmailAddress.objects.select_related("user").filter(pk=context["address_id"]).first()
        if address is None or address.verified or not address.user.is_active:
            return None
        key = EmailConfirmationHMAC(address).key
        return {"link": verification_link(key), "key": key, "first_name": address.user.first_name}
    if template == "password_reset":
        user = User.objects.filter(pk=context["user_id"], is_active=True).first()
        if user is None:
            return None
        key = reset_key(user)
        return {
            "link": password_reset_link(key),
            "key": key,
            "timeout_minutes": settings.PASSWORD_RESET_TIMEOUT // 60,
        }
    return dict(context)


def account_email_render(template: str, to: str, context: Mapping[str, Any]) -> OutgoingEmail | None:
    """The renderer of ``accounts.<template>`` emails (``ecommerce.common.email``)."""
    full = _context_with_keys(template, context)
    return None if full is None else email_render(template=template, to=to, context=full)


def account_emails_connect() -> None:
    """Register the renderers (``AccountsConfig.ready``)."""
    for template in SUBJECTS:
        email_renderer_register(f"accounts.{template}", partial(account_email_render, template))
