"""Account emails: rendered from ``templates/emails/account_*`` (text and HTML) and sent after
the surrounding transaction commits through the shop's one sender (``ecommerce.common.email``)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.template.loader import render_to_string

from ecommerce.common import email as common_email
from ecommerce.common.email import OutgoingEmail

SUBJECTS = {
    "verify_email": "Confirm your email address",
    "password_reset": "Reset your password",
    "password_changed": "Your password was changed",
    "account_deleted": "Your account was deleted",
}


def email_render(*, template: str, to: str, context: dict[str, Any]) -> OutgoingEmail:
    """Render ``emails/account_<template>.txt`` and ``.html`` for ``to``."""
    subject = SUBJECTS[template]
    context = {"site_url": settings.SITE_URL, "email": to, "subject": subject, **context}
    return OutgoingEmail(
        to=to,
        subject=subject,
        text=render_to_string(f"emails/account_{template}.txt", context),
        html=render_to_string(f"emails/account_{template}.html", context),
    )


def email_send_on_commit(*, template: str, to: str, context: dict[str, Any]) -> OutgoingEmail:
    """Render now (same work whether or not it is sent), deliver after the transaction commits."""
    message = email_render(template=template, to=to, context=context)
    common_email.email_send_on_commit(message)
    return message
