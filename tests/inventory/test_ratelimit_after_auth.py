"""token / api_key modes: authenticate first, then count per authenticated manager; requests
without valid credentials count per client IP only (issue #18, item 4)."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import RefreshToken

from inventory.keys import manager_api_key_create
from tests.factories import ManagerUserFactory
from tests.helpers.ratelimit import fresh_rate_window

LIMIT = 3


@pytest.fixture
def small_limit(settings):
    settings.INVENTORY_RATE_LIMIT = LIMIT
    settings.INVENTORY_RATE_WINDOW = 60
    fresh_rate_window(60)


def credentials_for(mode: str, manager_id: str) -> dict[str, str]:
    """Valid credentials of a new manager ``manager_id`` in ``mode``."""
    if mode == "api_key":
        key = manager_api_key_create(manager_external_id=manager_id).plain_key
        return {"HTTP_X_API_KEY": key}
    user = ManagerUserFactory(store_manager__external_id=manager_id)
    return {"HTTP_AUTHORIZATION": f"Bearer {RefreshToken.for_user(user).access_token}"}


def bad_credentials(mode: str) -> dict[str, str]:
    if mode == "api_key":
        return {"HTTP_X_API_KEY": "mk_live_0123456789ab_" + "x" * 43}
    return {"HTTP_AUTHORIZATION": "Bearer not.a.jwt"}


def list_url(manager_id: str) -> str:
    return f"/api/inventory/products?manager_id={manager_id}"


@pytest.mark.django_db
@pytest.mark.usefixtures("small_limit")
@pytest.mark.parametrize("mode", ["token", "api_key"])
def test_anonymous_flood_naming_a_manager_does_not_lock_that_manager_out(settings, mode):
    settings.INVENTORY_ACCESS_MODE = mode
    victim = credentials_for(mode, "mgr_victim")
    attacker = APIClient(REMOTE_ADDR="198.51.100.7")

    flood = [attacker.get(list_url("mgr_victim")).status_code for _ in range(LIMIT + 2)]
    forged = attacker.get(list_url("mgr_victim"), **bad_credentials(mode)).status_code
    victim_response = APIClient(REMOTE_ADDR="198.51.100.7").get(list_url("mgr_victim"), **victim)

    assert flood == [401] * LIMIT + [429, 429]  # the attacker's own IP is limited
    assert forged == 429  # a bad credential is unauthenticated too: same per-IP budget
    assert victim_response.status_code == 200  # the manager, even behind the same IP, is not


@pytest.mark.django_db
@pytest.mark.usefixtures("small_limit")
@pytest.mark.parametrize("mode", ["token", "api_key"])
def test_unauthenticated_requests_count_per_ip_only(settings, mode):
    settings.INVENTORY_ACCESS_MODE = mode
    first, second = APIClient(REMOTE_ADDR="203.0.113.1"), APIClient(REMOTE_ADDR="203.0.113.2")

    statuses = [
        first.get(list_url("mgr_a"), **bad_credentials(mode)).status_code,
        first.get(list_url("mgr_b")).status_code,
        first.get("/api/inventory/products").status_code,
        first.get(list_url("mgr_c")).status_code,
        second.get(list_url("mgr_a")).status_code,
    ]

    assert statuses == [401, 401, 401, 429, 401]


@pytest.mark.django_db
@pytest.mark.usefixtures("small_limit")
@pytest.mark.parametrize("mode", ["token", "api_key"])
def test_authenticated_requests_count_per_manager_whatever_the_ip(settings, mode):
    settings.INVENTORY_ACCESS_MODE = mode
    x, y = credentials_for(mode, "mgr_x"), credentials_for(mode, "mgr_y")

    statuses = [
        APIClient(REMOTE_ADDR=f"192.0.2.{n}").get(list_url("mgr_x"), **x).status_code
        for n in range(LIMIT + 1)
    ]
    claims_other = APIClient().get(list_url("mgr_y"), **x)  # still X's budget, and not X's id
    other_manager = APIClient().get(list_url("mgr_y"), **y)

    assert statuses == [200] * LIMIT + [429]
    assert claims_other.status_code == 429
    assert other_manager.status_code == 200


@pytest.mark.django_db
@pytest.mark.usefixtures("small_limit")
@pytest.mark.parametrize("mode", ["token", "api_key"])
def test_a_manager_claiming_another_id_spends_only_their_own_budget(settings, mode):
    settings.INVENTORY_ACCESS_MODE = mode
    x, y = credentials_for(mode, "mgr_x"), credentials_for(mode, "mgr_y")

    hostile = [APIClient().get(list_url("mgr_x"), **y).status_code for _ in range(LIMIT + 1)]
    own = APIClient().get(list_url("mgr_x"), **x)

    assert hostile == [403] * LIMIT + [429]
    assert own.status_code == 200


@pytest.mark.django_db
@pytest.mark.usefixtures("small_limit")
def test_trusted_mode_keeps_counting_per_manager_id_as_sent(api_client):
    statuses = [api_client.get(list_url("mgr_t")).status_code for _ in range(LIMIT + 1)]
    other = APIClient().get(list_url("mgr_u"))

    assert statuses == [200] * LIMIT + [429]
    assert other.status_code == 200
