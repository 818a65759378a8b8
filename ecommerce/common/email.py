"""The one way the shop sends email: queued as an :class:`~ecommerce.common.models.Email` row in
the transaction that causes it, then rendered and sent by a worker (the ``email_send`` task of
``ecommerce.common.tasks``), through a pluggable sender (``EMAIL_SENDER``, a ``typing.Protocol``).

- At least once, never twice: a row per (event, recipient) (unique); the task locks the row and
  sends only a ``pending`` one, then marks it ``sent`` in the same transaction.
- A failed send is retried with exponential backoff and jitter (``EMAIL_RETRY_BASE_SECONDS``,
  ``EMAIL_RETRY_MAX_SECONDS``); after ``EMAIL_MAX_ATTEMPTS`` the email is ``dead``: the admin
  shows it with its error and re-sends it (action "Re-send"), as does
  ``manage.py resend_failed_emails``.
- Renderers: the apps register, in ``AppConfig.ready()``, how to render each ``kind`` from its
  JSON context (:func:`email_renderer_register`); the foundation imports no app.
"""

from __future__ import annotations

import enum
import logging
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Protocol

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import import_string

from .models import Email, EmailStatus

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


# --- Renderers -----------------------------------------------------------------------------------

Renderer = Callable[[str, Mapping[str, Any]], OutgoingEmail | None]
"""``renderer(to, context)`` → the email, or ``None`` when there is nothing to send any more
(e.g. the order's customer data was erased meanwhile)."""

_renderers: dict[str, Renderer] = {}


def email_renderer_register(kind: str, renderer: Renderer) -> None:
    """Render emails of ``kind`` with ``renderer`` (called from ``AppConfig.ready()``)."""
    _renderers[kind] = renderer


def _render_raw(to: str, context: Mapping[str, Any]) -> OutgoingEmail:
    """``raw``: an email stored already rendered (the rows moved from the old ``FailedEmail``)."""
    return OutgoingEmail(
        to=to, subject=context["subject"], text=context["text"], html=context.get("html", "")
    )


email_renderer_register("raw", _render_raw)


# --- Queueing ------------------------------------------------------------------------------------


def email_queue(*, event_id: str, to: str, kind: str, context: Mapping[str, Any]) -> Email | None:
    """Queue the ``kind`` email about ``event_id`` for ``to``, in the current transaction; the
    worker renders and sends it after commit. Idempotent: ``None`` (nothing queued) when that
    (event, recipient) already has an email. ``context`` must be JSON."""
    from .tasks import email_send, enqueue_on_commit

    if kind not in _renderers:
        raise ValueError(f"No email renderer for {kind!r}")
    email, created = Email.objects.get_or_create(
        event_id=event_id,
        to=to,
        defaults={"kind": kind, "context": dict(context), "next_attempt_at": timezone.now()},
    )
    if not created:
        return None
    enqueue_on_commit(email_send, email.pk)
    return email


def email_queue_on_commit(*, event_id: str, to: str, kind: str, context: Mapping[str, Any]) -> None:
    """Like :func:`email_queue`, but the row is written by the worker, after commit: the request
    itself touches the database no more than when there is nobody to email (the password reset
    of an unknown address must look the same). The price: a crash in the instant between the
    commit and the enqueue loses the email (the person asks again)."""
    from .tasks import email_queue_and_send, enqueue_on_commit

    if kind not in _renderers:
        raise ValueError(f"No email renderer for {kind!r}")
    enqueue_on_commit(email_queue_and_send, event_id, to, kind, dict(context))


# --- Sending (the worker) ------------------------------------------------------------------------


class EmailOutcome(enum.Enum):
    SENT = "sent"
    RETRY = "retry"  # failed; another attempt is due at ``next_attempt_at``
    DEAD = "dead"  # failed for the last time
    SKIPPED = "skipped"  # nothing to send (already sent, gone, or nothing to render)


def _error_text(exc: BaseException) -> str:
    """The error as the admin shows it: the exception's class and message, shortened."""
    return f"{type(exc).__name__}: {exc}"[:300]


