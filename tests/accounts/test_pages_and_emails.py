"""The backend pages behind email links, FRONTEND_URL links, and the email templates."""

from __future__ import annotations

import pytest
from django.core import mail
from django.test import Client

from accounts.emails import SUBJECTS, email_render
from accounts.models import User
from tests.factories import UserFactory
from tests.helpers.accounts import key_from_email

pytestmark = pytest.mark.django_db
PASSWORD = "correct-horse-battery-9"


def test_verify_email_page_confirms_with_one_click(post_committed):
    post_committed("/api/auth/register", {"email": "page@example.com", "password": PASSWORD})
    link = next(word for word in mail.outbox[-1].body.split() if word.startswith("http"))
    # The key travels in the fragment, which browsers never send (the page's script posts it).
    assert link.startswith("http://127.0.0.1:8000/accounts/verify-email/#key=")
    browser = Client(enforce_csrf_checks=True)
    page = browser.get(link.removeprefix("http://127.0.0.1:8000").partition("#")[0])
    assert page.status_code == 200 and b"Confirm my email address" in page.content
    assert key_from_email(mail.outbox[-1]).encode() not in page.content
    assert not User.objects.get(email="page@example.com").email_verified  # a GET changes nothing
    token = page.cookies["csrftoken"].value
    done = browser.post(
        "/accounts/verify-email/", {"key": key_from_email(mail.outbox[-1]), "csrfmiddlewaretoken": token}
    )
    assert done.status_code == 200 and b"is confirmed" in done.content
    assert User.objects.get(email="page@example.com").email_verified
    again = browser.post(
        "/accounts/verify-email/", {"key": key_from_email(mail.outbox[-1]), "csrfmiddlewaretoken": token}
    )
    assert again.status_code == 400 and b"invalid" in again.content


def test_password_reset_page_sets_a_new_password(post_committed):
    user = UserFactory(email="pagereset@example.com")
    post_committed("/api/auth/password/reset", {"email": user.email})
    key = key_from_email(mail.outbox[-1])
    browser = Client()
    # A ?key= link (mailed before keys moved to the fragment) still fills the form.
    legacy = browser.get(f"/accounts/password/reset/?key={key}")
    assert legacy.status_code == 200 and f'value="{key}"'.encode() in legacy.content
    # Without a key the script shows "incomplete" (tests/accounts/test_key_pages.py runs it).
    assert (
        b'id="key-missing" hidden>This link is incomplete' in browser.get("/accounts/password/reset/").content
    )
    differ = browser.post(
        "/accounts/password/reset/",
        {"key": key, "new_password": "a-new-pass-123", "new_password_again": "other"},
    )
    assert differ.status_code == 400
    weak = browser.post(
        "/accounts/password/reset/", {"key": key, "new_password": "123", "new_password_again": "123"}
    )
    assert weak.status_code == 400 and b"too short" in weak.content
    ok = browser.post(
        "/accounts/password/reset/",
        {"key": key, "new_password": "a-new-pass-123", "new_password_again": "a-new-pass-123"},
    )
    assert ok.status_code == 200 and b"has been changed" in ok.content
    user.refresh_from_db()
    assert user.check_password("a-new-pass-123")


def test_links_point_at_frontend_url_when_set(post_committed, settings):
    settings.FRONTEND_URL = "https://shop.example.com"
    post_committed("/api/auth/register", {"email": "front@example.com", "password": PASSWORD})
    assert "https://shop.example.com/verify-email?key=" in mail.outbox[-1].body
    UserFactory(email="front2@example.com")
    post_committed("/api/auth/password/reset", {"email": "front2@example.com"})
    assert "https://shop.example.com/reset-password?key=" in mail.outbox[-1].body


@pytest.mark.parametrize("template", sorted(SUBJECTS))
def test_every_email_has_text_and_html(template):
    message = email_render(
        template=template, to="x@example.com", context={"link": "https://l/", "first_name": "X"}
    )
    assert message.subject == SUBJECTS[template]
    assert "x@example.com" in message.text and message.html.lstrip().startswith("<!doctype html>")


def test_mail_outage_does_not_break_a_committed_registration(post_committed, settings):
    settings.EMAIL_BACKEND = "tests.accounts.test_pages_and_emails.BrokenBackend"
    response = post_committed("/api/auth/register", {"email": "outage@example.com", "password": PASSWORD})
    assert response.status_code == 201 and User.objects.filter(email="outage@example.com").exists()


class BrokenBackend:
    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        raise ConnectionRefusedError("SMTP down")
