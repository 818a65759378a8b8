"""GET /api/products/: shape, every filter and ordering, bad values, pagination, query budgets."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.utils import timezone

from catalog.models import Product
from tests.factories import CategoryFactory, ProductFactory, StoreManagerFactory

pytestmark = pytest.mark.django_db

URL = "/api/products/"


def names(response):
    return [item["name"] for item in response.json()["results"]]


def test_product_list_shape(api_client):
    manager = StoreManagerFactory(external_id="mgr_123")
    coffee = CategoryFactory(name="Coffee", slug="coffee")
    product = ProductFactory(
        name="Premium Coffee Beans",
        price=Decimal("15.99"),
        quantity=100,
        manager=manager,
        categories=[coffee],
    )
    response = api_client.get(URL)
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 1 and body["next"] is None and body["previous"] is None
    item = body["results"][0]
    assert set(item) == {
        "id",
        "name",
        "slug",
        "description",
        "price",
        "quantity",
        "status",
        "categories",
        "image_url",
        "images",
        "manager_id",
        "in_stock",
        "price_range",
        "options",
        "variants",
        "attributes",
        "created_at",
        "updated_at",
    }
    assert item["attributes"] == {}  # attribute values (catalog v2); tests/catalog/test_attributes.py
    assert item["images"] == []  # uploaded pictures (catalog v2); tests/catalog/test_images.py
    assert item["id"] == product.public_id and item["id"].startswith("prod_")
    assert item["price"] == 15.99 and isinstance(item["price"], float)
    assert item["quantity"] == 100 and item["status"] == "in_stock"
    assert item["categories"] == [{"id": coffee.public_id, "name": "Coffee", "slug": "coffee"}]
    assert item["manager_id"] == "mgr_123"
    assert item["in_stock"] is True and item["options"] == []
    assert item["price_range"] == {"min": 15.99, "max": 15.99}
    (variant,) = item["variants"]
    assert variant["id"].startswith("var_") and variant["options"] == {}
    assert variant["price"] == 15.99 and variant["quantity"] == 100 and variant["status"] == "in_stock"
    assert item["created_at"].endswith("Z")


def test_product_list_hides_discontinued_unless_asked(api_client):
    ProductFactory(name="Live")
    ProductFactory(name="Gone", discontinued=True)
    assert names(api_client.get(URL)) == ["Live"]
    response = api_client.get(URL, {"status": "discontinued"})
    assert names(response) == ["Gone"]
    assert response.json()["results"][0]["status"] == "discontinued"


def test_product_list_status_and_in_stock_filters(api_client):
    ProductFactory(name="Stocked", quantity=3)
    ProductFactory(name="Empty", quantity=0)
    assert names(api_client.get(URL, {"status": "in_stock"})) == ["Stocked"]
    assert names(api_client.get(URL, {"status": "out_of_stock"})) == ["Empty"]
    assert names(api_client.get(URL, {"in_stock": "true"})) == ["Stocked"]
    assert sorted(names(api_client.get(URL, {"in_stock": "false"}))) == ["Empty", "Stocked"]


def test_product_list_price_range(api_client):
    for price in ("5.00", "10.00", "20.00"):
        ProductFactory(name=f"P{price}", price=Decimal(price))
    response = api_client.get(URL, {"min_price": "6", "max_price": "20", "ordering": "price"})
    assert names(response) == ["P10.00", "P20.00"]
    assert names(api_client.get(URL, {"min_price": "10.00", "max_price": "10.00"})) == ["P10.00"]


def test_product_list_category_includes_subcategories_by_id_or_slug(api_client):
    drinks = CategoryFactory(name="Drinks", slug="drinks")
    coffee = CategoryFactory(name="Coffee", slug="coffee", parent=drinks)
    espresso = CategoryFactory(name="Espresso", slug="espresso", parent=coffee)
    other = CategoryFactory(name="Tools", slug="tools")
    ProductFactory(name="Lemonade", categories=[drinks])
    ProductFactory(name="Beans", categories=[coffee])
    ProductFactory(name="Ristretto", categories=[espresso, coffee])  # listed once
    ProductFactory(name="Hammer", categories=[other])
    ProductFactory(name="Gone", categories=[coffee, drinks], discontinued=True)
    by_slug = api_client.get(URL, {"category": "drinks", "ordering": "name"})
    assert names(by_slug) == ["Beans", "Lemonade", "Ristretto"]
    assert by_slug.json()["count"] == 3
    by_id = api_client.get(URL, {"category": coffee.public_id, "ordering": "name"})
    assert names(by_id) == ["Beans", "Ristretto"]
    assert names(api_client.get(URL, {"category": "espresso"})) == ["Ristretto"]
    assert names(api_client.get(URL, {"category": "drinks", "status": "discontinued"})) == ["Gone"]
    assert api_client.get(URL, {"category": "drinks", "min_price": "0"}).json()["count"] == 3


def test_product_list_known_category_without_products_is_empty(api_client):
    CategoryFactory(slug="empty")
    ProductFactory()
    response = api_client.get(URL, {"category": "empty"})
    assert response.status_code == 200 and response.json()["count"] == 0


def test_product_list_manager_filter(api_client):
    mine, theirs = StoreManagerFactory(external_id="mgr_1"), StoreManagerFactory(external_id="mgr_2")
    ProductFactory(name="Mine", manager=mine)
    ProductFactory(name="Theirs", manager=theirs)
    ProductFactory(name="Nobody's")
    assert names(api_client.get(URL, {"manager_id": "mgr_1"})) == ["Mine"]
    assert names(api_client.get(URL, {"manager_id": "mgr_unknown"})) == []


def test_product_list_orderings(api_client):
    now = timezone.now()
    for name, price, age in (("Banana", "2.00", 3), ("apple", "3.00", 1), ("Cherry", "1.00", 2)):
        product = ProductFactory(name=name, price=Decimal(price))
        Product.objects.filter(pk=product.pk).update(created_at=now - timedelta(days=age))
    assert names(api_client.get(URL, {"ordering": "price"})) == ["Cherry", "Banana", "apple"]
    assert names(api_client.get(URL, {"ordering": "-price"})) == ["apple", "Banana", "Cherry"]
    assert names(api_client.get(URL, {"ordering": "-created_at"})) == ["apple", "Cherry", "Banana"]
    assert names(api_client.get(URL)) == ["apple", "Cherry", "Banana"]  # default: newest first
    by_name = names(api_client.get(URL, {"ordering": "name"}))
    assert set(by_name) == {"apple", "Banana", "Cherry"} and by_name.index("Banana") < by_name.index("Cherry")


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"ordering": "colour"}, "ordering"),
        ({"ordering": "relevance"}, "ordering"),
        ({"status": "sold"}, "status"),
        ({"in_stock": "yes"}, "in_stock"),
        ({"min_price": "cheap"}, "min_price"),
        ({"max_price": "-1"}, "max_price"),
        ({"min_price": "10", "max_price": "5"}, "min_price"),
        ({"manager_id": "bad id!"}, "manager_id"),
        ({"category": "no-such-category"}, "category"),
        ({"search": "x" * 201}, "search"),
    ],
)
def test_product_list_rejects_bad_filter_values(api_client, params, field):
    ProductFactory()
    response = api_client.get(URL, params)
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "INVALID_REQUEST"
    assert field in error["details"]


def test_product_list_page_size_is_clamped_and_pages_link(api_client):
    ProductFactory.create_batch(105)
    response = api_client.get(URL, {"page_size": 500})
    body = response.json()
    assert response.status_code == 200
    assert body["count"] == 105 and len(body["results"]) == 100
    assert "page=2" in body["next"]
    second = api_client.get(URL, {"page_size": 100, "page": 2}).json()
    assert len(second["results"]) == 5 and second["next"] is None
    assert api_client.get(URL, {"page": 99}).status_code == 404


def test_product_list_works_without_trailing_slash(api_client):
    ProductFactory()
    assert api_client.get("/api/products").json()["count"] == 1


@pytest.mark.parametrize("page_size", [1, 20, 100])
def test_product_list_query_budget(api_client, django_assert_max_num_queries, page_size):
    drinks = CategoryFactory(slug="drinks")
    coffee = CategoryFactory(parent=drinks)
    manager = StoreManagerFactory()
    for _ in range(page_size + 5):
        ProductFactory(manager=manager, categories=[drinks, coffee])
    for params in (
        {},
        {"category": "drinks", "ordering": "price"},
        {"search": "Product", "in_stock": "true"},
    ):
        cache.clear()
        # COUNT, page (with each product's total stock), categories, variants, images: whatever the page
        with django_assert_max_num_queries(5):
            response = api_client.get(URL, {"page_size": page_size, **params})
        assert response.status_code == 200
        assert len(response.json()["results"]) == page_size


def test_product_detail(api_client, django_assert_max_num_queries):
    category = CategoryFactory()
    product = ProductFactory(categories=[category], manager=StoreManagerFactory(), discontinued=True)
    with django_assert_max_num_queries(4):  # the product (with its stock), categories, variants, images
        response = api_client.get(f"/api/products/{product.public_id}/")
    assert response.status_code == 200
    body = response.json()
    assert body["id"] == product.public_id and body["status"] == "discontinued"
    assert body["categories"][0]["id"] == category.public_id
    assert api_client.get(f"/api/products/{product.public_id}").status_code == 200


def test_product_detail_unknown_id_is_404(api_client):
    response = api_client.get("/api/products/prod_nope/")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "PRODUCT_NOT_FOUND"
