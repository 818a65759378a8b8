"""OAuth2 / OpenID Connect sign-in end to end against a fake provider on 127.0.0.1."""

from __future__ import annotations

from urllib.parse import parse_qs, urlparse

import pytest
from allauth.socialaccount.models import SocialAccount
from cryptography.hazmat.primitives.asymmetric import rsa

from accounts.models import User
from cart.models import CartLine
from cart.services import cart_guest_create, cart_item_add
from tests.factories import ProductFactory, UserFactory
from tests.helpers.fake_oidc import CLIENT_ID, REDIRECT_URI
from tests.helpers.fake_oidc import authorize as _authorize
from tests.helpers.fake_oidc import profile as _profile

pytestmark = pytest.mark.django_db
PASSWORD = "correct-horse-battery-9"


def test_providers_list(api_client, idp):
    response = api_client.get("/api/auth/providers/")
    assert response.status_code == 200
    [provider] = response.json()
    assert provider["id"] == "fakeid" and provider["name"] == "Fake IdP"
    url = urlparse(provider["authorize_url"])
    query = parse_qs(url.query)
    assert provider["authorize_url"].startswith(f"{idp.base_url}/authorize?")
    assert query["client_id"] == [CLIENT_ID] and query["redirect_uri"] == [REDIRECT_URI]
    assert query["response_type"] == ["code"] and "openid" in query["scope"][0] and query["state"][0]


def test_no_providers_configured(api_client, settings):
    settings.SOCIALACCOUNT_PROVIDERS = {}
    assert api_client.get("/api/auth/providers").json() == []
    response = api_client.post("/api/auth/social/google", {"access_token": "x"}, format="json")
    assert response.status_code == 404 and response.json()["error"]["code"] == "NOT_FOUND"


