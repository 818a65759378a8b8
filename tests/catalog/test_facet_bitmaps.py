"""PostgreSQL keeps facet bitmaps (migration 0011): one bit per product for each attribute value,
category, price bound and "live", kept by triggers as rows of flips. After any sequence of
catalog writes through every entry point, the counts read from them through the product list's
selector equal the counts computed live from the products, for every kind of filter."""

from __future__ import annotations

import random
import threading
from decimal import Decimal

import pytest
from django.db import connection, connections, transaction
from django.db.models import Count
from django.test.utils import CaptureQueriesContext

from catalog import services
from catalog.attributes import attribute_create, attribute_delete
from catalog.facets import AttributeFilter, FacetRequest, price_bounds, product_facets, product_facets_bitmaps
from catalog.models import (
    Attribute,
    Category,
    FacetBitmap,
    FacetBitmapBound,
    FacetBitmapKind,
    Product,
    ProductAttributeValue,
    ProductVariant,
)
from catalog.queries import facet_bitmaps_bounds_sync, facet_bitmaps_compact
from catalog.selectors import ProductFilters, _bare_products, product_facet_counts
from tests.helpers.concurrency import lock_waiters, transaction_held, wait_until
from tests.helpers.inventory import send

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="facet bitmaps are kept by PostgreSQL triggers"
    ),
]

COLORS = ["red", "blue", "green"]


def _assert_bitmaps_equal_live() -> dict:
    """The bitmaps count what live counting counts, through the list's selector, in one query,
    for lists filtered by: nothing; each category; a search, a price or stock alone; each value
    (of any product, live or not) alone, in each category, with a search, a price range, stock
    or a status; two values of one attribute; values of two attributes (with a search too);
    every number range between two of the numbers present (in a category too); a range with a
    value. (The bounds are made the settings' first: a transactional test's flush empties them.)
    Returns the whole catalog's counts."""
    facet_bitmaps_bounds_sync()
    request = FacetRequest(attributes=tuple(Attribute.objects.order_by("pk")), price=True)
    values = list(ProductAttributeValue.objects.values_list("attribute_id", "value").distinct())
    assert values, "no attribute value to check"
    categories: list[str | None] = [None, *Category.objects.values_list("slug", flat=True)]
    lists = [ProductFilters(category=slug) for slug in categories]
    lists += [
        ProductFilters(search="tee"),
        ProductFilters(min_price=Decimal("9")),
        ProductFilters(in_stock=True),
    ]
    for attribute_id, text in values:
        one = (AttributeFilter(attribute_id, values=(text,)),)
        lists += [ProductFilters(attributes=one, category=slug) for slug in categories]
        lists += [
            ProductFilters(attributes=one, search="tee"),
            ProductFilters(attributes=one, min_price=Decimal("9"), max_price=Decimal("20")),
            ProductFilters(attributes=one, in_stock=True, category=categories[-1]),
            ProductFilters(attributes=one, status="out_of_stock", search="mug"),
        ]
    for (a, x), (b, y) in zip(values, values[1:], strict=False):
        if a == b:
            lists.append(ProductFilters(attributes=(AttributeFilter(a, values=(x, y)),)))
        else:
            two = (AttributeFilter(a, values=(x,)), AttributeFilter(b, values=(y,)))
            lists += [ProductFilters(attributes=two), ProductFilters(attributes=two, search="mug")]
    numbers = ProductAttributeValue.objects.filter(number__isnull=False)
    for attribute_id in set(numbers.values_list("attribute_id", flat=True)):
        present = sorted(set(numbers.filter(attribute_id=attribute_id).values_list("number", flat=True)))
        for low, high in zip(present, present[2:], strict=False):
            lists.append(
                ProductFilters(
                    attributes=(AttributeFilter(attribute_id, bounds=(("gte", low), ("lt", high))),)
                )
            )
            between = AttributeFilter(attribute_id, bounds=(("gt", low), ("lte", high)))
            lists.append(ProductFilters(attributes=(between,), category=categories[-1]))
        if present:
            ranged = AttributeFilter(attribute_id, bounds=(("lte", present[-1]),))
            lists += [
                ProductFilters(attributes=(ranged, AttributeFilter(a, values=(x,))))
                for a, x in values
                if a != attribute_id
            ]
    for filters in lists:
        live = product_facets(_bare_products(filters, "default"), request)
        with CaptureQueriesContext(connection) as queries:
            kept = product_facet_counts(filters=filters, request=request)
        assert kept == live, filters
        read = [q["sql"] for q in queries.captured_queries if "catalog_facetbitmap" in q["sql"]]
        assert len(read) == len(queries.captured_queries) == 1, filters
    return product_facet_counts(filters=ProductFilters(), request=request)


