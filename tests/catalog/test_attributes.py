"""Attributes (issue #15): typed definitions admins manage at /api/attributes/, values on products
and variants, ``attr.<slug>`` filters (numbers with ranges) and ``facets`` counted in the
database for the current filter, with constant query budgets."""

from __future__ import annotations

from decimal import Decimal

import pytest

from catalog.attributes import attribute_create
from catalog.models import Product, ProductAttributeValue, ProductVariant
from catalog.services import product_create, product_update, products_csv_import, variant_update
from tests.factories import ProductFactory, UserFactory
from tests.helpers import assert_envelope

pytestmark = pytest.mark.django_db

URL = "/api/products/"
ATTRIBUTES = "/api/attributes/"


@pytest.fixture
def definitions():
    return {
        "color": attribute_create(
            slug="color", name="Colour", type="choice", choices=["red", "blue", "green"]
        ),
        "size": attribute_create(slug="size", name="Size", type="choice", choices=["S", "M", "L"]),
        "screen": attribute_create(slug="screen", name="Screen", type="number", unit="in"),
        "organic": attribute_create(slug="organic", name="Organic", type="boolean"),
        "material": attribute_create(slug="material", name="Material", type="text"),
        "internal": attribute_create(slug="internal", name="Internal code", type="text", filterable=False),
    }


def _tee(name: str, colors: list[str], sizes: str = "SM", price: str = "10.00", **attributes) -> Product:
    """A product with size × colour variants (options named like the attributes)."""
    return product_create(
        name=name,
        options=["size", "color"],
        variants=[
            {"options": {"size": size, "color": color}, "price": Decimal(price), "quantity": 1}
            for size in sizes
            for color in colors
        ],
        attributes=attributes,
    )


def _ids(response) -> set[str]:
    assert response.status_code == 200, response.json()
    return {item["id"] for item in response.json()["results"]}


# --- definitions --------------------------------------------------------------------------------


def test_admins_define_attributes_and_anyone_lists_them(admin_client, api_client):
    created = admin_client.post(
        ATTRIBUTES, {"slug": "screen", "name": "Screen", "type": "number", "unit": "in"}, format="json"
    )
    assert created.status_code == 201, created.json()
    body = created.json()
    assert body["id"].startswith("attr_") and created["Location"].endswith(f"/api/attributes/{body['id']}/")
    assert {k: body[k] for k in ("slug", "type", "unit", "choices", "filterable")} == {
        "slug": "screen",
        "type": "number",
        "unit": "in",
        "choices": None,
        "filterable": True,
    }
    listed = api_client.get(ATTRIBUTES)
    assert listed.status_code == 200 and [a["slug"] for a in listed.json()] == ["screen"]
    assert api_client.get(f"{ATTRIBUTES}{body['id']}/").json() == body
    assert_envelope(api_client.get(f"{ATTRIBUTES}attr_nope/"), 404, "NOT_FOUND")


def test_only_admins_write_attributes(api_client, auth_client, definitions):
    body = {"slug": "x", "name": "X", "type": "text"}
    assert_envelope(api_client.post(ATTRIBUTES, body, format="json"), 401, "AUTHENTICATION_REQUIRED")
    shopper = auth_client(UserFactory())
    assert_envelope(shopper.post(ATTRIBUTES, body, format="json"), 403, "PERMISSION_DENIED")
    url = f"{ATTRIBUTES}{definitions['color'].public_id}/"
    assert_envelope(shopper.patch(url, {"name": "Y"}, format="json"), 403, "PERMISSION_DENIED")
    assert_envelope(shopper.delete(url), 403, "PERMISSION_DENIED")


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"slug": "c", "name": "C", "type": "choice"}, "choices"),
        ({"slug": "c", "name": "C", "type": "choice", "choices": ["a", "a"]}, "choices"),
        ({"slug": "c", "name": "C", "type": "text", "choices": ["a"]}, "choices"),
        ({"slug": "c", "name": "C", "type": "text", "unit": "cm"}, "unit"),
        ({"slug": "color", "name": "C", "type": "text"}, "slug"),
        ({"slug": "c", "name": "C", "type": "date"}, "type"),
    ],
)
def test_invalid_definitions_are_400_naming_the_field(admin_client, definitions, body, field):
    error = assert_envelope(admin_client.post(ATTRIBUTES, body, format="json"), 400)
    assert field in error["details"]


