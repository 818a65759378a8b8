"""A refresh token is single-use even when several refreshes race (server databases)."""

from __future__ import annotations

import pytest

from accounts.exceptions import TokenInvalid
from accounts.tokens import token_pair_for_user, token_refresh
from tests.factories import UserFactory
from tests.helpers.concurrency import requires_server_database, run_in_threads


@pytest.mark.concurrency
@pytest.mark.django_db(transaction=True)
def test_concurrent_refreshes_with_one_token_succeed_once():
    requires_server_database()
    refresh = token_pair_for_user(user=UserFactory()).refresh
    results = run_in_threads(lambda _: token_refresh(refresh=refresh), 6)
    winners = [r for r in results if not isinstance(r, BaseException)]
    assert len(winners) == 1, results
    assert all(isinstance(r, TokenInvalid) for r in results if isinstance(r, BaseException))
