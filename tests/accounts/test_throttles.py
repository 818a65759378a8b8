"""Abuse limits of the accounts endpoints (issue #18, item 7) and refresh tokens bound to their
user (item 6). Every 429 is the envelope's ``RATE_LIMITED`` with ``Retry-After``."""

from __future__ import annotations

import socket

import pytest
from rest_framework_simplejwt.tokens import RefreshToken

from accounts.models import User
from ecommerce.settings.config import cache_config
from tests.factories import UserFactory
from tests.helpers import assert_envelope

pytestmark = [pytest.mark.django_db, pytest.mark.rate_window]
PASSWORD = "correct-horse-battery-9"
NOTHING_LISTENS = 18203  # in this suite's port range; nothing is started on it


def _rate_limited(response) -> None:
    assert_envelope(response, 429, "RATE_LIMITED")
    assert int(response["Retry-After"]) >= 1


def _login(client, email: str, password: str, ip: str):
    return client.post(
        "/api/auth/login", {"email": email, "password": password}, format="json", REMOTE_ADDR=ip
    )


# --- sign-in: per (account, IP), per IP, per account with a much higher bound --------------------


def test_stranger_hammering_from_one_ip_does_not_lock_the_owner_out(api_client):
    owner = UserFactory()
    codes = [_login(api_client, owner.email, f"guess-{n}", "198.51.100.66").status_code for n in range(100)]
    assert codes[:5] == [401] * 5 and set(codes[5:]) == {429}
    assert _login(api_client, owner.email, PASSWORD, "203.0.113.5").status_code == 200


def test_per_account_bound_stops_guesses_spread_over_many_ips(api_client):
    owner = UserFactory()
    limit = 50  # the shipped LOGIN_LIMIT_PER_ACCOUNT
    for n in range(limit):
        assert _login(api_client, owner.email, "guess", f"198.51.{n // 200}.{n % 200 + 1}").status_code == 401
    _rate_limited(_login(api_client, owner.email, PASSWORD, "203.0.113.5"))


def test_same_ip_and_account_is_locked_after_five_failures(api_client):
    owner = UserFactory()
    assert [_login(api_client, owner.email, "guess", "198.51.100.7").status_code for _ in range(5)] == [
        401
    ] * 5
    _rate_limited(_login(api_client, owner.email, PASSWORD, "198.51.100.7"))


# --- registration, email change, verification resend ---------------------------------------------


def _register(client, email: str, ip: str = "198.51.100.1"):
    return client.post(
        "/api/auth/register", {"email": email, "password": PASSWORD}, format="json", REMOTE_ADDR=ip
    )


def test_registration_is_limited_per_email(api_client):
    codes = [_register(api_client, "Target@Example.com", f"198.51.100.{n}").status_code for n in range(1, 4)]
    assert codes == [201, 400, 400]  # the address is taken, each attempt counts
    _rate_limited(_register(api_client, "target@example.com", "198.51.100.9"))


def test_registration_is_limited_per_ip(api_client, settings):
    settings.REGISTER_LIMIT_PER_IP = (2, 3600)
    assert [_register(api_client, f"r{n}@example.com").status_code for n in range(2)] == [201, 201]
    _rate_limited(_register(api_client, "r3@example.com"))
    assert not User.objects.filter(email="r3@example.com").exists()
    assert _register(api_client, "r3@example.com", "203.0.113.1").status_code == 201


def test_email_change_is_limited_per_user(auth_client):
    user = UserFactory()
    client = auth_client(user)
    for n in range(5):
        assert (
            client.patch("/api/auth/me", {"email": f"new{n}@example.com"}, format="json").status_code == 200
        )
    _rate_limited(client.patch("/api/auth/me", {"email": "new9@example.com"}, format="json"))
    # names are not limited
    assert client.patch("/api/auth/me", {"first_name": "Ada"}, format="json").status_code == 200


def test_email_change_is_limited_per_ip(auth_client, settings):
    settings.EMAIL_CHANGE_LIMIT_PER_IP = (2, 3600)
    for n in range(2):
        response = auth_client(UserFactory()).patch(
            "/api/auth/me", {"email": f"x{n}@example.com"}, format="json"
        )
        assert response.status_code == 200
    _rate_limited(
        auth_client(UserFactory()).patch("/api/auth/me", {"email": "x9@example.com"}, format="json")
    )


