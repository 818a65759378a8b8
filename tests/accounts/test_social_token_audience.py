"""Social sign-in with a provider access token: only a token issued to OUR OAuth app signs
anyone in. A token some other app obtained (another site's "sign in with …", replayed here) is
a 401, checked with each provider's own mechanism against fake providers on 127.0.0.1."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from allauth.socialaccount.models import SocialAccount
from allauth.socialaccount.providers.github.views import GitHubOAuth2Adapter
from allauth.socialaccount.providers.google.views import GoogleOAuth2Adapter

from accounts.models import User
from tests.helpers.fake_oauth_apis import APPS, FakeOAuthApis, Person
from tests.helpers.fake_oidc import OTHER_CLIENT_ID, REDIRECT_URI
from tests.helpers.fake_oidc import authorize as _authorize
from tests.helpers.fake_oidc import profile as _profile

pytestmark = pytest.mark.django_db


def _post(api_client, provider: str, body: dict):
    return api_client.post(f"/api/auth/social/{provider}", body, format="json")


def _refused(response) -> bool:
    body = response.json()
    return (
        response.status_code == 401
        and body["error"]["code"] == "INVALID_CREDENTIALS"
        and "access_token" in body["error"]["details"]
        and "access" not in body
    )


def test_oidc_access_token_of_another_client_is_refused(api_client, idp):  # noqa: F811
    foreign = idp.issue_access_token(
        _profile(sub="victim-1", email="victim@example.com"), client_id=OTHER_CLIENT_ID
    )
    assert _refused(_post(api_client, "fakeid", {"access_token": foreign}))
    assert not User.objects.exists() and not SocialAccount.objects.exists()


def test_oidc_foreign_token_cannot_take_over_a_linked_account(api_client, idp):  # noqa: F811
    """The victim signed in here once (code flow); another site they also use with the same
    provider now holds a token for them and replays it here: refused."""
    idp.profile = _profile(sub="victim-2", email="victim2@example.com")
    code, state = _authorize(api_client, idp)
    first = _post(api_client, "fakeid", {"code": code, "redirect_uri": REDIRECT_URI, "state": state})
    assert first.status_code == 200
    foreign = idp.issue_access_token(idp.profile, client_id=OTHER_CLIENT_ID)
    assert _refused(_post(api_client, "fakeid", {"access_token": foreign}))
    ours = idp.issue_access_token(idp.profile)
    assert (
        _post(api_client, "fakeid", {"access_token": ours}).json()["user"]["id"] == first.json()["user"]["id"]
    )
    introspections = [form for form in idp.token_requests if "token" in form and "code" not in form]
    assert [form["token"] for form in introspections] == [foreign, ours]  # in the body, with basic auth


def test_oidc_provider_without_introspection_takes_id_token_or_code_only(api_client, idp):  # noqa: F811
    idp.introspection = False
    token = idp.issue_access_token(_profile(sub="noint-1", email="noint@example.com"))
    response = _post(api_client, "fakeid", {"access_token": token})
    assert response.status_code == 400 and "access_token" in response.json()["error"]["details"]
    assert not User.objects.exists()
    id_token = idp.id_token(_profile(sub="noint-1", email="noint@example.com"))
    assert _post(api_client, "fakeid", {"id_token": id_token}).status_code == 200


@pytest.fixture
def apis(settings, monkeypatch) -> Iterator[FakeOAuthApis]:
    fake = FakeOAuthApis().start()
    # allauth fixes GitHub's and Google's URLs at import time; point them at the fake.
    monkeypatch.setattr(GitHubOAuth2Adapter, "api_url", f"{fake.base_url}/api/v3")
    monkeypatch.setattr(GitHubOAuth2Adapter, "profile_url", f"{fake.base_url}/api/v3/user")
    monkeypatch.setattr(GitHubOAuth2Adapter, "emails_url", f"{fake.base_url}/api/v3/user/emails")
    monkeypatch.setattr(GoogleOAuth2Adapter, "identity_url", f"{fake.base_url}/userinfo")
    settings.SOCIALACCOUNT_PROVIDERS = {
        "github": {"APPS": [{"client_id": "gh-shop", "secret": APPS["gh-shop"]}]},
        "google": {
            "APPS": [{"client_id": "g-shop", "secret": APPS["g-shop"]}],
            "TOKENINFO_URL": f"{fake.base_url}/tokeninfo",
        },
    }
    yield fake
    fake.stop()


@pytest.mark.parametrize(
    ("provider", "ours", "other"), [("github", "gh-shop", "gh-other"), ("google", "g-shop", "g-other")]
)
def test_github_and_google_accept_only_tokens_of_our_app(api_client, apis, provider, ours, other):
    person = Person(id=4242, email="octo@example.com")
    foreign = apis.issue(person, client_id=other)
    assert _refused(_post(api_client, provider, {"access_token": foreign}))
    assert _refused(_post(api_client, provider, {"access_token": "never-issued"}))
    assert not User.objects.exists()

    response = _post(api_client, provider, {"access_token": apis.issue(person, client_id=ours)})
    assert response.status_code == 200, response.json()
    assert (
        response.json()["user"]["email"] == "octo@example.com" and response.json()["user"]["email_verified"]
    )
    assert SocialAccount.objects.get(provider=provider).uid == "4242"
    # Tokens travel in request bodies or headers, never in a URL (URLs end up in logs).
    assert not [path for _, path, _ in apis.requests if foreign in path or "tok_" in path]


def test_github_check_failure_of_our_own_credentials_signs_nobody_in(api_client, apis, settings):
    settings.SOCIALACCOUNT_PROVIDERS["github"]["APPS"][0]["secret"] = "wrong-secret"  # noqa: S105
    token = apis.issue(Person(id=7, email="seven@example.com"), client_id="gh-shop")
    response = _post(api_client, "github", {"access_token": token})
    assert response.status_code == 401 and not User.objects.exists()
