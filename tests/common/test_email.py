"""A refused mail server never fails the operation; the email is kept and can be re-sent."""

import socket

import pytest
from django.core import mail
from django.core.management import call_command

from ecommerce.common.email import OutgoingEmail, email_deliver
from ecommerce.common.models import FailedEmail
from tests.factories import AdminUserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def refused_smtp(settings):
    """SMTP pointed at a port on 127.0.0.1 where nothing listens: connections are refused."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", port, 2
    return settings


MESSAGE = OutgoingEmail(to="a@example.com", subject="Hello", text="body", html="<p>body</p>")


def test_refused_send_is_stored_then_resent_by_command(refused_smtp, capsys):
    assert email_deliver(MESSAGE) is False
    failed = FailedEmail.objects.get()
    assert (failed.to, failed.subject, failed.error) == ("a@example.com", "Hello", "ConnectionRefusedError")

    call_command("resend_failed_emails")  # still down
    failed.refresh_from_db()
    assert failed.attempts == 2 and failed.sent_at is None

    refused_smtp.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"  # server back
    call_command("resend_failed_emails")
    assert "Sent 1, still failing 0." in capsys.readouterr().out
    failed.refresh_from_db()
    assert failed.sent_at is not None
    assert [m.subject for m in mail.outbox] == ["Hello"] and mail.outbox[0].alternatives[0][1] == "text/html"


def test_admin_resend_action(refused_smtp, client):
    email_deliver(MESSAGE)
    refused_smtp.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    client.force_login(AdminUserFactory())
    failed = FailedEmail.objects.get()
    assert client.get("/admin/common/failedemail/").status_code == 200
    response = client.post(
        "/admin/common/failedemail/", {"action": "resend", "_selected_action": [failed.pk]}, follow=True
    )
    assert "1 email(s) sent, 0 still failing." in response.content.decode()
    assert len(mail.outbox) == 1