def test_slug_type_and_used_choices_are_kept_while_products_use_them(admin_client, definitions):
    _tee("Tee", ["red"])
    url = f"{ATTRIBUTES}{definitions['color'].public_id}/"
    assert (
        "slug" in assert_envelope(admin_client.patch(url, {"slug": "colour"}, format="json"), 400)["details"]
    )
    assert "type" in assert_envelope(admin_client.patch(url, {"type": "text"}, format="json"), 400)["details"]
    removed = admin_client.patch(url, {"choices": ["blue", "green"]}, format="json")
    assert "red" in assert_envelope(removed, 400)["details"]["choices"]
    added = admin_client.patch(
        url, {"choices": ["red", "blue", "green", "black"], "name": "Color"}, format="json"
    )
    assert added.status_code == 200 and added.json()["choices"][-1] == "black"
    unused = f"{ATTRIBUTES}{definitions['material'].public_id}/"
    assert admin_client.patch(unused, {"slug": "fabric"}, format="json").json()["slug"] == "fabric"


def test_deleting_an_attribute_removes_its_values_everywhere(admin_client, definitions):
    product = product_create(
        name="Phone",
        options=["size"],
        variants=[{"options": {"size": "S"}, "price": Decimal("5"), "attributes": {"screen": 6.1}}],
        attributes={"screen": 6, "organic": False},
    )
    response = admin_client.delete(f"{ATTRIBUTES}{definitions['screen'].public_id}/")
    assert response.status_code == 204
    product.refresh_from_db()
    assert product.attributes == {"organic": False}
    assert ProductVariant.objects.get(product=product).attributes == {}
    assert not ProductAttributeValue.objects.filter(value="6").exists()


# --- values ---------------------------------------------------------------------------------------


def test_values_are_validated_and_shown_on_products_and_variants(admin_client, definitions):
    body = {
        "name": "Phone",
        "options": ["size"],
        "variants": [
            {"options": {"size": "S"}, "price": 300, "quantity": 1, "attributes": {"screen": "5.80"}},
            {"options": {"size": "L"}, "price": 400, "quantity": 1, "attributes": {"screen": 6.7}},
        ],
        "attributes": {"organic": "true", "material": " glass ", "color": "blue"},
    }
    response = admin_client.post(URL, body, format="json")
    assert response.status_code == 201, response.json()
    product = response.json()
    assert product["attributes"] == {"organic": True, "material": "glass", "color": "blue"}
    assert [v["attributes"] for v in product["variants"]] == [{"screen": 5.8}, {"screen": 6.7}]
    assert admin_client.get(f"{URL}{product['id']}/").json()["attributes"] == product["attributes"]


@pytest.mark.parametrize(
    ("attributes", "field"),
    [
        ({"nope": "x"}, "attributes.nope"),
        ({"color": "purple"}, "attributes.color"),
        ({"screen": "big"}, "attributes.screen"),
        ({"screen": True}, "attributes.screen"),
        ({"screen": 1.1234567}, "attributes.screen"),
        ({"organic": "yes"}, "attributes.organic"),
        ({"material": ""}, "attributes.material"),
        ({"material": 5}, "attributes.material"),
    ],
)
def test_bad_values_are_400_with_the_dotted_path_and_write_nothing(
    admin_client, definitions, attributes, field
):
    response = admin_client.post(
        URL, {"name": "X", "price": 1, "quantity": 1, "attributes": attributes}, format="json"
    )
    assert field in assert_envelope(response, 400)["details"]
    assert not Product.objects.exists()


