"""PostgreSQL's ``ProductPlacement`` rows (one per product and category of its sub-trees, with
price and discontinued copied in) follow every write path: the catalog API, the admin, the
inventory API, category moves and deletes, bulk seeding. Each test compares the table with
what the category links and the tree say it must hold."""

from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import connection
from django.urls import reverse

from catalog.models import Category, Product, ProductPlacement, ProductVariant
from tests.factories import CategoryFactory, ProductFactory
from tests.helpers.images import NO_IMAGE_ROWS

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="placements are kept by PostgreSQL triggers"
    ),
]


def expected_placements() -> set[tuple[int, int, Decimal, bool]]:
    """(category, product, price, discontinued) for each linked category and its ancestors."""
    parents = dict(Category.objects.values_list("id", "parent_id"))
    products = {
        pk: (price, discontinued)
        for pk, price, discontinued in Product.objects.values_list("pk", "price", "discontinued")
    }
    rows = set()
    for product_id, category_id in Product.categories.through.objects.values_list(
        "product_id", "category_id"
    ):
        node = category_id
        while node is not None:
            rows.add((node, product_id, *products[product_id]))
            node = parents[node]
    return rows


def actual_placements() -> set[tuple[int, int, Decimal, bool]]:
    return set(ProductPlacement.objects.values_list("category_id", "product_id", "price", "discontinued"))


def assert_placements_current() -> None:
    expected = expected_placements()
    assert expected, "the scenario should leave some placements to compare"
    assert actual_placements() == expected


@pytest.fixture
def tree():
    """kitchen > cookware > pans, and home (a second root)."""
    kitchen = CategoryFactory(slug="kitchen")
    cookware = CategoryFactory(slug="cookware", parent=kitchen)
    pans = CategoryFactory(slug="pans", parent=cookware)
    home = CategoryFactory(slug="home")
    return kitchen, cookware, pans, home


def test_links_price_and_discontinued_through_the_api(admin_client, tree):
    kitchen, cookware, pans, home = tree
    created = admin_client.post(
        "/api/products/",
        {"name": "Pan", "price": "20.00", "quantity": 5, "categories": [pans.public_id, home.public_id]},
        format="json",
    )
    assert created.status_code == 201, created.content
    product = Product.objects.get(public_id=created.json()["id"])
    assert {row[0] for row in actual_placements()} == {kitchen.pk, cookware.pk, pans.pk, home.pk}
    assert_placements_current()

    changed = admin_client.patch(
        f"/api/products/{product.public_id}/",
        {"price": "17.50", "categories": [cookware.public_id]},
        format="json",
    )
    assert changed.status_code == 200, changed.content
    assert actual_placements() == {
        (kitchen.pk, product.pk, Decimal("17.50"), False),
        (cookware.pk, product.pk, Decimal("17.50"), False),
    }

    assert (
        admin_client.patch(
            f"/api/products/{product.public_id}/", {"discontinued": True}, format="json"
        ).status_code
        == 200
    )
    assert {row[3] for row in actual_placements()} == {True}
    assert_placements_current()

    assert admin_client.delete(f"/api/products/{product.public_id}/").status_code == 204
    assert not ProductPlacement.objects.exists()


def test_stock_changes_leave_placements_alone(tree):
    product = ProductFactory(categories=[tree[2]], quantity=5)
    before = actual_placements()
    ProductVariant.objects.filter(product=product).update(quantity=0)
    assert actual_placements() == before
    assert_placements_current()


def test_category_moves_and_deletes_carry_the_products_along(admin_client, tree):
    kitchen, cookware, pans, home = tree
    in_pans = ProductFactory(categories=[pans])
    in_cookware = ProductFactory(categories=[cookware])
    ProductFactory(categories=[home])

    moved = admin_client.patch(
        f"/api/categories/{cookware.public_id}/", {"parent": home.public_id}, format="json"
    )
    assert moved.status_code == 200, moved.content
    assert not ProductPlacement.objects.filter(category=kitchen).exists()
    assert set(ProductPlacement.objects.filter(category=home).values_list("product_id", flat=True)) == {
        in_pans.pk,
        in_cookware.pk,
        *Product.objects.filter(categories=home).values_list("pk", flat=True),
    }
    assert_placements_current()

    # cookware goes; pans moves up to home and keeps its product; in_cookware is filed nowhere.
    assert admin_client.delete(f"/api/categories/{cookware.public_id}/").status_code == 204
    pans.refresh_from_db()
    assert pans.parent_id == home.pk
    assert not ProductPlacement.objects.filter(product=in_cookware).exists()
    assert_placements_current()


def test_admin_writes(client, admin_user, tree):
    kitchen, cookware, pans, home = tree
    client.force_login(admin_user)
    added = client.post(
        reverse("admin:catalog_product_add"),
        {
            "name": "Mug",
            "slug": "mug",
            "description": "",
            "price": "5.00",
            "quantity": "3",
            "categories": [pans.pk],
            **NO_IMAGE_ROWS,
        },
    )
    assert added.status_code == 302
    mug = Product.objects.get(slug="mug")
    assert ProductPlacement.objects.filter(product=mug).count() == 3
    other = ProductFactory(categories=[home])
    discontinued = client.post(
        reverse("admin:catalog_product_changelist"),
        {"action": "discontinue", "_selected_action": [mug.pk, other.pk]},
    )
    assert discontinued.status_code == 302
    assert {row[3] for row in actual_placements()} == {True}
    assert_placements_current()
    deleted = client.post(
        reverse("admin:catalog_category_changelist"),
        {"action": "delete_selected", "_selected_action": [kitchen.pk], "post": "yes"},
    )
    assert deleted.status_code == 302
    assert not ProductPlacement.objects.filter(category_id=kitchen.pk).exists()
    assert_placements_current()


def test_bulk_seeding_fills_placements():
    call_command("seed_demo", "--products", "300", "--no-orders", verbosity=0)
    assert ProductPlacement.objects.count() > Product.objects.count()
    assert_placements_current()
