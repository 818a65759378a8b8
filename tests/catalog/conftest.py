"""Catalog tests start with an empty cache, so every read measures the database path unless
a test asks for the cache on purpose."""

import pytest
from django.core.cache import cache

from catalog.cache import local_entries


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()
    local_entries.clear()
    yield
    cache.clear()
    local_entries.clear()


@pytest.fixture
def admin_client(auth_client, admin_user):
    return auth_client(admin_user)