def test_the_bitmaps_follow_every_kind_of_write(api_client, settings):
    settings.CATALOG_PRICE_FACET_BOUNDS = [10, 20]
    assert facet_bitmaps_bounds_sync()  # the bitmaps' bounds were the default settings'
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
    first = _assert_bitmaps_equal_live()
    assert sum(row["count"] for row in first["color"]) >= 4 and len(first["weight"]) == 4 and first["price"]

    services.product_update(product=products[0], data={"discontinued": True})
    services.product_update(
        product=products[2], data={"price": Decimal("19.50"), "attributes": {"color": "blue"}}
    )
    services.product_update(product=products[4], data={"categories": [leaf.public_id]})
    _assert_bitmaps_equal_live()

    tee = products[1]
    variant = ProductVariant.objects.filter(product=tee).first()
    services.variant_update(variant=variant, data={"is_active": False})
    services.variant_update(
        variant=ProductVariant.objects.filter(product=tee).last(), data={"price": Decimal("30")}
    )
    _assert_bitmaps_equal_live()

    services.category_update(category=leaf, data={"parent": other.public_id})  # the tree moves
    services.product_update(product=products[0], data={"discontinued": False})
    _assert_bitmaps_equal_live()

    services.category_delete(category=root)
    services.product_delete(product=products[3])
    services.product_discontinue_many(product_ids=[products[5].pk, products[6].pk])
    _assert_bitmaps_equal_live()

    # the inventory API creates, re-prices and discontinues products too
    body = {"manager_id": "mgr_1", "products": [{"name": "Kettle", "price": 25, "quantity": 3}]}
    created = send(api_client, "post", "/api/inventory/products", body)
    assert created.status_code == 201, created.content
    body["products"][0]["price"] = 9
    assert send(api_client, "post", "/api/inventory/products", body).status_code == 201
    _assert_bitmaps_equal_live()
    kettle = created.json()["products"][0]["id"]
    discontinued = send(
        api_client, "post", "/api/inventory/discontinue", {"manager_id": "mgr_1", "product_id": kettle}
    )
    assert discontinued.status_code == 204, discontinued.content
    _assert_bitmaps_equal_live()

    # new price bounds: the bitmaps' price counts are not kept until the housekeeping keeps them
    settings.CATALOG_PRICE_FACET_BOUNDS = [9, 15, 40]
    one = (AttributeFilter(Attribute.objects.get(slug="color").pk, values=("red", "blue")),)
    assert product_facets_bitmaps(one, None, FacetRequest(price=True), using="default") is None
    assert facet_bitmaps_bounds_sync() and not facet_bitmaps_bounds_sync()
    assert set(FacetBitmapBound.objects.values_list("number", flat=True)) == {
        Decimal(9),
        Decimal(15),
        Decimal(40),
    }
    services.product_update(product=products[2], data={"price": Decimal("14")})
    _assert_bitmaps_equal_live()

    # the housekeeping folds each key's change rows into one and changes no count
    bitmaps = FacetBitmap.objects.count()
    kept = facet_bitmaps_compact()
    assert kept == FacetBitmap.objects.count() < bitmaps
    key = ("kind", "key_id", "value", "number", "chunk")
    assert not FacetBitmap.objects.values(*key).annotate(rows=Count("id")).filter(rows__gt=1).exists()
    _assert_bitmaps_equal_live()

    attribute_delete(attribute=Attribute.objects.get(slug="color"))
    _assert_bitmaps_equal_live()


