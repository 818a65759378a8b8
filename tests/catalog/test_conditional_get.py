"""Conditional GET on catalog reads: ``ETag`` from the catalog version, ``If-None-Match`` → 304
without a body, ``Cache-Control`` public for anonymous callers and private when signed in."""

from __future__ import annotations

import pytest
from django.core.cache import cache

from tests.factories import AdminUserFactory, CategoryFactory, ProductFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _clean_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def urls() -> list[str]:
    category = CategoryFactory()
    product = ProductFactory(categories=[category])
    return [
        "/api/products/",
        f"/api/products/{product.public_id}/",
        "/api/categories/",
        f"/api/categories/{category.public_id}/",
    ]


def test_catalog_reads_carry_an_etag_and_answer_304_to_it(api_client, urls, django_assert_num_queries):
    for url in urls:
        first = api_client.get(url)
        etag = first["ETag"]
        assert first.status_code == 200 and etag.startswith('"') and etag.endswith('"')
        assert first["Cache-Control"] == "public, max-age=60"
        assert "Authorization" in first["Vary"]
        with django_assert_num_queries(0):  # a 304 costs no query
            again = api_client.get(url, HTTP_IF_NONE_MATCH=etag)
        assert again.status_code == 304 and again.content == b""
        assert again["ETag"] == etag and again["Cache-Control"] == "public, max-age=60"
        # a list of tags, a weak form of ours and "*" match too; another tag does not
        assert api_client.get(url, HTTP_IF_NONE_MATCH=f'"x", W/{etag}').status_code == 304
        assert api_client.get(url, HTTP_IF_NONE_MATCH="*").status_code == 304
        other = api_client.get(url, HTTP_IF_NONE_MATCH='"1-0000000000000000"')
        assert other.status_code == 200 and other.content == first.content


def test_catalog_etags_differ_between_resources(api_client, urls):
    tags = {api_client.get(url)["ETag"] for url in urls}
    tags.add(api_client.get("/api/products/", {"page_size": 5})["ETag"])
    assert len(tags) == len(urls) + 1


def test_catalog_write_changes_the_etag(api_client, auth_client, urls, django_capture_on_commit_callbacks):
    before = {url: api_client.get(url)["ETag"] for url in urls}
    admin = auth_client(AdminUserFactory())
    product_id = urls[1].split("/")[3]
    with django_capture_on_commit_callbacks(execute=True):
        response = admin.patch(f"/api/products/{product_id}/", {"price": 13.49}, format="json")
    assert response.status_code == 200
    for url, etag in before.items():
        fresh = api_client.get(url, HTTP_IF_NONE_MATCH=etag)
        assert fresh.status_code == 200 and fresh["ETag"] != etag
    assert api_client.get(urls[1]).json()["price"] == 13.49


def test_catalog_reads_signed_in_are_private(auth_client, urls):
    client = auth_client(UserFactory())
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200
        assert response["Cache-Control"] == "private, max-age=0, must-revalidate"
        not_modified = client.get(url, HTTP_IF_NONE_MATCH=response["ETag"])
        assert not_modified.status_code == 304
        assert not_modified["Cache-Control"] == "private, max-age=0, must-revalidate"


def test_catalog_errors_carry_no_etag(api_client):
    response = api_client.get("/api/products/prod_unknown0000000/")
    assert response.status_code == 404 and "ETag" not in response
    response = api_client.get("/api/products/", {"page_size": "0"})
    assert response.status_code == 400 and "ETag" not in response


def test_catalog_conditional_get_is_in_the_schema(api_client):
    paths = api_client.get("/api/schema/?format=json").json()["paths"]
    for path in (
        "/api/products/",
        "/api/products/{product_id}/",
        "/api/categories/",
        "/api/categories/{category_id}/",
    ):
        operation = paths[path]["get"]
        assert {"ETag", "Cache-Control", "Vary"} <= set(operation["responses"]["200"]["headers"])
        assert "content" not in operation["responses"]["304"]
        assert "ETag" in operation["responses"]["304"]["headers"]
        assert any(p["name"] == "If-None-Match" and p["in"] == "header" for p in operation["parameters"])
