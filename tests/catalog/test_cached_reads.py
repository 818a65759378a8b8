"""Cached catalog reads: a second read is served from the cache; every write invalidates it
(seen by another client at once); a dead cache degrades to database reads, never to 500s."""

import pytest
from django.db import transaction
from rest_framework.test import APIClient

from catalog import services
from tests.factories import CategoryFactory, ProductFactory
from tests.helpers.caches import REDIS_DOWN

pytestmark = pytest.mark.django_db(transaction=True)


def test_second_read_is_served_from_cache(api_client, django_assert_num_queries):
    product = ProductFactory()
    api_client.get("/api/products/")
    api_client.get(f"/api/products/{product.public_id}/")
    api_client.get("/api/categories/")
    with django_assert_num_queries(0):
        assert api_client.get("/api/products/").json()["count"] == 1
        assert api_client.get(f"/api/products/{product.public_id}/").status_code == 200
        assert api_client.get("/api/categories/").status_code == 200


def test_write_by_one_client_is_seen_by_another_at_once(auth_client, admin_user):
    admin, reader = auth_client(admin_user), APIClient()
    product = ProductFactory(name="Tea", price="4.00")
    category = CategoryFactory(name="Drinks")
    assert reader.get("/api/products/").json()["results"][0]["price"] == 4.0
    assert reader.get(f"/api/products/{product.public_id}/").json()["price"] == 4.0
    assert reader.get("/api/categories/").json()["results"][0]["name"] == "Drinks"

    admin.patch(f"/api/products/{product.public_id}/", {"price": 5.5}, format="json")
    assert reader.get("/api/products/").json()["results"][0]["price"] == 5.5
    assert reader.get(f"/api/products/{product.public_id}/").json()["price"] == 5.5

    admin.patch(f"/api/categories/{category.public_id}/", {"name": "Beverages"}, format="json")
    assert reader.get("/api/categories/").json()["results"][0]["name"] == "Beverages"

    admin.post("/api/products/", {"name": "Coffee", "price": 3, "quantity": 1}, format="json")
    assert reader.get("/api/products/").json()["count"] == 2

    admin.delete(f"/api/categories/{category.public_id}/")
    assert reader.get("/api/categories/").json()["count"] == 0


def test_stock_change_invalidates_the_cached_list(api_client):
    product = ProductFactory(quantity=1)
    assert api_client.get("/api/products/", {"in_stock": "true"}).json()["count"] == 1
    with transaction.atomic():
        from catalog.stock import stock_take

        stock_take(quantities={product.public_id: 1})
    assert api_client.get("/api/products/", {"in_stock": "true"}).json()["count"] == 0
    services.product_restock(quantities={product.variants.get().pk: 2})
    assert api_client.get(f"/api/products/{product.public_id}/").json()["quantity"] == 2


def test_reads_and_writes_work_when_the_cache_is_down(settings, auth_client, admin_user, api_client):
    product = ProductFactory(name="Tea")
    settings.CACHES = REDIS_DOWN
    assert api_client.get("/api/products/").json()["count"] == 1
    assert api_client.get(f"/api/products/{product.public_id}/").status_code == 200
    assert api_client.get("/api/categories/").status_code == 200
    response = auth_client(admin_user).patch(
        f"/api/products/{product.public_id}/", {"name": "Tisane"}, format="json"
    )
    assert response.status_code == 200
    assert api_client.get("/api/products/").json()["results"][0]["name"] == "Tisane"
