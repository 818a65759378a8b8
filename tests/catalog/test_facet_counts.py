"""PostgreSQL keeps facet counts for the broadest lists (the whole catalog, a category) with
triggers (migration 0008): after any sequence of catalog writes through every entry point, the
kept counts equal the counts computed live from the products."""

from __future__ import annotations

import random
import threading
from decimal import Decimal

import pytest
from django.db import connection, connections, transaction
from django.db.models import Count

from catalog import services
from catalog.attributes import attribute_create, attribute_delete
from catalog.facets import (
    AttributeFilter,
    FacetRequest,
    product_facets,
    product_facets_kept,
    product_facets_kept_for_value,
)
from catalog.models import (
    Attribute,
    Category,
    FacetCount,
    FacetPairCount,
    PricePairCount,
    Product,
    ProductAttributeValue,
    ProductVariant,
)
from catalog.queries import facet_counts_compact
from catalog.querysets import ProductQuerySet
from catalog.selectors import ProductFilters, _product_filter
from tests.helpers.concurrency import lock_waiters, wait_until
from tests.helpers.inventory import send

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="facet counts are kept by PostgreSQL triggers"
    ),
]

COLORS = ["red", "blue", "green"]


def _assert_kept_equals_live() -> dict:
    """Every kept scope (the catalog, each category, each attribute value of any product, live or
    not) counts what the live counting of the same filter counts."""
    request = FacetRequest(attributes=tuple(Attribute.objects.order_by("pk")), price=True)
    scopes: list[tuple[object, str | None]] = [(0, None)]
    scopes += [(category.pk, category.slug) for category in Category.objects.all()]
    for scope, slug in scopes:
        live = product_facets(
            _product_filter(ProductQuerySet(Product), ProductFilters(category=slug)), request
        )
        assert product_facets_kept(scope, request, using="default") == live, slug or "whole catalog"
    values = ProductAttributeValue.objects.values_list("attribute_id", "value").distinct()
    assert values, "no attribute value to check"
    for attribute_id, text in values:
        value = AttributeFilter(attribute_id, values=(text,))
        live = product_facets(
            _product_filter(ProductQuerySet(Product), ProductFilters(attributes=(value,))), request
        )
        assert product_facets_kept_for_value(value, request, using="default") == live, text
    return product_facets_kept(0, request, using="default")


def test_kept_counts_follow_every_kind_of_write(api_client, settings):
    settings.CATALOG_PRICE_FACET_BOUNDS = [10, 20]
    rng = random.Random(15)
    attribute_create(slug="color", name="Colour", type="choice", choices=COLORS)
    attribute_create(slug="size", name="Size", type="choice", choices=["S", "M"])
    attribute_create(slug="weight", name="Weight", type="number")
    root = services.category_create(name="Root")
    leaf = services.category_create(name="Leaf", parent=root.public_id)
    other = services.category_create(name="Other")
    products: list[Product] = []
    for index in range(8):
        categories = rng.sample([root.public_id, leaf.public_id, other.public_id], rng.randint(0, 2))
        if index % 2:
            product = services.product_create(
                name=f"Tee {index}",
                options=["size", "color"],
                variants=[
                    {
                        "options": {"size": size, "color": rng.choice(COLORS)},
                        "price": Decimal(5 + index),
                        "quantity": 1,
                    }
                    for size in ("S", "M")
                ],
                categories=categories,
                attributes={"weight": index},
            )
        else:
            product = services.product_create(
                name=f"Mug {index}",
                price=Decimal(8 + 3 * index),
                quantity=2,
                categories=categories,
                attributes={"color": rng.choice(COLORS)},
            )
        products.append(product)
    first = _assert_kept_equals_live()
    assert sum(row["count"] for row in first["color"]) >= 4 and len(first["weight"]) == 4 and first["price"]

    services.product_update(product=products[0], data={"discontinued": True})
    services.product_update(
        product=products[2], data={"price": Decimal("19.50"), "attributes": {"color": "blue"}}
    )
    services.product_update(product=products[4], data={"categories": [leaf.public_id]})
    _assert_kept_equals_live()

    tee = products[1]
    variant = ProductVariant.objects.filter(product=tee).first()
    services.variant_update(variant=variant, data={"is_active": False})
    services.variant_update(
        variant=ProductVariant.objects.filter(product=tee).last(), data={"price": Decimal("30")}
    )
    _assert_kept_equals_live()

    services.category_update(category=leaf, data={"parent": other.public_id})  # the tree moves
    services.product_update(product=products[0], data={"discontinued": False})
    _assert_kept_equals_live()

    services.category_delete(category=root)
    services.product_delete(product=products[3])
    services.product_discontinue_many(product_ids=[products[5].pk, products[6].pk])
    _assert_kept_equals_live()

    # the inventory API creates, re-prices and discontinues products too
    body = {"manager_id": "mgr_1", "products": [{"name": "Kettle", "price": 25, "quantity": 3}]}
    created = send(api_client, "post", "/api/inventory/products", body)
    assert created.status_code == 201, created.content
    body["products"][0]["price"] = 9
    assert send(api_client, "post", "/api/inventory/products", body).status_code == 201
    _assert_kept_equals_live()
    kettle = created.json()["products"][0]["id"]
    discontinued = send(
        api_client, "post", "/api/inventory/discontinue", {"manager_id": "mgr_1", "product_id": kettle}
    )
    assert discontinued.status_code == 204, discontinued.content
    _assert_kept_equals_live()

    # the housekeeping folds each key's change rows into one and changes no count
    rows = FacetCount.objects.count() + FacetPairCount.objects.count() + PricePairCount.objects.count()
    kept = facet_counts_compact()
    assert kept == FacetCount.objects.count() + FacetPairCount.objects.count()
    assert kept + PricePairCount.objects.count() < rows
    pairs = ("attribute_id", "value", "other_attribute_id", "other_value")
    assert not FacetPairCount.objects.values(*pairs).annotate(rows=Count("id")).filter(rows__gt=1).exists()
    assert (
        not PricePairCount.objects.values("attribute_id", "value", "price")
        .annotate(rows=Count("id"))
        .filter(rows__gt=1)
        .exists()
    )
    _assert_kept_equals_live()

    attribute_delete(attribute=Attribute.objects.get(slug="color"))
    _assert_kept_equals_live()