def email_attempt(email_id: int) -> tuple[EmailOutcome, float]:
    """Render and send the queued email ``email_id`` if it is still pending, under its row lock
    (a second worker waits, then finds it sent). Returns the outcome and, for ``RETRY``, the
    seconds until the next attempt."""
    with transaction.atomic():
        email = Email.objects.select_for_update().filter(pk=email_id).first()
        if email is None or email.status != EmailStatus.PENDING:
            return EmailOutcome.SKIPPED, 0.0
        now = timezone.now()
        try:
            renderer = _renderers.get(email.kind)
            if renderer is None:
                raise LookupError(f"no email renderer for {email.kind!r}")
            message = renderer(email.to, email.context)
            if message is not None:
                email_sender_get().send(message)
        except Exception as exc:  # noqa: BLE001 - a mail outage is retried, then dead-lettered
            from .tasks import backoff_seconds

            email.attempts += 1
            email.last_error = _error_text(exc)
            logger.warning(
                "email not sent",
                extra={
                    "email_id": email.pk,
                    "kind": email.kind,
                    "attempt": email.attempts,
                    "error": type(exc).__name__,
                },
            )
            if email.attempts >= settings.EMAIL_MAX_ATTEMPTS:
                email.status, email.next_attempt_at = EmailStatus.DEAD, None
                email.save(update_fields=["attempts", "last_error", "status", "next_attempt_at"])
                logger.error("email dead-lettered", extra={"email_id": email.pk, "kind": email.kind})
                return EmailOutcome.DEAD, 0.0
            delay = backoff_seconds(
                email.attempts, base=settings.EMAIL_RETRY_BASE_SECONDS, cap=settings.EMAIL_RETRY_MAX_SECONDS
            )
            email.next_attempt_at = now + timedelta(seconds=delay)
            email.save(update_fields=["attempts", "last_error", "next_attempt_at"])
            return EmailOutcome.RETRY, delay
        email.attempts += 1
        email.next_attempt_at = None
        email.context = {}  # it may hold a one-time key: not kept once delivered
        if message is None:
            email.status = EmailStatus.SKIPPED
        else:
            email.status, email.sent_at, email.subject = EmailStatus.SENT, now, message.subject[:255]
        email.save(update_fields=["attempts", "next_attempt_at", "context", "status", "sent_at", "subject"])
        return (EmailOutcome.SENT if message else EmailOutcome.SKIPPED), 0.0


def emails_resend(*, ids: Iterable[int] | None = None) -> list[int]:
    """Send the dead emails (all, or those of ``ids``; pending ones of ``ids`` too) again: each
    gets a fresh run of attempts, sent after commit. Returns the ids queued."""
    from .tasks import email_send, enqueue_on_commit

    with transaction.atomic():
        rows = Email.objects.select_for_update()
        if ids is None:
            rows = rows.filter(status=EmailStatus.DEAD)
        else:
            rows = rows.filter(pk__in=list(ids), status__in=[EmailStatus.DEAD, EmailStatus.PENDING])
        queued = list(rows.order_by("created_at").values_list("pk", flat=True))
        Email.objects.filter(pk__in=queued).update(
            status=EmailStatus.PENDING, attempts=0, next_attempt_at=timezone.now()
        )
        for pk in queued:
            enqueue_on_commit(email_send, pk)
    return queued


def emails_sweep(*, limit: int = 1000) -> int:
    """Send again the pending emails whose attempt is overdue by ``OUTBOX_SWEEP_AFTER_SECONDS``
    (the task was lost: a crash between commit and enqueue, a broker outage). Returns how many."""
    from .tasks import email_send

    cutoff = timezone.now() - timedelta(seconds=settings.OUTBOX_SWEEP_AFTER_SECONDS)
    due = list(
        Email.objects.filter(status=EmailStatus.PENDING, next_attempt_at__lt=cutoff)
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:limit]
    )
    for pk in due:
        try:
            email_send.delay(pk)
        except Exception:  # noqa: BLE001 - broker down: the next sweep tries again
            logger.exception("email not re-sent by the sweeper", extra={"email_id": pk})
            break
    return len(due)


def emails_purge(*, older_than_days: int | None = None) -> int:
    """Delete sent and skipped emails older than ``OUTBOX_RETENTION_DAYS`` (housekeeping); dead
    ones stay until someone re-sends or deletes them."""
    days = settings.OUTBOX_RETENTION_DAYS if older_than_days is None else older_than_days
    deleted, _ = Email.objects.filter(
        status__in=[EmailStatus.SENT, EmailStatus.SKIPPED],
        created_at__lt=timezone.now() - timedelta(days=days),
    ).delete()
    return deleted