def test_the_broad_lists_read_the_bitmaps(api_client):
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
    both = [{"value": "blue", "count": 1}, {"value": "red", "count": 1}]
    for params, facets in [
        ({"facets": "color", "category": "coffee"}, {"color": [{"value": "red", "count": 1}]}),
        ({"facets": "color"}, {"color": both}),
        (
            {"facets": "color,price", "attr.color": "red"},
            {"color": [{"value": "red", "count": 1}], "price": [{"min": 10.0, "max": 25.0, "count": 1}]},
        ),
    ]:
        with CaptureQueriesContext(connection) as queries:
            body = api_client.get("/api/products/", params).json()
        assert body["facets"] == facets, params
        assert sum("catalog_facetbitmap" in q["sql"] for q in queries.captured_queries) == 1, params
    unknown = api_client.get("/api/products/", {"facets": "color", "category": "no-such-category"})
    assert unknown.status_code == 400 and "category" in unknown.json()["error"]["details"]


@pytest.mark.concurrency
@pytest.mark.django_db(transaction=True)
def test_an_attribute_defined_while_its_product_is_edited_keeps_its_rows_and_bits_exact():
    """Two rewrites of one product's value rows never overlap: defining ``size`` (which indexes the
    products with a ``size`` option) waits for an open edit of such a product, then rewrites its
    rows with the edit's colour. Were they to overlap, one would lose the other's rows (red, or
    S and M) for good, and the bitmaps with them."""
    attribute_create(slug="color", name="Colour", type="choice", choices=COLORS)
    product = services.product_create(
        name="Tee",
        options=["size"],
        variants=[{"options": {"size": size}, "price": Decimal("10"), "quantity": 1} for size in "SM"],
    )
    assert not ProductAttributeValue.objects.filter(product=product).exists()

    def define() -> None:
        try:
            attribute_create(slug="size", name="Size", type="choice", choices=["S", "M"])
        finally:
            connections.close_all()

    definer = threading.Thread(target=define)
    edit = {"product": Product.objects.get(pk=product.pk), "data": {"attributes": {"color": "red"}}}
    with transaction_held(lambda: services.product_update(**edit)):
        definer.start()
        # the definition runs until it waits on a row lock (the product's, were it not locked: the
        # catalog version's, after writing its rows) or ends
        wait_until(lambda: lock_waiters() >= 1 or not definer.is_alive())
    definer.join(30)
    assert not definer.is_alive()
    rows = set(ProductAttributeValue.objects.filter(product=product).values_list("attribute__slug", "value"))
    assert rows == {("color", "red"), ("size", "S"), ("size", "M")}
    assert _assert_bitmaps_equal_live()["color"] == [{"value": "red", "count": 1}]


