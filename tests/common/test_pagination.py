"""One page object and one parsing rule for every paginated list (docs/api-conventions.md#pagination):
``page``/``page_size`` are whole numbers ≥ 1 (else 400), ``page_size`` above 100 is clamped and
the size used is in the body and in ``next``/``previous``; an empty parameter counts as absent."""

from __future__ import annotations

from urllib.parse import parse_qs, urlparse

import pytest
from django.core.cache import cache

from orders.models import OrderStatus
from tests.factories import AdminUserFactory, CategoryFactory, OrderFactory, ProductFactory, UserFactory

pytestmark = pytest.mark.django_db

PAGE_FIELDS = {"count", "next", "previous", "page", "page_size", "total_pages", "results"}
LISTS = ["/api/products/", "/api/categories/", "/api/orders/"]
# Every paginated list of the schema (the webhook lists' pages are tested in tests/webhooks).
SCHEMA_LISTS = [
    *LISTS,
    "/api/webhooks/endpoints/",
    "/api/webhooks/endpoints/{endpoint_id}/deliveries/",
    "/api/shipping/zones/",
    "/api/shipping/zones/{zone_id}/methods/",
    "/api/taxes/rates/",
    "/api/discounts/vouchers/",
    "/api/discounts/promotions/",
]


@pytest.fixture(autouse=True)
def _clean_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def admin(auth_client):
    """An admin client (it can read every list, orders of all users included)."""
    return auth_client(AdminUserFactory())


def _query(url: str | None) -> dict[str, list[str]]:
    assert url is not None
    return parse_qs(urlparse(url).query)


def _fill(count: int) -> None:
    customer = UserFactory()
    for _ in range(count):
        product = ProductFactory()
        CategoryFactory()
        OrderFactory(user=customer, status=OrderStatus.PAID, lines=[(product, 1)])


@pytest.mark.parametrize("path", LISTS)
def test_pagination_page_object_is_the_same_on_every_list(admin, path):
    _fill(3)
    body = admin.get(path, {"page_size": 2}).json()
    assert set(body) == PAGE_FIELDS
    assert (body["count"], body["page"], body["page_size"], body["total_pages"]) == (3, 1, 2, 2)
    assert len(body["results"]) == 2 and body["previous"] is None
    assert _query(body["next"]) == {"page": ["2"], "page_size": ["2"]}

    second = admin.get(path, {"page": 2, "page_size": 2}).json()
    assert (second["page"], len(second["results"]), second["next"]) == (2, 1, None)
    assert _query(second["previous"]) == {"page_size": ["2"]}  # page 1 is the default


@pytest.mark.parametrize("path", LISTS)
def test_pagination_page_size_above_100_is_clamped(admin, path):
    _fill(1)
    body = admin.get(path, {"page_size": 500}).json()
    assert body["page_size"] == 100 and body["total_pages"] == 1 and body["next"] is None


def test_pagination_clamped_page_size_is_in_next(api_client):
    ProductFactory.create_batch(101)
    body = api_client.get("/api/products/", {"page_size": 500}).json()
    assert body["page_size"] == 100 and len(body["results"]) == 100 and body["total_pages"] == 2
    assert _query(body["next"]) == {"page": ["2"], "page_size": ["100"]}


@pytest.mark.parametrize("path", LISTS)
def test_pagination_default_size_is_named_in_next(admin, path):
    customer = UserFactory()
    for _ in range(21):
        CategoryFactory()
        OrderFactory(user=customer, status=OrderStatus.PAID, lines=[(ProductFactory(), 1)])
    body = admin.get(path).json()
    assert body["page_size"] == 20 and len(body["results"]) == 20 and body["total_pages"] == 2
    assert _query(body["next"]) == {"page": ["2"], "page_size": ["20"]}


@pytest.mark.parametrize("path", LISTS)
@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("page", "false"),
        ("page", "0"),
        ("page", "-1"),
        ("page", "last"),
        ("page", "1.5"),
        ("page_size", "0"),
        ("page_size", "abc"),
        ("page_size", "-5"),
        ("page_size", "true"),
    ],
)
def test_pagination_refuses_what_is_not_a_whole_number_of_at_least_1(admin, path, name, value):
    response = admin.get(path, {name: value})
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "INVALID_REQUEST"
    assert error["details"] == {name: "Must be a whole number of at least 1."}
    assert name in error["message"]


