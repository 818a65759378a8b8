"""?search= also finds a product by an active variant's SKU (exact, case-insensitive; ranked
first) and by an active variant's option value (the whole query; ranked after text matches).
On every database: SQLite, PostgreSQL, MariaDB (issue #15)."""

from decimal import Decimal

import pytest
from django.db import connection

from catalog.models import Product, ProductVariant
from catalog.search import search_backend
from catalog.services import product_create
from tests.factories import CategoryFactory, ProductFactory

pytestmark = pytest.mark.django_db

URL = "/api/products/"


def names(response):
    assert response.status_code == 200, response.json()
    return [item["name"] for item in response.json()["results"]]


@pytest.fixture
def catalog():
    apparel = CategoryFactory(slug="apparel")
    product_create(
        name="Tee",
        description="Cotton shirt.",
        categories=[apparel.public_id],
        options=["size", "color"],
        variants=[
            {"sku": "TEE-S-RED", "options": {"size": "S", "color": "Red"}, "price": Decimal("19.00")},
            {"sku": "TEE-M-BLUE", "options": {"size": "M", "color": "Blue"}, "price": Decimal("17.50")},
            {
                "sku": "TEE-XL-GREEN",
                "options": {"size": "XL", "color": "Green"},
                "price": Decimal("21.00"),
                "is_active": False,
            },
        ],
    )
    product_create(
        name="Hoodie",
        description="Warm fleece.",
        categories=[apparel.public_id],
        options=["color"],
        variants=[{"sku": "HOOD-NAVY", "options": {"color": "Navy Blue"}, "price": Decimal("45.00")}],
    )
    ProductFactory(name="Red Kettle", description="Boils water.", price=Decimal("30.00"))
    ProductFactory(name="Wine Glass", description="For red wine.", price=Decimal("12.00"))


def test_search_finds_a_product_by_the_exact_sku_of_a_variant(api_client, catalog):
    assert names(api_client.get(URL, {"search": "TEE-M-BLUE"})) == ["Tee"]
    assert names(api_client.get(URL, {"search": "HOOD-NAVY"})) == ["Hoodie"]


def test_sku_search_ignores_case_and_surrounding_whitespace(api_client, catalog):
    assert names(api_client.get(URL, {"search": "  tee-m-blue "})) == ["Tee"]
    assert names(api_client.get(URL, {"search": "Hood-Navy"})) == ["Hoodie"]
    # the backend itself strips too (not only the API's validation)
    found = search_backend().search(Product.objects.all(), "\ttee-s-red  ")
    assert [p.name for p in found] == ["Tee"]


def test_part_of_a_sku_does_not_match_by_the_sku_rule(api_client, catalog):
    assert names(api_client.get(URL, {"search": "TEE-M"})) == []
    assert names(api_client.get(URL, {"search": "HOOD-NAV"})) == []
    assert names(api_client.get(URL, {"search": "EE-M-BLUE"})) == []


def test_search_finds_a_product_by_an_option_value(api_client, catalog):
    assert names(api_client.get(URL, {"search": "blue"})) == ["Tee"]  # not "Navy Blue": whole value
    assert names(api_client.get(URL, {"search": "Navy Blue"})) == ["Hoodie"]
    assert names(api_client.get(URL, {"search": " NAVY BLUE "})) == ["Hoodie"]
    assert names(api_client.get(URL, {"search": "navy"})) == []
    product_create(
        name="Scarf",
        options=["color"],
        variants=[{"sku": "SCARF-GRUEN", "options": {"color": "Grün"}, "price": Decimal("9.00")}],
    )
    assert names(api_client.get(URL, {"search": "GRÜN"})) == ["Scarf"]


def test_option_value_matches_rank_after_text_matches(api_client, catalog):
    # name match, then description match, then the product whose variant is "Red"
    assert names(api_client.get(URL, {"search": "RED"})) == ["Red Kettle", "Wine Glass", "Tee"]


def test_inactive_variants_sku_and_options_do_not_find(api_client, catalog):
    assert names(api_client.get(URL, {"search": "TEE-XL-GREEN"})) == []
    assert names(api_client.get(URL, {"search": "green"})) == []
    assert names(api_client.get(URL, {"search": "xl"})) == []
    ProductVariant.objects.filter(sku="TEE-M-BLUE").update(is_active=False)
    assert names(api_client.get(URL, {"search": "TEE-M-BLUE"})) == []
    assert names(api_client.get(URL, {"search": "blue"})) == []


def test_sku_match_ranks_above_name_matches(api_client, catalog):
    descaler = ProductFactory(name="Descaler", description="Limescale remover.")
    ProductVariant.objects.filter(product=descaler).update(sku="KETTLE")
    ProductFactory(name="Kettle Stand", description="Oak.")
    found = names(api_client.get(URL, {"search": "kettle"}))
    assert found[0] == "Descaler"
    assert set(found[1:]) == {"Red Kettle", "Kettle Stand"}
    # an explicit ordering still wins over relevance
    by_name = names(api_client.get(URL, {"search": "kettle", "ordering": "name"}))
    assert by_name == ["Descaler", "Kettle Stand", "Red Kettle"]