def test_lists_filtered_by_values_ranges_and_a_category_read_the_kept_bitmaps(api_client):
    """Two values, a range, a value in a category: the counts come from the bitmaps (a flip row
    added by hand, for a product that does not exist, shows), in one query; with a search, a
    price, a stock or a status filter too, their products ANDed in (the ghost is not among
    them); for discontinued products the counts are live."""
    color = attribute_create(slug="color", name="Colour", type="choice", choices=COLORS)
    weight = attribute_create(slug="weight", name="Weight", type="number")
    mugs = services.category_create(name="Mugs")
    services.product_create(
        name="Red mug", price=Decimal("12"), quantity=1, categories=[mugs.public_id],
        attributes={"color": "red", "weight": 2},
    )  # fmt: skip
    services.product_create(
        name="Blue mug", price=Decimal("30"), quantity=1, attributes={"color": "blue", "weight": 5}
    )
    ghost = 8191  # chunk 0's last product: no product has it
    with connection.cursor() as cursor:
        for kind, key_id, value, number in [
            (FacetBitmapKind.LIVE, 0, "", None),
            (FacetBitmapKind.VALUE, color.pk, "red", None),
            (FacetBitmapKind.VALUE, weight.pk, "3", Decimal(3)),
            (FacetBitmapKind.CATEGORY, mugs.pk, "", None),
        ]:
            cursor.execute(
                "INSERT INTO catalog_facetbitmap (kind, key_id, value, number, chunk, bits)"
                " VALUES (%s, %s, %s, %s, 0, catalog_facet_bit(%s))",
                [kind, key_id, value, number, ghost],
            )
    red = [{"value": "red", "count": 2}]
    cases = [
        ({"attr.color": "red,blue"}, [{"value": "red", "count": 2}, {"value": "blue", "count": 1}]),
        ({"attr.weight__gte": "1", "attr.weight__lt": "4"}, red),
        ({"attr.color": "red", "category": "mugs"}, red),
        ({"attr.color": "red", "attr.weight__lte": "3"}, red),
    ]
    for params, counts in cases:
        with CaptureQueriesContext(connection) as queries:
            response = api_client.get("/api/products/", {**params, "facets": "color"})
        assert response.status_code == 200, response.content
        assert response.json()["facets"] == {"color": counts}, params
        assert sum("catalog_facetbitmap" in q["sql"] for q in queries.captured_queries) == 1, params
    for params in ({"search": "mug"}, {"min_price": "1"}, {"in_stock": "true"}, {"status": "in_stock"}):
        with CaptureQueriesContext(connection) as queries:
            response = api_client.get(
                "/api/products/", {"attr.color": "red,blue", "facets": "color", **params}
            )
        assert response.status_code == 200, response.content
        assert response.json()["facets"]["color"] == [
            {"value": "blue", "count": 1},
            {"value": "red", "count": 1},
        ]
        assert sum("catalog_facetbitmap" in q["sql"] for q in queries.captured_queries) == 1, params
    services.product_discontinue_many(product_ids=list(Product.objects.values_list("pk", flat=True)))
    with CaptureQueriesContext(connection) as queries:
        gone = api_client.get(
            "/api/products/", {"attr.color": "red,blue", "facets": "color", "status": "discontinued"}
        )
    assert gone.json()["facets"]["color"] == [{"value": "blue", "count": 1}, {"value": "red", "count": 1}]
    assert not [q for q in queries.captured_queries if "catalog_facetbitmap" in q["sql"]]


@pytest.mark.concurrency
@pytest.mark.django_db(transaction=True)
def test_writers_of_one_value_and_the_compaction_never_wait_for_each_other():
    """The triggers only append flip rows: while one transaction holds new ``red`` rows open,
    another writes ``red`` rows and the compaction folds, neither waiting (a lock wait would hit
    ``lock_timeout``); afterwards the bitmaps count both."""
    color = attribute_create(slug="color", name="Colour", type="choice", choices=COLORS)
    first, second = (
        services.product_create(name=name, price=Decimal("12"), quantity=1) for name in ("First", "Second")
    )
    with transaction_held(
        lambda: ProductAttributeValue.objects.create(product=first, attribute=color, value="red")
    ):
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET LOCAL lock_timeout = '2s'")
            ProductAttributeValue.objects.create(product=second, attribute=color, value="red")
            facet_bitmaps_compact()
    assert _assert_bitmaps_equal_live()["color"] == [{"value": "red", "count": 2}]


def test_price_bounds_finer_than_a_cent_are_kept_once(settings):
    """A bound of 9.999 is "below 10.00" (prices are whole cents), so the kept bounds (two
    decimals) equal the settings': the housekeeping refills them once, not every hour."""
    settings.CATALOG_PRICE_FACET_BOUNDS = [9.999, 15, 15.0, 40.001]
    assert price_bounds() == [Decimal("10.00"), Decimal("15.00"), Decimal("40.01")]
    for price in ("9.99", "10.00", "40.00", "40.01"):
        services.product_create(name=f"Mug {price}", price=Decimal(price), quantity=1)
    assert facet_bitmaps_bounds_sync() and not facet_bitmaps_bounds_sync()
    facets = product_facet_counts(filters=ProductFilters(), request=FacetRequest(price=True))
    assert facets["price"] == [
        {"min": Decimal("0"), "max": Decimal("10.00"), "count": 1},
        {"min": Decimal("10.00"), "max": Decimal("15.00"), "count": 1},
        {"min": Decimal("15.00"), "max": Decimal("40.01"), "count": 1},
        {"min": Decimal("40.01"), "max": None, "count": 1},
    ]