def test_a_bad_variant_value_names_the_variant(admin_client, definitions):
    product = _tee("Tee", ["red"])
    variant = ProductVariant.objects.filter(product=product).first()
    response = admin_client.patch(
        f"{URL}{product.public_id}/",
        {"variants": [{"id": variant.public_id, "attributes": {"screen": "x"}}]},
        format="json",
    )
    assert "variants.0.attributes.screen" in assert_envelope(response, 400)["details"]


# --- filters --------------------------------------------------------------------------------------


def test_filters_match_the_product_or_any_active_variant(api_client, definitions):
    red = _tee("Red tee", ["red"])
    both = _tee("Two-tone tee", ["red", "blue"], sizes="L")
    plain = product_create(name="Mug", price=Decimal("4"), quantity=3, attributes={"color": "green"})
    assert _ids(api_client.get(URL, {"attr.color": "red"})) == {red.public_id, both.public_id}
    assert _ids(api_client.get(URL, {"attr.color": "green"})) == {plain.public_id}
    assert _ids(api_client.get(URL, {"attr.color": "blue,green"})) == {both.public_id, plain.public_id}
    assert _ids(api_client.get(URL, {"attr.color": "red", "attr.size": "L"})) == {both.public_id}
    # a deactivated variant no longer counts
    blue = ProductVariant.objects.get(product=both, options__color="blue")
    variant_update(variant=blue, data={"is_active": False})
    assert _ids(api_client.get(URL, {"attr.color": "blue"})) == set()


def test_number_ranges_and_booleans(api_client, definitions):
    small = product_create(
        name="Small", price=Decimal("1"), quantity=1, attributes={"screen": 5.5, "organic": True}
    )
    large = product_create(name="Large", price=Decimal("1"), quantity=1, attributes={"screen": 6.7})
    product_create(name="None", price=Decimal("1"), quantity=1)
    assert _ids(api_client.get(URL, {"attr.screen__gte": "6"})) == {large.public_id}
    assert _ids(api_client.get(URL, {"attr.screen__lt": "6.7"})) == {small.public_id}
    assert _ids(api_client.get(URL, {"attr.screen__gte": "5.5", "attr.screen__lte": "6.7"})) == {
        small.public_id,
        large.public_id,
    }
    assert _ids(api_client.get(URL, {"attr.screen": "6.70"})) == {large.public_id}
    assert _ids(api_client.get(URL, {"attr.organic": "true"})) == {small.public_id}


def test_a_range_needs_one_value_within_all_its_bounds(api_client, definitions):
    """A product whose variants measure 1 and 10 is not between 4 and 6: each bound alone holds
    for one of its values, but the range is one value's."""
    spread = product_create(
        name="Spread",
        options=["size"],
        variants=[
            {"options": {"size": "S"}, "price": Decimal("1"), "quantity": 1, "attributes": {"screen": 1}},
            {"options": {"size": "L"}, "price": Decimal("1"), "quantity": 1, "attributes": {"screen": 10}},
        ],
    )
    five = product_create(name="Five", price=Decimal("1"), quantity=1, attributes={"screen": 5})
    assert _ids(api_client.get(URL, {"attr.screen__gte": "4", "attr.screen__lte": "6"})) == {five.public_id}
    assert _ids(api_client.get(URL, {"attr.screen__gte": "4"})) == {spread.public_id, five.public_id}
    assert _ids(api_client.get(URL, {"attr.screen__gt": "1", "attr.screen__lt": "10"})) == {five.public_id}
    assert _ids(
        api_client.get(URL, {"attr.screen__gte": "1", "attr.screen__lt": "5", "facets": "screen"})
    ) == {spread.public_id}


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"attr.nope": "x"}, "attr.nope"),
        ({"attr.internal": "x"}, "attr.internal"),
        ({"attr.color": "purple"}, "attr.color"),
        ({"attr.color__gte": "red"}, "attr.color__gte"),
        ({"attr.screen__between": "1"}, "attr.screen__between"),
        ({"attr.screen__gte": "big"}, "attr.screen__gte"),
        ({"attr.organic": "maybe"}, "attr.organic"),
        ({"attr.color": ","}, "attr.color"),
        ({"facets": "color,nope"}, "facets"),
        ({"facets": "internal"}, "facets"),
    ],
)
def test_bad_filters_and_facets_are_400_naming_the_parameter(api_client, definitions, params, field):
    assert field in assert_envelope(api_client.get(URL, params), 400)["details"]


