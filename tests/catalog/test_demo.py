"""seed_demo loads a demo catalog (category tree + products) and never duplicates it."""

import pytest
from django.core.management import call_command

from catalog.demo import demo_catalog_seed
from catalog.models import Category, Product

pytestmark = pytest.mark.django_db


def test_seed_demo_creates_products_once(capsys):
    call_command("seed_demo", "--products", "30")
    products, categories = Product.objects.count(), Category.objects.count()
    assert products >= 30
    assert (
        Category.objects.filter(parent__isnull=True).exists()
        and Category.objects.filter(parent__isnull=False).exists()
    )
    call_command("seed_demo", "--products", "30")
    assert (Product.objects.count(), Category.objects.count()) == (products, categories)
    assert "Demo catalog: 0 products created" in capsys.readouterr().out


def test_demo_products_are_realistic_and_filed_under_leaf_categories():
    assert demo_catalog_seed(products=50) == 50
    assert demo_catalog_seed(products=60) == 10
    product = Product.objects.order_by("pk").first()
    assert product.price > 0 and len(product.description) > 20 and product.slug
    assert all(c.parent_id is not None for c in product.categories.all())
    assert not Product.objects.filter(categories__isnull=True).exists()
    assert len(set(Product.objects.values_list("slug", flat=True))) == 60