def test_the_kept_counts_answer_the_broad_lists(api_client):
    attribute_create(slug="color", name="Colour", type="choice", choices=COLORS)
    coffee = services.category_create(name="Coffee")
    services.product_create(
        name="Beans",
        price=Decimal("12"),
        quantity=1,
        categories=[coffee.public_id],
        attributes={"color": "red"},
    )
    services.product_create(name="Mug", price=Decimal("30"), quantity=1, attributes={"color": "blue"})
    body = api_client.get("/api/products/", {"facets": "color", "category": "coffee"}).json()
    assert body["count"] == 1 and body["facets"] == {"color": [{"value": "red", "count": 1}]}
    everything = api_client.get("/api/products/", {"facets": "color"}).json()
    assert everything["facets"]["color"] == [{"value": "blue", "count": 1}, {"value": "red", "count": 1}]
    unknown = api_client.get("/api/products/", {"facets": "color", "category": "no-such-category"})
    assert unknown.status_code == 400 and "category" in unknown.json()["error"]["details"]


def test_a_list_filtered_by_one_value_reads_the_kept_pairs(api_client):
    """``attr.color=red`` alone reads the pairs (a kept row changed by hand shows); with a second
    value or another filter the counts are live again."""
    color = attribute_create(slug="color", name="Colour", type="choice", choices=COLORS)
    services.product_create(name="Red", price=Decimal("12"), quantity=1, attributes={"color": "red"})
    services.product_create(name="Blue", price=Decimal("30"), quantity=1, attributes={"color": "blue"})
    FacetPairCount.objects.create(
        attribute_id=color.pk, value="red", other_attribute_id=color.pk, other_value="red", count=41
    )
    kept = api_client.get("/api/products/", {"facets": "color", "attr.color": "red"}).json()
    assert kept["count"] == 1 and kept["facets"] == {"color": [{"value": "red", "count": 42}]}
    live = api_client.get("/api/products/", {"facets": "color", "attr.color": "red,blue"}).json()
    assert live["facets"]["color"] == [{"value": "blue", "count": 1}, {"value": "red", "count": 1}]
    searched = api_client.get("/api/products/", {"facets": "color", "attr.color": "red", "search": "red"})
    assert searched.json()["facets"] == {"color": [{"value": "red", "count": 1}]}


@pytest.mark.concurrency
@pytest.mark.django_db(transaction=True)
def test_an_attribute_defined_while_its_product_is_edited_keeps_the_pairs_exact():
    """Two rewrites of one product's value rows never overlap: defining ``size`` (which indexes the
    products with a ``size`` option) waits for an open edit of such a product, then rewrites its
    rows with the edit's colour. Were they to overlap, each statement's pairs would miss the
    other's rows (red × S, …) for good."""
    attribute_create(slug="color", name="Colour", type="choice", choices=COLORS)
    product = services.product_create(
        name="Tee",
        options=["size"],
        variants=[{"options": {"size": size}, "price": Decimal("10"), "quantity": 1} for size in "SM"],
    )
    assert not ProductAttributeValue.objects.filter(product=product).exists()
    edited, release = threading.Event(), threading.Event()

    def edit() -> None:
        try:
            with transaction.atomic():
                services.product_update(
                    product=Product.objects.get(pk=product.pk), data={"attributes": {"color": "red"}}
                )
                edited.set()
                release.wait(30)
        finally:
            connections.close_all()

    def define() -> None:
        try:
            attribute_create(slug="size", name="Size", type="choice", choices=["S", "M"])
        finally:
            connections.close_all()

    editor = threading.Thread(target=edit)
    editor.start()
    assert edited.wait(30)
    definer = threading.Thread(target=define)
    definer.start()
    try:
        # the definition runs until it waits on a row lock (the product's, were it not locked: the
        # catalog version's, after writing its rows) or ends
        wait_until(lambda: lock_waiters() >= 1 or not definer.is_alive())
    finally:
        release.set()
        editor.join(30)
        definer.join(30)

    assert not editor.is_alive() and not definer.is_alive()
    rows = set(ProductAttributeValue.objects.filter(product=product).values_list("attribute__slug", "value"))
    assert rows == {("color", "red"), ("size", "S"), ("size", "M")}
    assert _assert_kept_equals_live()["color"] == [{"value": "red", "count": 1}]
