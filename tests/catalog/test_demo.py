"""seed_demo loads a demo catalog (category tree + products) and never duplicates it."""

import pytest
from django.core.management import call_command

from catalog.demo import demo_catalog_seed
from catalog.models import Attribute, Category, Product

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


def test_demo_product_names_and_descriptions_fit_their_category():
    """ "{kind} {noun}, {variant}" from the vocabulary of a sub-category the product is filed
    under: no "Artisan Desk Chair Dark Roast"."""
    from catalog.demo import TREE

    demo_catalog_seed(products=300)
    vocabulary = {child: leaf for children in TREE.values() for child, leaf in children.items()}
    for product in Product.objects.prefetch_related("categories"):
        homes = [vocabulary[c.name] for c in product.categories.all()]
        kind_noun, _, variant = product.name.partition(", ")
        assert any(
            variant in leaf.variants
            and any(kind_noun == f"{kind} {noun}" for kind in leaf.kinds for noun in leaf.nouns)
            and sum(blurb in product.description for blurb in leaf.blurbs) == 3
            for leaf in homes
        ), (product.name, [c.name for c in product.categories.all()])
    roasts = Product.objects.filter(name__contains="Roast")
    assert roasts.exists() and not roasts.exclude(categories__name="Coffee").exists()
    assert (
        not Product.objects.filter(name__contains="Desk Chair").exclude(categories__name="Furniture").exists()
    )


def test_demo_catalog_stock_is_in_the_ledger_and_in_the_past():
    from django.db.models import Sum
    from django.utils import timezone

    from catalog.models import StockMovement

    demo_catalog_seed(products=80)
    ledger = dict(StockMovement.objects.values_list("product").annotate(total=Sum("delta")))
    for product in Product.objects.all():
        assert ledger.get(product.pk, 0) == product.quantity
        assert product.created_at < timezone.now()
    assert not StockMovement.objects.filter(created_at__gt=timezone.now()).exists()
    opening = StockMovement.objects.first()
    assert opening.reason == "restock" and opening.note == "opening stock"
    assert opening.created_at == opening.product.created_at


def test_seed_demo_generates_images_for_the_first_products_once(django_capture_on_commit_callbacks):
    from catalog.demo import DEMO_IMAGE_PRODUCTS, demo_images_seed
    from catalog.models import ProductImage

    demo_catalog_seed(products=DEMO_IMAGE_PRODUCTS + 5)
    with django_capture_on_commit_callbacks(execute=True):
        created = demo_images_seed()
    with_images = set(ProductImage.objects.values_list("product_id", flat=True))
    first = set(Product.objects.order_by("pk").values_list("pk", flat=True)[:DEMO_IMAGE_PRODUCTS])
    assert with_images == first
    assert created == ProductImage.objects.count() > DEMO_IMAGE_PRODUCTS
    image = ProductImage.objects.order_by("pk").first()
    assert (image.width, image.height) == (640, 640) and image.alt.startswith(image.product.name)
    assert {(r["width"], r["format"]) for r in image.renditions} == {
        (160, "jpeg"),
        (160, "webp"),
        (480, "jpeg"),
        (480, "webp"),
    }
    assert demo_images_seed() == 0  # again: nothing new


def test_demo_catalog_has_attributes_that_filter_and_facet(client):
    demo_catalog_seed(products=300)
    assert set(Attribute.objects.values_list("slug", flat=True)) == {
        "size",
        "color",
        "material",
        "weight",
        "organic",
    }
    body = client.get(
        "/api/products/", {"facets": "size,color,material,organic,price", "page_size": 1}
    ).json()
    facets = body["facets"]
    assert sum(row["count"] for row in facets["material"]) == body["count"]  # every product has one
    assert facets["size"] and facets["color"] and facets["organic"] and facets["price"]
    heavy = client.get("/api/products/", {"attr.weight__gte": "4", "attr.material": "steel,wood"}).json()
    assert 0 < heavy["count"] < body["count"]
    assert all(p["attributes"]["weight"] >= 4 for p in heavy["results"])