def test_verification_resend_is_limited_per_address(api_client):
    codes = [
        api_client.post(
            "/api/auth/verify-email/resend",
            {"email": "a@example.com"},
            format="json",
            REMOTE_ADDR=f"198.51.100.{n}",
        ).status_code
        for n in range(1, 7)
    ]
    assert codes == [202] * 5 + [429]


# --- re-authentication: password change and account deletion count together ---------------------


def test_password_checks_of_a_signed_in_user_are_limited(auth_client):
    user = UserFactory()
    client = auth_client(user)
    for _ in range(5):
        response = client.post(
            "/api/auth/password/change",
            {"current_password": "guess", "new_password": "fresh-passphrase-77"},
            format="json",
        )
        assert response.status_code == 400
    _rate_limited(client.delete("/api/auth/me", {"password": PASSWORD}, format="json"))
    assert User.objects.filter(pk=user.pk).exists()


# --- fail closed -----------------------------------------------------------------------------------


@pytest.fixture
def limiter_store_down(settings):
    with socket.socket() as probe:
        assert probe.connect_ex(("127.0.0.1", NOTHING_LISTENS)) != 0, "something listens on the test port"
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "up"},
        "ratelimit": cache_config(f"redis://127.0.0.1:{NOTHING_LISTENS}/0"),
    }


def test_auth_limits_fail_closed_when_their_store_is_down(api_client, auth_client, limiter_store_down):
    user = UserFactory()
    _rate_limited(_login(api_client, user.email, PASSWORD, "198.51.100.1"))
    _rate_limited(_register(api_client, "new@example.com"))
    _rate_limited(api_client.post("/api/auth/password/reset", {"email": user.email}, format="json"))
    _rate_limited(api_client.post("/api/auth/verify-email/resend", {"email": user.email}, format="json"))
    client = auth_client(user)
    _rate_limited(
        client.post(
            "/api/auth/password/change",
            {"current_password": PASSWORD, "new_password": "fresh-passphrase-77"},
            format="json",
        )
    )
    _rate_limited(client.patch("/api/auth/me", {"email": "other@example.com"}, format="json"))
    assert client.get("/api/auth/me").status_code == 200  # what is not limited works


# --- refresh tokens bound to their user -------------------------------------------------------------


def _refresh(client, token: str):
    return client.post("/api/auth/token/refresh", {"refresh": token}, format="json")


def _login_refresh(client, user: User) -> str:
    return _login(client, user.email, PASSWORD, "198.51.100.1").json()["refresh"]


def test_refresh_token_resigned_for_another_user_is_refused(api_client):
    """With the signing key, an attacker rewrites ``sub`` of their own refresh token."""
    attacker, victim = UserFactory(), UserFactory()
    token = RefreshToken(_login_refresh(api_client, attacker))
    token["sub"] = victim.public_id
    response = _refresh(api_client, str(token))  # validly signed with SIGNING_KEY
    assert_envelope(response, 401, "TOKEN_INVALID")


def test_refresh_token_with_the_victims_hash_claim_but_another_users_jti_is_refused(api_client):
    attacker, victim = UserFactory(), UserFactory()
    token = RefreshToken(_login_refresh(api_client, attacker))
    token["sub"] = victim.public_id
    token["hash_password"] = RefreshToken.for_user(victim)["hash_password"]
    assert_envelope(_refresh(api_client, str(token)), 401, "TOKEN_INVALID")


def test_refresh_token_dies_with_a_password_set_elsewhere_like_access_tokens(api_client):
    """An admin (or any code path) sets a new password without revoking tokens."""
    user = UserFactory()
    login = _login(api_client, user.email, PASSWORD, "198.51.100.1").json()
    user.set_password("set-by-the-admin-42")
    user.save()
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {login['access']}")
    assert api_client.get("/api/auth/me").status_code == 401
    api_client.credentials()
    assert_envelope(_refresh(api_client, login["refresh"]), 401, "TOKEN_INVALID")


def test_refresh_token_of_a_deleted_account_is_refused(api_client):
    user = UserFactory()
    refresh = _login_refresh(api_client, user)
    User.objects.filter(pk=user.pk).delete()
    assert_envelope(_refresh(api_client, refresh), 401, "TOKEN_INVALID")


def test_genuine_refresh_still_rotates(api_client):
    user = UserFactory()
    response = _refresh(api_client, _login_refresh(api_client, user))
    assert response.status_code == 200 and set(response.json()) == {"access", "refresh"}
