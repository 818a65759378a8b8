"""The one way the shop sends email: a pluggable sender (``EMAIL_SENDER``, a ``typing.Protocol``)
called after the business transaction commits. A send that fails (mail server down, refused) is
logged and stored as a :class:`~ecommerce.common.models.FailedEmail`, which
``python manage.py resend_failed_emails`` or the admin action "Re-send" delivers later.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from functools import partial
from typing import Protocol

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import import_string

logger = logging.getLogger("ecommerce.email")


@dataclass(frozen=True)
class OutgoingEmail:
    to: str
    subject: str
    text: str
    html: str


class EmailSender(Protocol):
    def send(self, message: OutgoingEmail) -> None:
        """Deliver ``message`` or raise."""
        ...


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


def email_sender_get() -> EmailSender:
    return import_string(settings.EMAIL_SENDER)()


def email_deliver(message: OutgoingEmail) -> bool:
    """Send now. On failure: log (without the body) and keep the email for a later re-send."""
    from .models import FailedEmail

    try:
        email_sender_get().send(message)
        return True
    except Exception as exc:  # noqa: BLE001 - a mail outage must never fail the business operation
        logger.exception("email not sent; stored for re-send", extra={"subject": message.subject})
        try:
            FailedEmail.objects.create(
                to=message.to,
                subject=message.subject,
                text=message.text,
                html=message.html,
                error=type(exc).__name__,
            )
        except Exception:  # noqa: BLE001 - even the database may be the thing that is down
            logger.exception("failed email could not be stored", extra={"subject": message.subject})
        return False


def email_send_on_commit(message: OutgoingEmail) -> None:
    """Deliver ``message`` once the current transaction commits (at once outside one)."""
    transaction.on_commit(partial(email_deliver, message))


def failed_emails_resend(*, ids: list[int] | None = None, limit: int = 500) -> tuple[int, int]:
    """Try the stored failed emails (all unsent ones, or those in ``ids``) again, oldest first.

    Returns ``(sent, still_failing)``.
    """
    from .models import FailedEmail

    pending = FailedEmail.objects.filter(sent_at__isnull=True).order_by("created_at")
    if ids is not None:
        pending = pending.filter(pk__in=ids)
    sent = failing = 0
    for failed in pending[:limit]:
        message = OutgoingEmail(to=failed.to, subject=failed.subject, text=failed.text, html=failed.html)
        try:
            email_sender_get().send(message)
        except Exception as exc:  # noqa: BLE001
            failed.attempts += 1
            failed.error = type(exc).__name__
            failed.save(update_fields=["attempts", "error"])
            failing += 1
            continue
        failed.sent_at = timezone.now()
        failed.attempts += 1
        failed.save(update_fields=["sent_at", "attempts"])
        sent += 1
    return sent, failing
