import pytest

from catalog.models import Product
from catalog.slugs import slug_base, unique_slugs
from tests.factories import ProductFactory


def test_slug_base_never_empty():
    assert slug_base("Premium Coffee Beans!") == "premium-coffee-beans"
    assert slug_base("!!!") == "item"


@pytest.mark.django_db
def test_unique_slugs_suffix_existing_and_batch_duplicates(django_assert_max_num_queries):
    ProductFactory(slug="coffee")
    ProductFactory(slug="coffee-2")
    with django_assert_max_num_queries(1):
        slugs = unique_slugs(Product, ["Coffee", "Coffee", "Tea"])
    assert slugs == ["coffee-3", "coffee-4", "tea"]
    assert unique_slugs(Product, []) == []


@pytest.mark.django_db
def test_unique_slugs_for_a_thousand_names_in_bounded_queries(django_assert_max_num_queries):
    ProductFactory(slug="item-7")
    names = [f"Item {i}" for i in range(1000)] + ["Item 7"]
    with django_assert_max_num_queries(5):
        slugs = unique_slugs(Product, names)
    assert len(set(slugs)) == 1001
    assert slugs[7] == "item-7-2" and slugs[-1] == "item-7-3"
