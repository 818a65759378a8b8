"""Email links carry the key URL-encoded (``#key=MQ%3A1t…``); posting it as the link shows it
or decoded works the same on verify-email and password/reset/confirm."""

from __future__ import annotations

import re
from urllib.parse import quote

import pytest
from django.conf import settings
from django.core import mail

from tests.factories import UserFactory
from tests.helpers.accounts import key_from_email

pytestmark = pytest.mark.django_db
PASSWORD = "correct-horse-battery-9"
NEW_PASSWORD = "another-horse-battery-7"


def _raw_key(message: mail.EmailMessage) -> str:
    """The key exactly as the link in the email carries it (still URL-encoded)."""
    match = re.search(r"[#?]key=([^\s&]+)", message.body)
    assert match, message.body
    return match.group(1)


@pytest.mark.parametrize("form", ["encoded", "decoded"])
def test_encoded_keys_verify_email_either_form(api_client, post_committed, form):
    post_committed("/api/auth/register", {"email": "ada@example.com", "password": PASSWORD})
    raw, decoded = _raw_key(mail.outbox[0]), key_from_email(mail.outbox[0])
    assert raw != decoded and "%3A" in raw  # the link really carries an encoded key
    assert f"{settings.SITE_URL}/" in mail.outbox[0].body  # links are built on SITE_URL
    response = api_client.post(
        "/api/auth/verify-email/", {"key": raw if form == "encoded" else decoded}, format="json"
    )
    assert response.status_code == 200 and response.json()["user"]["email_verified"] is True


def test_encoded_keys_a_used_key_stays_refused_in_either_form(api_client, post_committed):
    post_committed("/api/auth/register", {"email": "ada@example.com", "password": PASSWORD})
    raw = _raw_key(mail.outbox[0])
    assert api_client.post("/api/auth/verify-email/", {"key": raw}, format="json").status_code == 200
    again = api_client.post("/api/auth/verify-email/", {"key": key_from_email(mail.outbox[0])}, format="json")
    assert again.status_code == 400


@pytest.mark.parametrize("form", ["encoded", "decoded", "fully-encoded"])
def test_encoded_keys_password_reset_confirm_either_form(api_client, post_committed, form):
    user = UserFactory(email="reset@example.com")
    post_committed("/api/auth/password/reset", {"email": user.email})
    decoded = key_from_email(mail.outbox[0])
    key = {
        "encoded": _raw_key(mail.outbox[0]),
        "decoded": decoded,
        # a client that encodes every character it is unsure of ("-" → %2D)
        "fully-encoded": quote(decoded, safe="").replace("-", "%2D"),
    }[form]
    response = post_committed("/api/auth/password/reset/confirm", {"key": key, "new_password": NEW_PASSWORD})
    assert response.status_code == 200 and response.json()["user"]["id"] == user.public_id
    login = api_client.post("/api/auth/login", {"email": user.email, "password": NEW_PASSWORD}, format="json")
    assert login.status_code == 200


def test_encoded_keys_a_bad_key_is_still_400(api_client):
    for key in ("%ZZ", "usr_x%2Dnot-a-token", "MQ%3Anope%3Anope"):
        response = api_client.post("/api/auth/verify-email/", {"key": key}, format="json")
        assert response.status_code == 400 and response.json()["error"]["code"] == "INVALID_REQUEST"
