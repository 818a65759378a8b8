"""Account emails: rendered from ``templates/emails/account_*`` (text and HTML) and sent after
the surrounding transaction commits, through a pluggable sender (``ACCOUNTS_EMAIL_SENDER``)."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from functools import partial
from typing import Any, Protocol

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.utils.module_loading import import_string

logger = logging.getLogger("accounts.emails")

SUBJECTS = {
    "verify_email": "Confirm your email address",
    "password_reset": "Reset your password",
    "password_changed": "Your password was changed",
    "account_deleted": "Your account was deleted",
}


@dataclass(frozen=True)
class OutgoingEmail:
    to: str
    subject: str
    text: str
    html: str


class EmailSender(Protocol):
    def send(self, message: OutgoingEmail) -> None: ...


class DjangoEmailSender:
    """Sends through Django's configured ``EMAIL_BACKEND`` (SMTP in production)."""

    def send(self, message: OutgoingEmail) -> None:
        email = EmailMultiAlternatives(
            subject=message.subject,
            body=message.text,
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[message.to],
        )
        email.attach_alternative(message.html, "text/html")
        email.send()


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


def _deliver(message: OutgoingEmail) -> None:
    sender: EmailSender = import_string(
        getattr(settings, "ACCOUNTS_EMAIL_SENDER", "accounts.emails.DjangoEmailSender")
    )()
    try:
        sender.send(message)
    except Exception:  # noqa: BLE001 - a mail outage must not turn a committed change into a 500
        logger.exception("account email could not be sent", extra={"subject": message.subject})


def email_send_on_commit(*, template: str, to: str, context: dict[str, Any]) -> OutgoingEmail:
    """Render now (same work whether or not it is sent), deliver after the transaction commits."""
    message = email_render(template=template, to=to, context=context)
    transaction.on_commit(partial(_deliver, message))
    return message
