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
