"""The pages behind email links: keys from the #fragment (run in headless Chromium), never
cached, and bad keys of any shape are a 400, never a 500."""

from __future__ import annotations

from urllib.parse import quote

import pytest
from allauth.account import app_settings as allauth_settings
from django.core import mail, signing
from django.test import Client

from accounts.models import User
from tests.helpers.accounts import key_from_email
from tests.helpers.browser import ARGS, CHROMIUM, sync_playwright_or_skip

PASSWORD = "correct-horse-battery-9"


PAGES = ["/accounts/verify-email/", "/accounts/password/reset/"]


def _link(message: mail.EmailMessage) -> str:
    return next(word for word in message.body.split() if word.startswith("http"))


@pytest.mark.django_db
@pytest.mark.parametrize("path", PAGES)
def test_key_pages_are_never_cached_and_send_no_referer_to_other_sites(path):
    browser = Client()
    for response in (browser.get(f"{path}?key=legacy-key"), browser.post(path, {"key": "bad-key"})):
        assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]
        assert response["Referrer-Policy"] == "same-origin"
    page = browser.get(path).content.decode()
    assert 'src="/static/accounts/key-from-fragment.js"' in page and "<script>" not in page


@pytest.mark.django_db
@pytest.mark.parametrize("payload", ["abc", [1], {"pk": 1}, "1 OR 1=1", 2**70, None])
def test_signed_verification_key_with_a_non_integer_payload_is_a_400(api_client, payload):
    key = signing.dumps(payload, salt=allauth_settings.SALT)
    response = api_client.post("/api/auth/verify-email", {"key": key}, format="json")
    assert response.status_code == 400 and response.json()["error"]["details"] == {
        "key": "Invalid, expired or already used."
    }
    page = Client().post("/accounts/verify-email/", {"key": key})
    assert page.status_code == 400 and b"invalid" in page.content


@pytest.mark.django_db
@pytest.mark.parametrize("key", ["usr_\x00abc-1-2", "usr_a b-1-2", "usr_" + "a" * 300 + "-x", "-", "usr_-x"])
def test_malformed_reset_key_is_a_400(key):
    response = Client().post(
        "/accounts/password/reset/", {"key": key, "new_password": PASSWORD, "new_password_again": PASSWORD}
    )
    assert response.status_code == 400 and b"invalid" in response.content


@pytest.mark.django_db(transaction=True)
def test_email_links_work_in_a_browser_with_the_key_in_the_fragment(
    live_server, api_client, settings, monkeypatch
):
    """Register → open the verification link → confirm; reset → open the link → new password.
    The browser never sends the key in a URL; the page posts it in the form body."""
    sync_playwright = sync_playwright_or_skip()
    # Playwright's sync API runs an event loop in this thread; the test's own ORM calls are sync.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    settings.SITE_URL = live_server.url
    assert (
        api_client.post(
            "/api/auth/register", {"email": "browser@example.com", "password": PASSWORD}, format="json"
        ).status_code
        == 201
    )
    verify_link = _link(mail.outbox[-1])
    key = key_from_email(mail.outbox[-1])
    assert "#key=" in verify_link and "?" not in verify_link

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            page = chromium.new_page()
            sent: list[tuple[str, str]] = []
            page.on("request", lambda request: sent.append((request.url, request.post_data or "")))

            page.goto(verify_link)
            assert page.url == f"{live_server.url}/accounts/verify-email/"  # fragment removed
            page.click("text=Confirm my email address")
            page.wait_for_selector("text=is confirmed")
            assert User.objects.get(email="browser@example.com").email_verified

            api_client.post("/api/auth/password/reset", {"email": "browser@example.com"}, format="json")
            page.goto(_link(mail.outbox[-1]))
            page.fill("#new_password", "a-brand-new-pass-42")
            page.fill("#new_password_again", "a-brand-new-pass-42")
            page.click("text=Set the new password")
            page.wait_for_selector("text=has been changed")
            assert User.objects.get(email="browser@example.com").check_password("a-brand-new-pass-42")

            page.goto(f"{live_server.url}/accounts/password/reset/")
            assert page.is_visible("text=This link is incomplete") and not page.is_visible("form")
        finally:
            chromium.close()
    ours = [(url, body) for url, body in sent if url.startswith(live_server.url)]
    assert ours and not [url for url, _ in ours if "key=" in url or quote(key, safe="") in url or key in url]
    assert [body for _, body in ours if body.startswith("csrfmiddlewaretoken=") and "&key=" in body]
