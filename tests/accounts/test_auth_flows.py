"""The account flows end to end through HTTP: register → email → verify → login → refresh →
logout; password reset through the emailed key; password change; profile; deletion."""

from __future__ import annotations

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from rest_framework.test import APIClient

from accounts.models import User
from orders.models import Order
from tests.factories import UserFactory
from tests.helpers.accounts import key_from_email

pytestmark = pytest.mark.django_db
PASSWORD = "correct-horse-battery-9"
NEW_PASSWORD = "tr0ubadour-and-3-more"


def bearer(access: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {access}")
    return client


def test_register_verify_login_refresh_logout(api_client, post_committed):
    response = post_committed(
        "/api/auth/register", {"email": "Ada@Example.com", "password": PASSWORD, "first_name": "Ada"}
    )
    assert response.status_code == 201, response.json()
    profile = response.json()["user"]
    assert profile["id"].startswith("usr_") and profile["email"] == "ada@example.com"
    assert profile["email_verified"] is False and profile["role"] == "customer"
    assert set(profile) >= {"id", "email", "first_name", "last_name", "email_verified", "role", "date_joined"}
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["ada@example.com"]
    assert mail.outbox[0].alternatives and "verify-email" in mail.outbox[0].body

    # Unverified: the right password is refused with 403 until the address is confirmed.
    response = api_client.post(
        "/api/auth/login", {"email": "ada@example.com", "password": PASSWORD}, format="json"
    )
    assert response.status_code == 403 and response.json()["error"]["code"] == "EMAIL_NOT_VERIFIED"

    key = key_from_email(mail.outbox[0])
    response = api_client.post("/api/auth/verify-email/", {"key": key}, format="json")
    assert response.status_code == 200 and response.json()["user"]["email_verified"] is True
    assert User.objects.get(email="ada@example.com").email_verified
    assert EmailAddress.objects.get(email="ada@example.com").verified

    response = api_client.post(
        "/api/auth/login/", {"email": "ADA@example.com", "password": PASSWORD}, format="json"
    )
    assert response.status_code == 200
    body = response.json()
    assert body["user"]["email"] == "ada@example.com" and body["access"] and body["refresh"]
    me = bearer(body["access"]).get("/api/auth/me")
    assert me.status_code == 200 and me.json()["id"] == profile["id"]

    refreshed = api_client.post("/api/auth/token/refresh", {"refresh": body["refresh"]}, format="json")
    assert refreshed.status_code == 200 and set(refreshed.json()) == {"access", "refresh"}
    # Rotation: the old refresh token is spent.
    again = api_client.post("/api/auth/token/refresh", {"refresh": body["refresh"]}, format="json")
    assert again.status_code == 401 and again.json()["error"]["code"] == "TOKEN_INVALID"

    new_refresh = refreshed.json()["refresh"]
    client = bearer(refreshed.json()["access"])
    assert client.post("/api/auth/logout", {"refresh": new_refresh}, format="json").status_code == 204
    refused = api_client.post("/api/auth/token/refresh/", {"refresh": new_refresh}, format="json")
    assert refused.status_code == 401 and refused.json()["error"]["code"] == "TOKEN_INVALID"


def test_access_token_carries_public_id_and_role_not_pk(api_client):
    import jwt

    user = UserFactory(email="claims@example.com")
    body = api_client.post(
        "/api/auth/login", {"email": user.email, "password": PASSWORD}, format="json"
    ).json()
    claims = jwt.decode(body["access"], options={"verify_signature": False})
    assert claims["sub"] == user.public_id and claims["role"] == "customer"
    assert "user_id" not in claims and user.pk not in claims.values()


def test_password_reset_through_emailed_key(api_client, post_committed):
    user = UserFactory(email="reset@example.com")
    old = api_client.post(
        "/api/auth/login", {"email": user.email, "password": PASSWORD}, format="json"
    ).json()

    response = post_committed("/api/auth/password/reset", {"email": "RESET@example.com"})
    assert response.status_code == 202
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["reset@example.com"]
    key = key_from_email(mail.outbox[0])
    assert key.startswith(f"{user.public_id}-")  # names the user by public id, not the pk

    response = post_committed("/api/auth/password/reset/confirm", {"key": key, "new_password": NEW_PASSWORD})
    assert response.status_code == 200 and response.json()["user"]["id"] == user.public_id
    assert mail.outbox[-1].subject == "Your password was changed"
    # Every earlier refresh token stops working, and so does the old access token.
    refused = api_client.post("/api/auth/token/refresh", {"refresh": old["refresh"]}, format="json")
    assert refused.status_code == 401
    assert bearer(old["access"]).get("/api/auth/me").status_code == 401
    # The key works once.
    reused = api_client.post(
        "/api/auth/password/reset/confirm",
        {"key": key, "new_password": "another-g00d-passphrase"},
        format="json",
    )
    assert reused.status_code == 400 and "key" in reused.json()["error"]["details"]
    login = api_client.post("/api/auth/login", {"email": user.email, "password": NEW_PASSWORD}, format="json")
    assert login.status_code == 200


def test_password_change(api_client, post_committed):
    user = UserFactory(email="change@example.com")
    old = api_client.post(
        "/api/auth/login", {"email": user.email, "password": PASSWORD}, format="json"
    ).json()
    client = bearer(old["access"])

    wrong = client.post(
        "/api/auth/password/change", {"current_password": "nope", "new_password": NEW_PASSWORD}, format="json"
    )
    assert wrong.status_code == 400 and "current_password" in wrong.json()["error"]["details"]
    weak = client.post(
        "/api/auth/password/change", {"current_password": PASSWORD, "new_password": "123"}, format="json"
    )
    assert weak.status_code == 400 and "new_password" in weak.json()["error"]["details"]

    response = post_committed(
        "/api/auth/password/change",
        {"current_password": PASSWORD, "new_password": NEW_PASSWORD},
        client=client,
    )
    assert response.status_code == 200 and response.json()["access"]
    assert mail.outbox[-1].to == ["change@example.com"]
    assert (
        api_client.post("/api/auth/token/refresh", {"refresh": old["refresh"]}, format="json").status_code
        == 401
    )
    assert bearer(old["access"]).get("/api/auth/me").status_code == 401
    assert bearer(response.json()["access"]).get("/api/auth/me").status_code == 200
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)


