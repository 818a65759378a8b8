"""Emails as tasks (``ecommerce.common.email``): queued in the transaction that causes them,
rendered and sent after commit (here in-process: no broker), once per (event, recipient);
a mail server that is down is retried, then the email is dead-lettered, shown in the admin with
its error and re-sent from there or by ``resend_failed_emails``. The mail server is a fake SMTP
server on 127.0.0.1 (tests/helpers/fake_smtp.py)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from ecommerce.common.email import email_attempt, email_queue, emails_purge
from ecommerce.common.models import Email, EmailStatus
from ecommerce.common.tasks import backoff_seconds, housekeeping_run
from ecommerce.events.tasks import outbox_sweep
from tests.factories import AdminUserFactory
from tests.helpers.fake_smtp import FakeSmtpServer

pytestmark = pytest.mark.django_db(transaction=True)

RAW = {"subject": "Hello", "text": "body", "html": "<p>body</p>"}


@pytest.fixture
def smtp(settings) -> Iterator[FakeSmtpServer]:
    """The shop's mail server: a fake SMTP server on 127.0.0.1, up at first."""
    server = FakeSmtpServer().start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", server.port, 2
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    yield server
    server.stop()


def queue(event_id: str = "evt_1", to: str = "a@example.com") -> Email | None:
    with transaction.atomic():
        return email_queue(event_id=event_id, to=to, kind="raw", context=RAW)


def test_sent_after_commit_once_per_event_and_recipient(smtp):
    with transaction.atomic():
        email = email_queue(event_id="evt_1", to="a@example.com", kind="raw", context=RAW)
        assert smtp.messages == []  # nothing leaves before the commit
    assert queue("evt_1", "a@example.com") is None  # the same event and recipient: not again
    queue("evt_1", "b@example.com")  # another recipient of the same event: its own email
    assert sorted(rcpt[0] for rcpt, _ in smtp.messages) == ["a@example.com", "b@example.com"]
    email.refresh_from_db()
    assert (email.status, email.attempts, email.subject, email.context) == (EmailStatus.SENT, 1, "Hello", {})
    assert email_attempt(email.pk)[0].value == "skipped"  # a redelivered task sends nothing
    assert len(smtp.messages) == 2
    _, message = smtp.messages[0]
    assert message.is_multipart() and message.get_payload()[1].get_content_type() == "text/html"


def test_smtp_down_is_retried_then_sent_when_it_comes_back_and_never_twice(smtp, settings, caplog):
    smtp.stop()
    assert smtp.refused()
    email = queue()
    email.refresh_from_db()
    assert email.status == EmailStatus.PENDING and email.attempts == 1
    assert email.last_error.startswith("ConnectionRefusedError")
    assert email.next_attempt_at > timezone.now()  # backed off; no retry inside the request
    assert any(r.message == "email not sent" for r in caplog.records)
    # the sweeper finds it once its retry is overdue; still down: one more attempt
    Email.objects.filter(pk=email.pk).update(next_attempt_at=timezone.now() - timedelta(minutes=5))
    outbox_sweep()
    email.refresh_from_db()
    assert email.status == EmailStatus.PENDING and email.attempts == 2

    smtp.start()  # the mail server is back
    Email.objects.filter(pk=email.pk).update(next_attempt_at=timezone.now() - timedelta(minutes=5))
    outbox_sweep()
    outbox_sweep()
    call_command("resend_failed_emails", "--pending")
    email.refresh_from_db()
    assert email.status == EmailStatus.SENT and email.attempts == 3
    assert smtp.subjects() == ["Hello"]  # sent once


def test_dead_letter_after_the_last_attempt_shown_in_the_admin_and_resent(smtp, settings, client, capsys):
    settings.EMAIL_MAX_ATTEMPTS = 2
    smtp.stop()
    email = queue()
    Email.objects.filter(pk=email.pk).update(next_attempt_at=timezone.now() - timedelta(minutes=5))
    outbox_sweep()
    email.refresh_from_db()
    assert email.status == EmailStatus.DEAD and email.attempts == 2 and email.next_attempt_at is None
    assert outbox_sweep() == 0  # dead: left for a person

    client.force_login(AdminUserFactory())
    page = client.get("/admin/common/email/?status__exact=dead").content.decode()
    assert "a@example.com" in page and "ConnectionRefusedError" in page
    assert "<p>body</p>" not in client.get(f"/admin/common/email/{email.pk}/change/").content.decode()

    smtp.start()
    response = client.post(
        "/admin/common/email/", {"action": "resend", "_selected_action": [email.pk]}, follow=True
    )
    assert "1 email(s) queued for sending (1 sent already)." in response.content.decode()
    assert smtp.subjects() == ["Hello"]
    call_command("resend_failed_emails")  # nothing dead any more
    assert "Queued 0" in capsys.readouterr().out
    assert smtp.subjects() == ["Hello"]


def test_resend_failed_emails_sends_the_dead_ones(smtp, settings, capsys):
    settings.EMAIL_MAX_ATTEMPTS = 1
    smtp.stop()
    queue("evt_1")
    queue("evt_2")
    assert Email.objects.filter(status=EmailStatus.DEAD).count() == 2
    smtp.start()
    call_command("resend_failed_emails")
    assert "Queued 2: sent 2, pending 0, dead 0." in capsys.readouterr().out
    assert smtp.subjects() == ["Hello", "Hello"]


def test_backoff_is_exponential_capped_and_jittered():
    delays = [backoff_seconds(n, base=30, cap=600) for n in range(1, 8)]
    for n, delay in enumerate(delays, start=1):
        full = min(600, 30 * 2 ** (n - 1))
        assert full / 2 <= delay <= full
    assert len({round(backoff_seconds(3, base=30, cap=600), 6) for _ in range(20)}) > 1  # jitter


def test_housekeeping_purges_old_sent_emails_but_keeps_dead_ones(settings):
    old = timezone.now() - timedelta(days=settings.OUTBOX_RETENTION_DAYS + 1)
    for status in (EmailStatus.SENT, EmailStatus.DEAD):
        row = Email.objects.create(event_id=f"evt_{status}", to="a@example.com", kind="raw", status=status)
        Email.objects.filter(pk=row.pk).update(created_at=old)
    assert emails_purge() == 1
    assert housekeeping_run()["common.emails"] == 0
    assert list(Email.objects.values_list("status", flat=True)) == [EmailStatus.DEAD]


def test_failed_email_rows_move_to_the_email_queue():
    """``common/0002`` moves the old FailedEmail rows: unsent ones become dead (re-sendable),
    sent ones stay sent."""
    executor = MigrationExecutor(connection)
    executor.migrate([("common", "0001_initial")])
    old = executor.loader.project_state([("common", "0001_initial")]).apps
    FailedEmail = old.get_model("common", "FailedEmail")
    FailedEmail.objects.create(
        to="x@example.com", subject="S", text="T", html="<p>H</p>", error="SMTPException", attempts=3
    )
    FailedEmail.objects.create(to="y@example.com", subject="S2", text="T2", sent_at=timezone.now())
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())
    rows = {e.to: e for e in Email.objects.all()}
    assert rows["x@example.com"].status == EmailStatus.DEAD and rows["x@example.com"].kind == "raw"
    assert rows["x@example.com"].context == {"subject": "S", "text": "T", "html": "<p>H</p>"}
    assert (rows["x@example.com"].attempts, rows["x@example.com"].last_error) == (3, "SMTPException")
    assert rows["y@example.com"].status == EmailStatus.SENT and rows["y@example.com"].context == {}