def test_sku_and_option_matches_combine_with_filters(api_client, catalog):
    get = api_client.get
    assert names(get(URL, {"search": "red", "category": "apparel"})) == ["Tee"]
    assert names(get(URL, {"search": "red", "max_price": "15"})) == ["Wine Glass"]
    assert names(get(URL, {"search": "red", "min_price": "15", "max_price": "20"})) == ["Tee"]
    assert names(get(URL, {"search": "red", "ordering": "price"})) == ["Wine Glass", "Tee", "Red Kettle"]
    assert names(get(URL, {"search": "tee-m-blue", "category": "apparel"})) == ["Tee"]
    assert names(get(URL, {"search": "tee-m-blue", "min_price": "100"})) == []
    assert names(get(URL, {"search": "hood-navy", "status": "discontinued"})) == []
    assert get(URL, {"search": "blue", "category": "apparel"}).json()["count"] == 1


def test_discontinued_products_are_not_found_by_sku_unless_asked(api_client, catalog):
    Product.objects.filter(name="Tee").update(discontinued=True)
    assert names(api_client.get(URL, {"search": "TEE-S-RED"})) == []
    assert names(api_client.get(URL, {"search": "TEE-S-RED", "status": "discontinued"})) == ["Tee"]


@pytest.mark.parametrize("search", ["TEE-S-RED", "red", "Navy Blue"])
def test_sku_and_option_search_keeps_the_list_query_budget(
    api_client, django_assert_max_num_queries, catalog, search
):
    for _ in range(25):
        ProductFactory(name="Red Scarf")
    with django_assert_max_num_queries(5):  # COUNT, page, categories, variants, images
        response = api_client.get(URL, {"search": search, "page_size": 20})
    assert response.status_code == 200
    assert response.json()["results"]


def test_variant_writes_through_the_api_are_searchable_at_once(
    admin_client, api_client, catalog, django_capture_on_commit_callbacks
):
    """On PostgreSQL the terms are copied to the product by triggers: every kind of write counts."""
    tee = Product.objects.get(name="Tee")
    base = f"{URL}{tee.public_id}/variants/"

    def write(method: str, url: str, body: dict | None = None) -> int:
        with django_capture_on_commit_callbacks(execute=True):  # the catalog version bump
            return getattr(admin_client, method)(url, body, format="json").status_code

    created = admin_client.post(
        base, {"sku": "TEE-L-ONYX", "options": {"size": "L", "color": "Onyx"}, "price": 20}, format="json"
    )
    assert created.status_code == 201, created.json()
    variant = f"{base}{created.json()['id']}/"
    assert names(api_client.get(URL, {"search": "tee-l-onyx"})) == ["Tee"]
    assert names(api_client.get(URL, {"search": "onyx"})) == ["Tee"]
    assert write("patch", variant, {"sku": "TEE-L-JET", "options": {"size": "L", "color": "Jet"}}) == 200
    assert names(api_client.get(URL, {"search": "tee-l-onyx"})) == []
    assert names(api_client.get(URL, {"search": "onyx"})) == []
    assert names(api_client.get(URL, {"search": "TEE-L-JET"})) == ["Tee"]
    assert names(api_client.get(URL, {"search": "jet"})) == ["Tee"]
    assert write("patch", variant, {"is_active": False}) == 200
    assert names(api_client.get(URL, {"search": "jet"})) == []
    assert write("patch", variant, {"is_active": True}) == 200
    assert names(api_client.get(URL, {"search": "jet"})) == ["Tee"]
    assert write("delete", variant) == 204
    assert names(api_client.get(URL, {"search": "jet"})) == []
    assert names(api_client.get(URL, {"search": "TEE-S-RED"})) == ["Tee"]  # its siblings still count


def test_stock_updates_do_not_rewrite_the_product_row_on_postgresql(catalog):
    if connection.vendor != "postgresql":
        pytest.skip("the product's variant terms (migration 0008) are PostgreSQL only")
    from django.db.models import F

    tee = Product.objects.get(name="Tee")

    def product_row() -> tuple[str, list[str]]:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT xmin::text, search_variant_terms FROM catalog_product WHERE id = %s", [tee.pk]
            )
            return cursor.fetchone()

    version, terms = product_row()
    assert terms == ["opt:blue", "opt:m", "opt:red", "opt:s", "sku:tee-m-blue", "sku:tee-s-red"]
    ProductVariant.objects.filter(product=tee).update(quantity=F("quantity") + 3)
    variant = ProductVariant.objects.get(sku="TEE-S-RED")
    variant.save()  # every column written, none of the searched ones changed
    assert product_row()[0] == version  # no trigger touched the product
    ProductVariant.objects.filter(sku="TEE-S-RED").update(options={"size": "S", "color": "Crimson"})
    assert "opt:crimson" in product_row()[1] and "opt:red" not in product_row()[1]
