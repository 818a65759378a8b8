"""?search=: relevance ranking on every database; typo tolerance on PostgreSQL (pg_trgm)."""

import pytest
from django.db import connection

from catalog.search import PostgresSearchBackend, SimpleSearchBackend, search_backend
from tests.factories import CategoryFactory, ProductFactory

pytestmark = pytest.mark.django_db

URL = "/api/products/"


def names(response):
    assert response.status_code == 200, response.json()
    return [item["name"] for item in response.json()["results"]]


@pytest.fixture
def catalog():
    ProductFactory(name="Premium Coffee Beans", description="Arabica beans, medium roast.")
    ProductFactory(name="Coffee Grinder", description="Burr grinder.")
    ProductFactory(name="Green Tea", description="Pairs well with coffee cake.")
    ProductFactory(name="Chef Knife", description="Steel.")
    ProductFactory(name="Old Coffee Mug", description="Ceramic.", discontinued=True)


def test_search_backend_follows_the_database():
    expected = PostgresSearchBackend if connection.vendor == "postgresql" else SimpleSearchBackend
    assert isinstance(search_backend(), expected)


def test_search_finds_name_and_description_matches_name_first(api_client, catalog):
    found = names(api_client.get(URL, {"search": "coffee"}))
    assert set(found) == {"Premium Coffee Beans", "Coffee Grinder", "Green Tea"}
    assert found[-1] == "Green Tea"  # description-only match ranks last


def test_search_all_words_must_match(api_client, catalog):
    assert names(api_client.get(URL, {"search": "coffee beans"})) == ["Premium Coffee Beans"]
    assert names(api_client.get(URL, {"search": "knife"})) == ["Chef Knife"]
    assert names(api_client.get(URL, {"search": "submarine"})) == []


def test_search_with_ordering_and_filters(api_client, catalog):
    ProductFactory(name="Cheap Coffee", price="1.00", categories=[CategoryFactory(slug="bargains")])
    by_price = names(api_client.get(URL, {"search": "coffee", "ordering": "price"}))
    assert by_price[0] == "Cheap Coffee"
    assert names(api_client.get(URL, {"search": "coffee", "ordering": "-price"}))[-1] == "Cheap Coffee"
    by_name = names(api_client.get(URL, {"search": "coffee", "ordering": "name"}))
    assert by_name == sorted(by_name, key=str.lower)
    assert names(api_client.get(URL, {"search": "coffee", "category": "bargains"})) == ["Cheap Coffee"]
    assert names(api_client.get(URL, {"search": "mug", "status": "discontinued"})) == ["Old Coffee Mug"]
    assert len(names(api_client.get(URL, {"search": "coffee", "ordering": "relevance"}))) == 4


def test_blank_search_lists_everything(api_client, catalog):
    assert api_client.get(URL, {"search": "  "}).json()["count"] == 4


def test_simple_backend_ignores_an_empty_query(catalog):
    from catalog.models import Product

    assert not SimpleSearchBackend().search(Product.objects.all(), "   ").exists()


def test_search_typo_finds_the_product_on_postgresql(api_client, catalog):
    if connection.vendor != "postgresql":
        pytest.skip("typo tolerance (pg_trgm) is PostgreSQL only")
    found = names(api_client.get(URL, {"search": "cofee"}))
    assert set(found[:2]) == {"Premium Coffee Beans", "Coffee Grinder"}
    assert names(api_client.get(URL, {"search": "premium cofee"})) == ["Premium Coffee Beans"]
    assert names(api_client.get(URL, {"search": "chef knif"})) == ["Chef Knife"]
    assert names(api_client.get(URL, {"search": "the"})) == []


def test_renamed_product_is_found_by_its_new_name_on_postgresql(admin_client, api_client, catalog):
    if connection.vendor != "postgresql":
        pytest.skip("typo vocabulary is PostgreSQL only")
    knife = ProductFactory(name="Bread Saw")
    admin_client.patch(f"{URL}{knife.public_id}/", {"name": "Baguette Slicer"}, format="json")
    assert names(api_client.get(URL, {"search": "baguete"})) == ["Baguette Slicer"]
    assert names(api_client.get(URL, {"search": "saw"})) == []
