"""Accounts test helpers: a clean cache (rate-limit counters) and a mailbox of links."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from django.core.cache import cache

from tests.helpers.fake_oidc import CLIENT_ID, CLIENT_SECRET, FakeOidcProvider


@pytest.fixture(autouse=True)
def _clean_cache() -> Iterator[None]:
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def post_committed(api_client, django_capture_on_commit_callbacks) -> Callable:
    """``post_committed(path, data, client=None)``: POST and run the on-commit callbacks
    (emails) as a real commit would."""

    def post(path: str, data: dict | None = None, client=None, method: str = "post"):
        with django_capture_on_commit_callbacks(execute=True):
            return getattr(client or api_client, method)(path, data or {}, format="json")

    return post


@pytest.fixture
def idp(settings) -> Iterator[FakeOidcProvider]:
    """A fake OpenID Connect provider on 127.0.0.1, configured as provider ``fakeid``."""
    provider = FakeOidcProvider().start()
    settings.SOCIALACCOUNT_PROVIDERS = {
        "openid_connect": {
            "APPS": [
                {
                    "provider_id": "fakeid",
                    "name": "Fake IdP",
                    "client_id": CLIENT_ID,
                    "secret": CLIENT_SECRET,
                    "settings": {"server_url": provider.base_url},
                }
            ]
        }
    }
    settings.SOCIAL_LOGIN_REDIRECT_URIS = ["https://shop.test/auth/callback/{provider}"]
    yield provider
    provider.stop()
