"""Bad input and abuse: duplicates, weak passwords, malformed emails, bad keys, bad tokens,
brute force, and reset requests that must not reveal whether an account exists."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from django.core import mail, signing
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import AccessToken

from accounts.models import User
from tests.factories import UserFactory
from tests.helpers.accounts import key_from_email

pytestmark = [pytest.mark.django_db, pytest.mark.rate_window]
PASSWORD = "correct-horse-battery-9"


def _error(response) -> dict:
    return response.json()["error"]


def test_register_duplicate_email_in_another_case(api_client):
    UserFactory(email="dup@example.com")
    response = api_client.post(
        "/api/auth/register", {"email": "DUP@Example.com", "password": PASSWORD}, format="json"
    )
    assert response.status_code == 400 and "email" in _error(response)["details"]
    assert User.objects.filter(email="dup@example.com").count() == 1


@pytest.mark.parametrize("password", ["short", "12345678901", "password123", "dup-user@example.com"])
def test_register_weak_password(api_client, password):
    response = api_client.post(
        "/api/auth/register", {"email": "dup-user@example.com", "password": password}, format="json"
    )
    assert response.status_code == 400 and "password" in _error(response)["details"]
    assert not User.objects.filter(email="dup-user@example.com").exists()


@pytest.mark.parametrize("email", ["not-an-email", "a@", "@example.com", "a b@example.com", ""])
def test_register_malformed_email(api_client, email):
    response = api_client.post("/api/auth/register", {"email": email, "password": PASSWORD}, format="json")
    assert response.status_code == 400 and _error(response)["code"] == "INVALID_REQUEST"
    assert "email" in _error(response)["details"]
    assert User.objects.count() == 0


def test_register_rejects_non_json(api_client):
    response = api_client.post(
        "/api/auth/register", "email=x", content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 415 and _error(response)["code"] == "UNSUPPORTED_MEDIA_TYPE"


def test_verify_email_forged_expired_and_used_keys(api_client, post_committed, monkeypatch):
    post_committed("/api/auth/register", {"email": "keys@example.com", "password": PASSWORD})
    key = key_from_email(mail.outbox[-1])

    forged = key[:-2] + ("AA" if not key.endswith("AA") else "BB")
    for bad in (forged, "garbage", signing.dumps(obj=1, salt="other")):
        response = api_client.post("/api/auth/verify-email", {"key": bad}, format="json")
        assert response.status_code == 400 and "key" in _error(response)["details"]

    real_time = time.time
    monkeypatch.setattr(signing.time, "time", lambda: real_time() + 4 * 24 * 3600)  # past 3 days
    expired = api_client.post("/api/auth/verify-email", {"key": key}, format="json")
    assert expired.status_code == 400
    monkeypatch.setattr(signing.time, "time", real_time)

    assert api_client.post("/api/auth/verify-email", {"key": key}, format="json").status_code == 200
    used = api_client.post("/api/auth/verify-email", {"key": key}, format="json")
    assert used.status_code == 400 and "key" in _error(used)["details"]


def test_password_reset_forged_and_expired_keys(api_client, post_committed, settings):
    user = UserFactory(email="rk@example.com")
    post_committed("/api/auth/password/reset", {"email": user.email})
    key = key_from_email(mail.outbox[-1])
    other = UserFactory()
    for bad in (
        "nonsense",
        f"{other.public_id}-{key.split('-', 1)[1]}",  # another user's id with this token
        key[:-3] + "zzz",
        "usr_unknown-abc-def",
    ):
        response = api_client.post(
            "/api/auth/password/reset/confirm",
            {"key": bad, "new_password": "fresh-passphrase-77"},
            format="json",
        )
        assert response.status_code == 400 and "key" in _error(response)["details"]
    weak = api_client.post(
        "/api/auth/password/reset/confirm", {"key": key, "new_password": "abc"}, format="json"
    )
    assert weak.status_code == 400 and "new_password" in _error(weak)["details"]
    settings.PASSWORD_RESET_TIMEOUT = -1  # every key is now past its lifetime
    expired = api_client.post(
        "/api/auth/password/reset/confirm", {"key": key, "new_password": "fresh-passphrase-77"}, format="json"
    )
    assert expired.status_code == 400
    user.refresh_from_db()
    assert user.check_password(PASSWORD)


def test_password_reset_unknown_email_looks_the_same(api_client, django_capture_on_commit_callbacks):
    UserFactory(email="known@example.com")
    answers, query_counts = [], []
    queued = []
    for email in ("known@example.com", "unknown@example.com"):
        with django_capture_on_commit_callbacks() as callbacks:
            with CaptureQueriesContext(connection) as queries:
                response = api_client.post("/api/auth/password/reset", {"email": email}, format="json")
        answers.append((response.status_code, response.json()))
        query_counts.append(len([q for q in queries.captured_queries if "SAVEPOINT" not in q["sql"]]))
        queued.append(list(callbacks))
    assert answers[0] == answers[1] and answers[0][0] == 202
    assert query_counts[0] == query_counts[1]  # one lookup each, nothing else touches the database
    # The known address only enqueues its email after commit (a worker writes the row, renders
    # and sends it: docs/background-jobs.md); the unknown one enqueues nothing.
    assert [len(callbacks) for callbacks in queued] == [1, 0]
    queued[0][0]()
    assert [m.to for m in mail.outbox] == [["known@example.com"]]


def test_tampered_and_expired_access_tokens(api_client):
    user = UserFactory()
    token = AccessToken.for_user(user)
    header, payload, signature = str(token).split(".")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {header}.{payload}.{signature[::-1]}")
    response = client.get("/api/auth/me")
    assert response.status_code == 401 and _error(response)["code"] == "TOKEN_INVALID"

    expired = AccessToken.for_user(user)
    expired.set_exp(lifetime=-timedelta(seconds=1))
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {expired}")
    response = client.get("/api/auth/me")
    assert response.status_code == 401 and _error(response)["code"] == "TOKEN_INVALID"


def test_refresh_with_garbage_or_access_token_is_refused(api_client):
    user = UserFactory()
    for bad in ("garbage", str(AccessToken.for_user(user))):
        response = api_client.post("/api/auth/token/refresh", {"refresh": bad}, format="json")
        assert response.status_code == 401 and _error(response)["code"] == "TOKEN_INVALID"


def test_logout_with_someone_elses_refresh_token_is_refused(api_client, auth_client):
    mine, theirs = UserFactory(), UserFactory(email="victim@example.com")
    their_refresh = api_client.post(
        "/api/auth/login", {"email": theirs.email, "password": PASSWORD}, format="json"
    ).json()["refresh"]
    response = auth_client(mine).post("/api/auth/logout", {"refresh": their_refresh}, format="json")
    assert response.status_code == 401
    assert (
        api_client.post("/api/auth/token/refresh", {"refresh": their_refresh}, format="json").status_code
        == 200
    )


def test_login_wrong_password_and_unknown_email(api_client):
    UserFactory(email="who@example.com")
    for email, password in (("who@example.com", "wrong-password"), ("nobody@example.com", PASSWORD)):
        response = api_client.post("/api/auth/login", {"email": email, "password": password}, format="json")
        assert response.status_code == 401 and _error(response)["code"] == "INVALID_CREDENTIALS"


def test_login_inactive_user_is_invalid_credentials(api_client):
    user = UserFactory(is_active=False)
    response = api_client.post("/api/auth/login", {"email": user.email, "password": PASSWORD}, format="json")
    assert response.status_code == 401


def test_login_brute_force_per_account(api_client, settings):
    settings.ACCOUNTS_LOGIN_LIMIT_PER_ACCOUNT_IP = (3, 900)
    user = UserFactory(email="target@example.com")
    for _ in range(3):
        response = api_client.post(
            "/api/auth/login", {"email": user.email, "password": "guess"}, format="json"
        )
        assert response.status_code == 401
    # Even the right password waits now, from this IP (counted per account and IP) …
    response = api_client.post(
        "/api/auth/login", {"email": "TARGET@example.com", "password": PASSWORD}, format="json"
    )
    assert response.status_code == 429 and _error(response)["code"] == "RATE_LIMITED"
    assert int(response["Retry-After"]) > 0
    # … but not from another one: a stranger's guesses do not lock the owner out everywhere.
    response = api_client.post(
        "/api/auth/login",
        {"email": "TARGET@example.com", "password": PASSWORD},
        format="json",
        REMOTE_ADDR="10.0.0.9",
    )
    assert response.status_code == 200


def test_login_brute_force_per_ip(api_client, settings):
    settings.ACCOUNTS_LOGIN_LIMIT_PER_IP = (4, 300)
    UserFactory(email="ok@example.com")
    for index in range(4):
        response = api_client.post(
            "/api/auth/login", {"email": f"spray{index}@example.com", "password": "guess"}, format="json"
        )
        assert response.status_code == 401
    response = api_client.post(
        "/api/auth/login", {"email": "ok@example.com", "password": PASSWORD}, format="json"
    )
    assert response.status_code == 429 and response["Retry-After"]
    other_ip = api_client.post(
        "/api/auth/login",
        {"email": "ok@example.com", "password": PASSWORD},
        format="json",
        REMOTE_ADDR="10.1.1.1",
    )
    assert other_ip.status_code == 200


def test_successful_login_resets_the_account_counter(api_client, settings):
    settings.ACCOUNTS_LOGIN_LIMIT_PER_ACCOUNT = (3, 900)
    user = UserFactory()
    for _ in range(5):
        api_client.post("/api/auth/login", {"email": user.email, "password": "typo"}, format="json")
        api_client.post("/api/auth/login", {"email": user.email, "password": "typo"}, format="json")
        assert (
            api_client.post(
                "/api/auth/login", {"email": user.email, "password": PASSWORD}, format="json"
            ).status_code
            == 200
        )


def test_password_reset_is_throttled_the_same_for_unknown_addresses(api_client, settings):
    settings.ACCOUNTS_RESET_LIMIT_PER_ACCOUNT = (2, 3600)
    UserFactory(email="many@example.com")
    for email in ("many@example.com", "ghost@example.com"):
        codes = [
            api_client.post("/api/auth/password/reset", {"email": email}, format="json").status_code
            for _ in range(3)
        ]
        assert codes == [202, 202, 429]


def test_resend_is_throttled(api_client, settings):
    settings.ACCOUNTS_RESET_LIMIT_PER_IP = (1, 3600)
    assert (
        api_client.post(
            "/api/auth/verify-email/resend", {"email": "a@example.com"}, format="json"
        ).status_code
        == 202
    )
    response = api_client.post("/api/auth/verify-email/resend", {"email": "b@example.com"}, format="json")
    assert response.status_code == 429


def test_stale_bearer_token_does_not_block_login(api_client):
    user = UserFactory()
    api_client.credentials(HTTP_AUTHORIZATION="Bearer not.a.token")
    response = api_client.post("/api/auth/login", {"email": user.email, "password": PASSWORD}, format="json")
    assert response.status_code == 200


def test_refresh_after_user_deactivated_is_refused(api_client):
    user = UserFactory()
    refresh = api_client.post(
        "/api/auth/login", {"email": user.email, "password": PASSWORD}, format="json"
    ).json()["refresh"]
    User.objects.filter(pk=user.pk).update(is_active=False)
    assert api_client.post("/api/auth/token/refresh", {"refresh": refresh}, format="json").status_code == 401
