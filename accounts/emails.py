"""Account emails: queued in the transaction of the change (``ecommerce.common.email``), then
rendered from ``templates/emails/account_*`` (text and HTML) and sent by a worker."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.template.loader import render_to_string

from ecommerce.common.email import OutgoingEmail, email_queue, email_queue_on_commit, email_renderer_register

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
    email). ``context`` must be JSON; it is kept only until the email is sent.

    The password reset email's row is written by the worker instead
    (``email_queue_on_commit``), so that a reset request for a known address does no more in
    the request than one for an unknown address."""
    queue = email_queue_on_commit if template == "password_reset" else email_queue
    queue(event_id=f"acc_{uuid.uuid4().hex}", to=to, kind=f"accounts.{template}", context=context)


def account_emails_connect() -> None:
    """Register the renderers (``AccountsConfig.ready``)."""
    for template in SUBJECTS:
        email_renderer_register(
            f"accounts.{template}",
            lambda to, context, template=template: email_render(template=template, to=to, context=context),
        )