def test_profile_update_and_email_change_needs_verification(auth_client, post_committed):
    user = UserFactory(email="old@example.com")
    client = auth_client(user)
    response = post_committed(
        "/api/auth/me",
        {"first_name": "Grace", "email": "New@Example.com", "role": "admin"},
        client=client,
        method="patch",
    )
    assert response.status_code == 200
    body = response.json()
    assert body["first_name"] == "Grace" and body["role"] == "customer"
    assert body["email"] == "old@example.com" and body["pending_email"] == "new@example.com"
    assert mail.outbox[-1].to == ["new@example.com"]

    key = key_from_email(mail.outbox[-1])
    verified = client.post("/api/auth/verify-email", {"key": key}, format="json")
    assert verified.status_code == 200
    user.refresh_from_db()
    assert user.email == "new@example.com" and user.email_verified
    assert client.get("/api/auth/me").json()["pending_email"] is None
    assert list(EmailAddress.objects.filter(user=user).values_list("email", flat=True)) == ["new@example.com"]


def test_email_change_to_taken_address_is_refused(auth_client):
    UserFactory(email="taken@example.com")
    client = auth_client(UserFactory())
    response = client.patch("/api/auth/me", {"email": "TAKEN@example.com"}, format="json")
    assert response.status_code == 400 and "email" in response.json()["error"]["details"]


def test_delete_account_keeps_orders_anonymised(auth_client, post_committed):
    user = UserFactory(email="leaving@example.com")
    order = Order.objects.create(
        user=user,
        customer_ref=user.public_id,
        customer_email=user.email,
        currency="USD",
        subtotal="10.00",
        total_amount="10.00",
        shipping_address={"name": "Leaving Person", "line1": "1 Road", "city": "Town", "country": "NL"},
    )
    client = auth_client(user)
    wrong = client.delete("/api/auth/me", {"password": "wrong"}, format="json")
    assert wrong.status_code == 400 and User.objects.filter(pk=user.pk).exists()

    response = post_committed("/api/auth/me", {"password": PASSWORD}, client=client, method="delete")
    assert response.status_code == 204
    assert not User.objects.filter(pk=user.pk).exists()
    order.refresh_from_db()
    assert order.user is None and order.customer_email == "" and order.customer_ref == "deleted"
    assert order.shipping_address == {"name": "", "line1": "", "city": "", "country": "NL"}
    assert mail.outbox[-1].to == ["leaving@example.com"] and "deleted" in mail.outbox[-1].subject
    assert client.get("/api/auth/me").status_code == 401


def test_me_requires_authentication(api_client):
    response = api_client.get("/api/auth/me/")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "AUTHENTICATION_REQUIRED"


def test_superuser_from_createsuperuser_can_log_in(api_client, monkeypatch):
    from django.core.management import call_command

    monkeypatch.setenv("DJANGO_SUPERUSER_EMAIL", "ops@example.com")
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", "ops-password-123")
    call_command("createsuperuser", "--noinput", verbosity=0)
    response = api_client.post(
        "/api/auth/login", {"email": "ops@example.com", "password": "ops-password-123"}, format="json"
    )
    assert response.status_code == 200 and response.json()["user"]["role"] == "admin"


def test_optional_verification_setting_lets_unverified_log_in(api_client, settings):
    settings.ACCOUNTS_EMAIL_VERIFICATION_REQUIRED = False
    user = UserFactory(email_verified=False)
    response = api_client.post("/api/auth/login", {"email": user.email, "password": PASSWORD}, format="json")
    assert response.status_code == 200 and response.json()["user"]["email_verified"] is False


def test_resend_verification(api_client, post_committed):
    user = UserFactory(email="later@example.com", email_verified=False)
    response = post_committed("/api/auth/verify-email/resend", {"email": "Later@example.com"})
    assert response.status_code == 202
    assert mail.outbox[-1].to == ["later@example.com"]
    key = key_from_email(mail.outbox[-1])
    assert api_client.post("/api/auth/verify-email", {"key": key}, format="json").status_code == 200
    user.refresh_from_db()
    assert user.email_verified
    # Verified and unknown addresses: the same 202, nothing sent.
    count = len(mail.outbox)
    for email in ("later@example.com", "nobody@example.com"):
        response = post_committed("/api/auth/verify-email/resend", {"email": email})
        assert response.status_code == 202 and response.json() == {
            "detail": "If the address belongs to an account, an email is on its way."
        }
    assert len(mail.outbox) == count
