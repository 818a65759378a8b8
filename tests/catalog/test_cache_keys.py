"""Catalog cache keys come from the parameters the view reads: junk query parameters make no
new entries (which would evict useful ones, rate-limit counters among them, from a shared
cache) and never reach a cached body that other callers get."""

import pytest
from django.core.cache import cache

from catalog.cache import local_entries
from tests.factories import CategoryFactory, ProductFactory

pytestmark = pytest.mark.django_db


def _catalog_keys() -> set[str]:
    if hasattr(cache, "keys"):  # django-redis
        return set(cache.keys("catalog:*"))
    return {key.split(":", 2)[2] for key in cache._cache if ":catalog:" in key}  # locmem


def test_junk_query_parameters_make_no_new_cache_keys(api_client, django_assert_num_queries):
    ProductFactory.create_batch(3)
    first = api_client.get("/api/products/", {"page_size": 2})
    assert first.status_code == 200
    keys, local = _catalog_keys(), len(local_entries)
    for n in range(100):
        response = api_client.get("/api/products/", {"page_size": 2, f"junk{n}": n, "utm_source": f"x{n}"})
        assert response.status_code == 200 and response.content == first.content
    assert _catalog_keys() == keys and len(local_entries) == local
    with django_assert_num_queries(0):  # the normalised entry serves the junk variant
        api_client.get("/api/products/", {"page_size": "2", "fbclid": "zzz"})


def test_equivalent_page_parameters_share_one_entry(api_client):
    ProductFactory.create_batch(3)
    api_client.get("/api/products/", {"page_size": 100, "page": 1})
    keys = _catalog_keys()
    for page_size, page in (("500", "01"), ("100", "+1"), ("99999", " 1")):
        assert api_client.get("/api/products/", {"page_size": page_size, "page": page}).status_code == 200
    assert _catalog_keys() == keys


def test_cached_page_links_carry_no_junk(api_client):
    ProductFactory.create_batch(3)
    body = api_client.get("/api/products/", {"page_size": 1, "evil": "<x>", "status": "in_stock"}).json()
    assert "evil" not in body["next"] and "status=in_stock" in body["next"] and "page=2" in body["next"]
    clean = api_client.get("/api/products/", {"page_size": 1, "status": "in_stock"}).json()
    assert clean["next"] == body["next"]


def test_categories_list_ignores_junk_too(api_client):
    CategoryFactory()
    api_client.get("/api/categories/")
    keys = _catalog_keys()
    for n in range(20):
        assert api_client.get("/api/categories/", {f"junk{n}": "1"}).status_code == 200
    assert _catalog_keys() == keys


def test_known_filters_still_get_their_own_entries(api_client):
    ProductFactory(name="Tea", quantity=0)
    ProductFactory(name="Coffee", quantity=5)
    assert api_client.get("/api/products/", {"in_stock": "true"}).json()["count"] == 1
    assert api_client.get("/api/products/").json()["count"] == 2
    assert api_client.get("/api/products/", {"in_stock": "true", "junk": "1"}).json()["count"] == 1