def test_code_flow_first_login_creates_user_second_finds_them(api_client, idp):
    idp.profile = _profile()
    code, state = _authorize(api_client, idp)
    response = api_client.post(
        "/api/auth/social/fakeid", {"code": code, "redirect_uri": REDIRECT_URI, "state": state}, format="json"
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["access"] and body["refresh"]
    assert body["user"]["email"] == "social@example.com" and body["user"]["email_verified"] is True
    user = User.objects.get(email="social@example.com")
    assert user.first_name == "Soc" and not user.has_usable_password()
    assert SocialAccount.objects.get(user=user).provider == "fakeid"
    assert idp.token_requests[-1]["redirect_uri"] == REDIRECT_URI

    code, state = _authorize(api_client, idp)
    again = api_client.post(
        "/api/auth/social/fakeid", {"code": code, "redirect_uri": REDIRECT_URI, "state": state}, format="json"
    )
    assert again.status_code == 200 and again.json()["user"]["id"] == body["user"]["id"]
    assert User.objects.count() == 1 and SocialAccount.objects.count() == 1
    # The code was spent on the first exchange.
    replay = api_client.post(
        "/api/auth/social/fakeid", {"code": code, "redirect_uri": REDIRECT_URI}, format="json"
    )
    assert replay.status_code == 400 and "code" in replay.json()["error"]["details"]


def test_access_token_and_id_token_flows(api_client, idp):
    token = idp.issue_access_token(_profile(sub="at-1", email="at@example.com"))
    response = api_client.post("/api/auth/social/fakeid", {"access_token": token}, format="json")
    assert response.status_code == 200 and response.json()["user"]["email"] == "at@example.com"

    id_token = idp.id_token(_profile(sub="at-1", email="at@example.com"))
    response = api_client.post("/api/auth/social/fakeid", {"id_token": id_token}, format="json")
    assert response.status_code == 200 and User.objects.filter(email="at@example.com").count() == 1

    bad = api_client.post("/api/auth/social/fakeid", {"access_token": "not-issued"}, format="json")
    assert bad.status_code == 401 and bad.json()["error"]["code"] == "INVALID_CREDENTIALS"
    assert "access_token" in bad.json()["error"]["details"]


def test_id_token_signed_by_another_key_or_for_another_client_is_refused(api_client, idp):
    stranger_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    for token in (
        idp.id_token(_profile(), key=stranger_key),
        idp.id_token(_profile(), audience="other-client"),
    ):
        response = api_client.post("/api/auth/social/fakeid", {"id_token": token}, format="json")
        assert response.status_code == 401 and "id_token" in response.json()["error"]["details"]
    assert not User.objects.exists()


def test_existing_account_is_linked_when_provider_verifies_the_email(api_client, idp):
    user = UserFactory(email="linked@example.com")
    token = idp.issue_access_token(_profile(sub="link-1", email="Linked@Example.com", verified=True))
    response = api_client.post("/api/auth/social/fakeid", {"access_token": token}, format="json")
    assert response.status_code == 200 and response.json()["user"]["id"] == user.public_id
    assert SocialAccount.objects.get(uid="link-1").user == user
    user.refresh_from_db()
    assert user.check_password(PASSWORD)  # a verified account keeps its password


def test_unverified_local_account_is_taken_over_by_verified_owner(api_client, idp):
    squatter = UserFactory(email="owner@example.com", email_verified=False)
    token = idp.issue_access_token(_profile(sub="own-1", email="owner@example.com", verified=True))
    response = api_client.post("/api/auth/social/fakeid", {"access_token": token}, format="json")
    assert response.status_code == 200
    squatter.refresh_from_db()
    assert squatter.email_verified and not squatter.has_usable_password()
    login = api_client.post(
        "/api/auth/login", {"email": "owner@example.com", "password": PASSWORD}, format="json"
    )
    assert login.status_code == 401


def test_provider_with_unverified_email_neither_links_nor_creates(api_client, idp):
    UserFactory(email="victim@example.com")
    for email in ("victim@example.com", "fresh@example.com"):
        token = idp.issue_access_token(_profile(sub=f"u-{email}", email=email, verified=False))
        response = api_client.post("/api/auth/social/fakeid", {"access_token": token}, format="json")
        assert response.status_code == 403 and response.json()["error"]["code"] == "EMAIL_NOT_VERIFIED"
    assert not SocialAccount.objects.exists()
    assert not User.objects.filter(email="fresh@example.com").exists()


def test_provider_without_email_is_refused(api_client, idp):
    token = idp.issue_access_token({"sub": "no-mail"})
    response = api_client.post("/api/auth/social/fakeid", {"access_token": token}, format="json")
    assert response.status_code == 400 and "email" in response.json()["error"]["details"]


def test_redirect_uri_mismatch(api_client, idp, settings):
    idp.profile = _profile()
    code, state = _authorize(api_client, idp)
    # Not on our allow-list.
    response = api_client.post(
        "/api/auth/social/fakeid", {"code": code, "redirect_uri": "https://evil.test/cb"}, format="json"
    )
    assert response.status_code == 400 and "redirect_uri" in response.json()["error"]["details"]
    # Allowed by us, but not the URI the code was issued for: the provider refuses it.
    other = "https://shop.test/auth/callback/other"
    settings.SOCIAL_LOGIN_REDIRECT_URIS = [*settings.SOCIAL_LOGIN_REDIRECT_URIS, other]
    response = api_client.post(
        "/api/auth/social/fakeid", {"code": code, "redirect_uri": other}, format="json"
    )
    assert response.status_code == 400 and "code" in response.json()["error"]["details"]
    assert not User.objects.exists()


def test_state_mismatch(api_client, idp):
    idp.profile = _profile()
    code, state = _authorize(api_client, idp)
    for bad_state in (state[:-4] + "abcd", "forged"):
        response = api_client.post(
            "/api/auth/social/fakeid",
            {"code": code, "redirect_uri": REDIRECT_URI, "state": bad_state},
            format="json",
        )
        assert response.status_code == 400 and "state" in response.json()["error"]["details"]
    from accounts.social import state_make

    other_provider_state = state_make(provider_id="google", redirect_uri=REDIRECT_URI)
    response = api_client.post(
        "/api/auth/social/fakeid",
        {"code": code, "redirect_uri": REDIRECT_URI, "state": other_provider_state},
        format="json",
    )
    assert response.status_code == 400 and "state" in response.json()["error"]["details"]
    assert not User.objects.exists()


@pytest.mark.parametrize(
    "body",
    [{}, {"code": "x"}, {"access_token": "a", "code": "b", "redirect_uri": REDIRECT_URI}],
)
def test_social_login_body_validation(api_client, idp, body):
    response = api_client.post("/api/auth/social/fakeid", body, format="json")
    assert response.status_code == 400 and response.json()["error"]["code"] == "INVALID_REQUEST"


def test_unreachable_provider_is_left_out_of_the_list(api_client, idp):
    idp.stop()
    assert api_client.get("/api/auth/providers").json() == []
    response = api_client.post("/api/auth/social/fakeid", {"access_token": "x"}, format="json")
    assert response.status_code == 400


def test_inactive_linked_user_cannot_sign_in(api_client, idp):
    token = idp.issue_access_token(_profile(sub="gone-1", email="gone@example.com"))
    assert (
        api_client.post("/api/auth/social/fakeid", {"access_token": token}, format="json").status_code == 200
    )
    User.objects.filter(email="gone@example.com").update(is_active=False)
    response = api_client.post("/api/auth/social/fakeid", {"access_token": token}, format="json")
    assert response.status_code == 401


def test_social_sign_in_with_a_cart_token_merges_the_guest_cart(api_client, idp):
    cart, token = cart_guest_create()
    product = ProductFactory(quantity=5)
    cart_item_add(cart=cart, product_public_id=product.public_id, quantity=2)
    access_token = idp.issue_access_token(_profile(sub="cart-1", email="cart@example.com"))
    response = api_client.post(
        "/api/auth/social/fakeid", {"access_token": access_token}, format="json", HTTP_X_CART_TOKEN=token
    )
    assert response.status_code == 200
    user = User.objects.get(email="cart@example.com")
    assert list(CartLine.objects.filter(cart__user=user).values_list("variant__product_id", "quantity")) == [
        (product.pk, 2)
    ]
    assert not CartLine.objects.filter(cart=cart).exists()
    bad = api_client.post(
        "/api/auth/social/fakeid",
        {"id_token": idp.id_token(_profile(sub="cart-1", email="cart@example.com"))},
        format="json",
        HTTP_X_CART_TOKEN="ct_unknown",
    )
    assert bad.status_code == 200  # an unknown token never fails the sign-in