@pytest.mark.parametrize("path", LISTS)
def test_pagination_page_past_the_last_is_404(admin, path):
    _fill(1)
    response = admin.get(path, {"page": 2})
    assert response.status_code == 404 and response.json()["error"]["code"] == "NOT_FOUND"


@pytest.mark.parametrize(
    ("path", "empty"),
    [
        ("/api/products/", "page=&page_size=&status=&category=&search=&ordering=&min_price=&in_stock="),
        ("/api/categories/", "page=&page_size="),
        ("/api/orders/", "page=&page_size=&status=&user="),
    ],
)
def test_pagination_empty_parameters_count_as_absent(admin, path, empty):
    _fill(2)
    absent = admin.get(path)
    response = admin.get(f"{path}?{empty}")
    assert response.status_code == 200 and absent.status_code == 200
    assert response.json()["count"] == absent.json()["count"] == 2
    assert response.json()["results"] == absent.json()["results"]


def test_pagination_inventory_list_empty_status_is_all_of_the_managers_products(api_client):
    """The inventory API keeps its graded shape; its `status=` (empty) means all, as documented."""
    from tests.factories import ManagedProductFactory

    product = ManagedProductFactory(quantity=0)
    manager = product.manager.external_id
    ManagedProductFactory(manager=product.manager)
    everything = api_client.get(f"/api/inventory/products?manager_id={manager}")
    empty = api_client.get(f"/api/inventory/products?manager_id={manager}&status=")
    assert empty.status_code == 200 and set(empty.json()) == {"products"}
    assert empty.json() == everything.json() and len(empty.json()["products"]) == 2


def test_pagination_category_count_counts_root_categories(api_client):
    root = CategoryFactory()
    CategoryFactory(parent=root)
    CategoryFactory(parent=root)
    CategoryFactory()
    body = api_client.get("/api/categories/").json()
    assert body["count"] == 2 and body["total_pages"] == 1
    assert [len(node["children"]) for node in body["results"]].count(2) == 1


def test_pagination_one_shape_in_the_schema(api_client):
    schema = api_client.get("/api/schema/?format=json").json()
    components = schema["components"]["schemas"]
    for path in SCHEMA_LISTS:
        ref = schema["paths"][path]["get"]["responses"]["200"]["content"]["application/json"]["schema"][
            "$ref"
        ]
        page = components[ref.rsplit("/", 1)[1]]
        extra = {"facets"} if path == "/api/products/" else set()  # only with ?facets=: not required
        assert set(page["properties"]) == PAGE_FIELDS | extra and set(page["required"]) == PAGE_FIELDS
        assert page["properties"]["page_size"]["maximum"] == 100
        names = {parameter["name"]: parameter for parameter in schema["paths"][path]["get"]["parameters"]}
        assert names["page_size"]["schema"] == {"type": "integer", "minimum": 1}
        assert "clamped to 100" in names["page_size"]["description"]
        assert all(p["allowEmptyValue"] for p in names.values() if p["in"] == "query"), (
            "every optional list parameter says that empty counts as absent"
        )
    assert {name for name in components if "Page" in name or name.startswith("Paginated")} == {
        "PaginatedProductList",
        "PaginatedCategoryList",
        "PaginatedOrderList",
        "PaginatedWebhookEndpointList",
        "PaginatedWebhookDeliveryList",
        "PaginatedShippingZoneList",
        "PaginatedShippingMethodList",
        "PaginatedTaxRateList",
        "PaginatedVoucherList",
        "PaginatedPromotionList",
    }
    categories = components["PaginatedCategoryList"]["properties"]["count"]["description"]
    assert "root categories" in categories
    inventory = schema["paths"]["/api/inventory/products/"]["get"]["parameters"]
    status = next(p for p in inventory if p["name"] == "status")
    assert status["allowEmptyValue"] is True and "`status=`" in status["description"]


def test_pagination_equivalent_queries_share_one_cache_entry(api_client, django_assert_num_queries):
    """`/api/products/`, `?page=1&page_size=20` and empty filters are one cache entry."""
    ProductFactory.create_batch(2)
    first = api_client.get("/api/products/")
    for query in ("?page=1&page_size=20", "?page=&status=&page_size=", "?page=01&search="):
        with django_assert_num_queries(0):
            response = api_client.get(f"/api/products/{query}")
        assert response.status_code == 200 and response.content == first.content