def test_attribute_filters_are_part_of_the_cache_key(api_client, definitions):
    red = _tee("Red tee", ["red"])
    blue = _tee("Blue tee", ["blue"])
    assert _ids(api_client.get(URL, {"attr.color": "red"})) == {red.public_id}
    assert _ids(api_client.get(URL, {"attr.color": "blue"})) == {blue.public_id}
    _tee("Another red tee", ["red"])
    page = api_client.get(URL, {"attr.color": "red", "page_size": 1}).json()
    assert page["count"] == 2 and "attr.color=red" in page["next"]  # the next page keeps the filter


# --- facets ---------------------------------------------------------------------------------------


def test_facets_count_products_for_the_current_filter(api_client, definitions, settings):
    settings.CATALOG_PRICE_FACET_BOUNDS = [10, 50]
    _tee("Red tee", ["red"], price="5.00", organic=True)
    _tee("Two-tone tee", ["red", "blue"], sizes="L", price="20.00")
    product_create(
        name="Mug", price=Decimal("60"), quantity=3, attributes={"color": "green", "organic": True}
    )
    product_create(
        name="Gone", price=Decimal("1"), quantity=3, attributes={"color": "green"}, discontinued=True
    )
    body = api_client.get(URL, {"facets": "color,size,organic,price"}).json()
    assert body["count"] == 3
    assert body["facets"] == {
        "color": [
            {"value": "red", "count": 2},
            {"value": "blue", "count": 1},
            {"value": "green", "count": 1},
        ],
        "size": [{"value": "L", "count": 1}, {"value": "M", "count": 1}, {"value": "S", "count": 1}],
        "organic": [{"value": True, "count": 2}],
        "price": [
            {"min": 0.0, "max": 10.0, "count": 1},
            {"min": 10.0, "max": 50.0, "count": 1},
            {"min": 50.0, "max": None, "count": 1},
        ],
    }
    filtered = api_client.get(URL, {"attr.color": "red", "facets": "color,price", "max_price": "10"}).json()
    assert filtered["count"] == 1
    assert filtered["facets"] == {
        "color": [{"value": "red", "count": 1}],
        "price": [{"min": 0.0, "max": 10.0, "count": 1}],
    }
    assert "facets" not in api_client.get(URL).json()


def test_facets_follow_search_and_category(api_client, definitions):
    _tee("Red tee", ["red"])
    product_create(name="Red mug", price=Decimal("6"), quantity=1, attributes={"color": "red", "screen": 2})
    product_create(
        name="Blue mug", price=Decimal("6"), quantity=1, attributes={"color": "blue", "screen": 2.5}
    )
    body = api_client.get(URL, {"search": "mug", "facets": "color,screen"}).json()
    assert body["facets"] == {
        "color": [{"value": "blue", "count": 1}, {"value": "red", "count": 1}],
        "screen": [{"value": 2, "count": 1}, {"value": 2.5, "count": 1}],
    }


def test_option_values_count_once_the_attribute_exists(admin_client, api_client):
    _tee("Tee", ["red"])  # options size and colour, no attributes defined yet
    assert ProductAttributeValue.objects.count() == 0
    assert (
        admin_client.post(
            ATTRIBUTES,
            {"slug": "color", "name": "Colour", "type": "choice", "choices": ["red"]},
            format="json",
        ).status_code
        == 201
    )
    assert api_client.get(URL, {"facets": "color"}).json()["facets"] == {
        "color": [{"value": "red", "count": 1}]
    }


