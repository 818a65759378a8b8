"""Admin-only product writes: create, replace, change, delete (discontinue when ordered), bad input."""

from decimal import Decimal

import pytest

from catalog.models import Product, StockMovement
from orders.models import Order, OrderLine
from tests.factories import CategoryFactory, ProductFactory, StoreManagerFactory

pytestmark = pytest.mark.django_db

URL = "/api/products/"


def test_product_writes_need_an_admin(api_client, auth_client, user):
    product = ProductFactory()
    detail = f"{URL}{product.public_id}/"
    body = {"name": "X", "price": 1, "quantity": 1}
    for method, url in (("post", URL), ("put", detail), ("patch", detail), ("delete", detail)):
        anonymous = getattr(api_client, method)(url, body, format="json")
        assert anonymous.status_code == 401
        assert anonymous.json()["error"]["code"] == "AUTHENTICATION_REQUIRED"
        customer = getattr(auth_client(user), method)(url, body, format="json")
        assert customer.status_code == 403
        assert customer.json()["error"]["code"] == "PERMISSION_DENIED"
    assert Product.objects.count() == 1
    assert Product.objects.get().name == product.name


def test_product_create(admin_client):
    coffee = CategoryFactory(name="Coffee")
    StoreManagerFactory(external_id="mgr_123")
    response = admin_client.post(
        URL,
        {
            "name": "Premium Coffee Beans",
            "description": "Arabica.",
            "price": 15.99,
            "quantity": 100,
            "categories": [coffee.public_id],
            "image_url": "https://cdn.example.com/c.jpg",
            "manager_id": "mgr_123",
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["id"].startswith("prod_") and body["slug"] == "premium-coffee-beans"
    assert body["price"] == 15.99 and body["quantity"] == 100 and body["status"] == "in_stock"
    assert body["categories"] == [{"id": coffee.public_id, "name": "Coffee", "slug": coffee.slug}]
    assert body["manager_id"] == "mgr_123"
    product = Product.objects.get(public_id=body["id"])
    assert product.price == Decimal("15.99") and product.manager.external_id == "mgr_123"
    movement = StockMovement.objects.get(product=product)
    assert movement.delta == 100 and movement.reason == "adjustment"


def test_product_create_duplicate_slug_is_suffixed(admin_client):
    ProductFactory(name="Mug", slug="mug")
    first = admin_client.post(URL, {"name": "Mug", "price": 5, "quantity": 0}, format="json").json()
    second = admin_client.post(
        URL, {"name": "Other", "slug": "mug", "price": 5, "quantity": 0}, format="json"
    )
    assert first["slug"] == "mug-2"
    assert second.json()["slug"] == "mug-3"
    assert first["status"] == "out_of_stock"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"price": -1}, "price"),
        ({"price": "abc"}, "price"),
        ({"price": 1.999}, "price"),
        ({"quantity": -1}, "quantity"),
        ({"quantity": 1.5}, "quantity"),
        ({"quantity": "5"}, "quantity"),
        ({"quantity": True}, "quantity"),
        ({"name": "x" * 201}, "name"),
        ({"name": ""}, "name"),
        ({"categories": ["cat_missing"]}, "categories"),
        ({"manager_id": "mgr_nobody"}, "manager_id"),
        ({"image_url": "not a url"}, "image_url"),
    ],
)
def test_product_create_rejects_bad_input(admin_client, change, field):
    body = {"name": "Mug", "price": 5, "quantity": 1, **change}
    response = admin_client.post(URL, body, format="json")
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "INVALID_REQUEST" and field in error["details"]
    assert not Product.objects.exists()


def test_product_create_needs_required_fields(admin_client):
    response = admin_client.post(URL, {}, format="json")
    assert response.status_code == 400
    assert {"name", "price", "quantity"} <= set(response.json()["error"]["details"])


def test_product_patch_changes_only_given_fields_and_logs_stock(admin_client):
    tea = CategoryFactory()
    product = ProductFactory(name="Tea", price=Decimal("4.00"), quantity=10, description="Green")
    response = admin_client.patch(
        f"{URL}{product.public_id}",
        {"price": 4.5, "quantity": 7, "categories": [tea.public_id]},
        format="json",
    )
    assert response.status_code == 200
    body = response.json()
    assert body["price"] == 4.5 and body["quantity"] == 7 and body["description"] == "Green"
    assert [c["id"] for c in body["categories"]] == [tea.public_id]
    product.refresh_from_db()
    assert product.quantity == 7 and product.name == "Tea"
    assert list(StockMovement.objects.filter(product=product).values_list("delta", "reason")) == [
        (-3, "adjustment")
    ]


def test_product_patch_slug_and_discontinue(admin_client):
    ProductFactory(slug="taken")
    product = ProductFactory(slug="mine")
    response = admin_client.patch(
        f"{URL}{product.public_id}/", {"slug": "taken", "discontinued": True}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["slug"] == "taken-2" and response.json()["status"] == "discontinued"
    same = admin_client.patch(f"{URL}{product.public_id}/", {"slug": "taken-2"}, format="json")
    assert same.json()["slug"] == "taken-2"


def test_product_put_replaces(admin_client):
    manager = StoreManagerFactory()
    product = ProductFactory(description="Old", manager=manager, categories=[CategoryFactory()])
    response = admin_client.put(
        f"{URL}{product.public_id}/", {"name": "New", "price": 2, "quantity": 3}, format="json"
    )
    assert response.status_code == 200
    body = response.json()
    assert body["name"] == "New" and body["description"] == "" and body["categories"] == []
    assert body["manager_id"] is None
    missing = admin_client.put(f"{URL}{product.public_id}/", {"name": "New"}, format="json")
    assert missing.status_code == 400 and "price" in missing.json()["error"]["details"]


def test_product_write_unknown_id_is_404(admin_client):
    response = admin_client.patch(f"{URL}prod_missing/", {"price": 1}, format="json")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "PRODUCT_NOT_FOUND"


def test_product_delete_unreferenced_deletes(admin_client):
    product = ProductFactory()
    assert admin_client.delete(f"{URL}{product.public_id}/").status_code == 204
    assert not Product.objects.filter(pk=product.pk).exists()


def test_product_delete_referenced_by_an_order_discontinues(admin_client):
    product = ProductFactory(quantity=4)
    order = Order.objects.create(currency="USD", subtotal=Decimal("9.99"), total_amount=Decimal("9.99"))
    OrderLine.objects.create(
        order=order,
        product=product,
        variant=product.variants.get(),
        product_public_id=product.public_id,
        name=product.name,
        unit_price=product.price,
        quantity=1,
        line_total=product.price,
        unit_price_net=product.price,
        unit_price_gross=product.price,
        total=product.price,
    )
    assert admin_client.delete(f"{URL}{product.public_id}").status_code == 204
    product.refresh_from_db()
    assert product.discontinued and product.status == "discontinued"
    assert admin_client.get(f"{URL}{product.public_id}/").json()["status"] == "discontinued"
    assert admin_client.get(URL).json()["count"] == 0


def test_product_write_rejects_non_json(admin_client):
    response = admin_client.post(URL, "name=x", content_type="application/x-www-form-urlencoded")
    assert response.status_code == 415
    assert response.json()["error"]["code"] == "UNSUPPORTED_MEDIA_TYPE"