def test_list_budgets_stay_constant_with_filters_and_facets(
    api_client, definitions, django_assert_max_num_queries
):
    for index in range(12):
        _tee(f"Tee {index}", ["red", "blue"], organic=index % 2 == 0)
    for page_size in (2, 10):
        # attribute definitions, count, page, categories, variants, images, facet counts, price buckets
        with django_assert_max_num_queries(8):
            response = api_client.get(
                URL,
                {
                    "attr.color": "red",
                    "facets": "color,size,price",
                    "page_size": page_size,
                    "in_stock": "true",
                },
            )
        assert len(response.json()["results"]) == page_size
        assert response.json()["facets"]["color"] == [
            {"value": "blue", "count": 12},
            {"value": "red", "count": 12},
        ]


def test_product_writes_keep_the_index(definitions):
    product = product_create(name="Mug", price=Decimal("5"), quantity=1, attributes={"color": "red"})
    assert set(ProductAttributeValue.objects.values_list("value", flat=True)) == {"red"}
    product_update(product=product, data={"attributes": {"color": "blue", "screen": 3}})
    assert set(ProductAttributeValue.objects.values_list("value", "number")) == {
        ("blue", None),
        ("3", Decimal("3")),
    }
    product_update(product=product, data={"attributes": {}})
    assert not ProductAttributeValue.objects.exists()
    other = ProductFactory()
    assert other.attributes == {} and not ProductAttributeValue.objects.filter(product=other).exists()


def test_unknown_attributes_are_404(admin_client):
    assert_envelope(
        admin_client.patch(f"{ATTRIBUTES}attr_nope/", {"name": "X"}, format="json"), 404, "NOT_FOUND"
    )
    assert_envelope(admin_client.delete(f"{ATTRIBUTES}attr_nope/"), 404, "NOT_FOUND")


def test_a_csv_import_indexes_option_values_of_attributes(api_client, definitions):
    content = (
        b"product_name,options,sku,option_values,price,quantity\n"
        b"Imported tee,size|color,IMP-S-RED,size=S|color=red,10.00,2\n"
        b"Imported tee,size|color,IMP-M-RED,size=M|color=red,11.00,2\n"
    )
    plan = products_csv_import(content=content, commit=True)
    assert not plan.errors, plan.errors
    body = api_client.get(URL, {"attr.color": "red", "facets": "size"}).json()
    assert [p["name"] for p in body["results"]] == ["Imported tee"]
    assert body["facets"] == {"size": [{"value": "M", "count": 1}, {"value": "S", "count": 1}]}


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"attr.\x00": "x"}, "attr.\x00"),
        ({"facets": "col\x00or"}, "facets"),
        ({"attr.material": "wo\x00ol"}, "attr.material"),
    ],
)
def test_nul_characters_are_400_not_a_database_error(api_client, definitions, params, field):
    assert field in assert_envelope(api_client.get(URL, params), 400)["details"]


def test_a_nul_character_in_a_value_is_400(admin_client, definitions):
    response = admin_client.post(
        URL, {"name": "X", "price": 1, "quantity": 1, "attributes": {"material": "a\x00b"}}, format="json"
    )
    assert "attributes.material" in assert_envelope(response, 400)["details"]


def test_a_nested_write_reads_each_variants_attribute_definitions_once(definitions):
    """The variants' attribute values are checked as a whole (``variants_validate``) and written
    as checked: one read of the definitions per variant with attributes, not two."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    variants = [
        {
            "options": {"size": size},
            "price": Decimal("5.00"),
            "attributes": {"screen": "6.1", "organic": "true"},
        }
        for size in "SML"
    ]
    with CaptureQueriesContext(connection) as queries:
        product = product_create(name="Phone", options=["size"], variants=variants)
    # the definitions named by a variant's values; the index sync reads them all once more
    lookup = f"{connection.ops.quote_name('catalog_attribute')}.{connection.ops.quote_name('slug')} IN"
    lookups = [q["sql"] for q in queries.captured_queries if lookup in q["sql"]]
    assert len(lookups) == 3
    assert (
        sorted(product.variants.values_list("attributes", flat=True), key=str)
        == [{"screen": 6.1, "organic": True}] * 3
    )
