"""Products with variants through the API (issue #15): nested writes validated as a whole,
per-variant endpoints, the product's v2 fields, constant query budgets, and the cart's and the
inventory API's ``VARIANT_REQUIRED``."""

from __future__ import annotations

from decimal import Decimal

import pytest

from catalog.models import Product, ProductVariant, StockMovement
from catalog.services import product_create
from tests.factories import (
    ManagedProductFactory,
    OrderFactory,
    ProductFactory,
    StoreManagerFactory,
    UserFactory,
)
from tests.helpers.images import picture, upload
from tests.helpers.inventory import send

pytestmark = pytest.mark.django_db

URL = "/api/products/"
TEE = {
    "name": "Tee",
    "options": ["size", "color"],
    "variants": [
        {"sku": "TEE-S-RED", "options": {"size": "S", "color": "red"}, "price": 19, "quantity": 3},
        {"sku": "TEE-M-RED", "options": {"size": "M", "color": "red"}, "price": 21, "quantity": 0},
        {"sku": "TEE-M-BLUE", "options": {"size": "M", "color": "blue"}, "price": 17.5, "quantity": 4},
    ],
}


def _tee(**extra) -> Product:
    return product_create(
        name="Tee",
        options=["size"],
        variants=[
            {"options": {"size": "S"}, "price": Decimal("10.00"), "quantity": 2},
            {"options": {"size": "L"}, "price": Decimal("12.00"), "quantity": 5},
        ],
        **extra,
    )


def test_create_with_variants_in_one_request(admin_client):
    response = admin_client.post(URL, TEE, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["options"] == ["size", "color"]
    assert [v["sku"] for v in body["variants"]] == ["TEE-S-RED", "TEE-M-RED", "TEE-M-BLUE"]
    assert body["price"] == 17.5 and body["price_range"] == {"min": 17.5, "max": 21.0}
    assert body["quantity"] == 7 and body["status"] == "in_stock" and body["in_stock"] is True
    assert [v["status"] for v in body["variants"]] == ["in_stock", "out_of_stock", "in_stock"]
    assert all(v["id"].startswith("var_") and v["images"] == [] for v in body["variants"])
    # opening stock in the ledger, per variant
    ledger = dict(StockMovement.objects.values_list("variant__sku", "delta"))
    assert ledger == {"TEE-S-RED": 3, "TEE-M-BLUE": 4}


@pytest.mark.parametrize(
    "variants, field",
    [
        (
            [
                {"sku": "A", "options": {"size": "S"}, "price": 1},
                {"sku": "A", "options": {"size": "M"}, "price": 1},
            ],
            "variants.1.sku",
        ),
        (
            [{"options": {"size": "S"}, "price": 1}, {"options": {"size": "S"}, "price": 2}],
            "variants.1.options",
        ),
        ([{"options": {"size": "S", "color": "red"}, "price": 1}], "variants.0.options"),
        ([{"options": {"size": "S"}}], "variants.0.price"),
    ],
)
def test_invalid_variants_are_refused_as_a_whole_with_dotted_paths(admin_client, variants, field):
    response = admin_client.post(
        URL, {"name": "Bad", "options": ["size"], "variants": variants}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "INVALID_REQUEST"
    assert field in response.json()["error"]["details"]
    assert not Product.objects.exists() and not ProductVariant.objects.exists()


def test_a_sku_taken_by_another_product_is_refused(admin_client):
    ProductFactory().variants.update(sku="TAKEN")
    response = admin_client.post(
        URL,
        {
            "name": "X",
            "options": ["size"],
            "variants": [{"sku": "TAKEN", "options": {"size": "S"}, "price": 1}],
        },
        format="json",
    )
    assert response.status_code == 400 and "variants.0.sku" in response.json()["error"]["details"]


def test_put_updates_creates_and_removes_variants_and_keeps_ordered_ones_inactive(admin_client):
    product = _tee()
    small, large = product.variants.order_by("position", "id")
    OrderFactory(lines=[(product, 1)])  # references the first variant (S)
    body = {
        "name": "Tee",
        "options": ["size"],
        "variants": [
            {"id": large.public_id, "price": 13, "quantity": 9},
            {"options": {"size": "XL"}, "price": 14, "quantity": 1},
        ],
    }
    response = admin_client.put(f"{URL}{product.public_id}/", body, format="json")
    assert response.status_code == 200, response.json()
    shown = response.json()
    assert [v["options"]["size"] for v in shown["variants"]] == ["L", "XL"]  # S: inactive, not shown
    assert shown["price"] == 13 and shown["quantity"] == 10
    small.refresh_from_db()
    assert small.is_active is False  # ordered: deactivated, not deleted
    assert ProductVariant.objects.filter(product=product).count() == 3
    # a variant that no order references is deleted
    xl = ProductVariant.objects.get(product=product, options__size="XL")
    body["variants"] = [{"id": large.public_id}]
    assert admin_client.put(f"{URL}{product.public_id}/", body, format="json").status_code == 200
    assert not ProductVariant.objects.filter(pk=xl.pk).exists()


def test_price_and_quantity_of_a_product_with_several_variants_are_per_variant(admin_client):
    product = _tee()
    response = admin_client.patch(f"{URL}{product.public_id}/", {"quantity": 3}, format="json")
    assert response.status_code == 400 and "quantity" in response.json()["error"]["details"]


def test_single_variant_product_keeps_the_v1_writes(admin_client):
    response = admin_client.post(URL, {"name": "Mug", "price": 7.5, "quantity": 4}, format="json")
    assert response.status_code == 201
    product = Product.objects.get(public_id=response.json()["id"])
    (variant,) = product.variants.all()
    assert (variant.price, variant.quantity, variant.options) == (Decimal("7.50"), 4, {})
    assert (
        admin_client.patch(
            f"{URL}{product.public_id}/", {"price": 8, "quantity": 6}, format="json"
        ).status_code
        == 200
    )
    variant.refresh_from_db()
    assert (variant.price, variant.quantity) == (Decimal("8.00"), 6)
    assert Product.objects.get(pk=product.pk).price == Decimal("8.00")


def test_variant_endpoints(admin_client, api_client):
    product = _tee()
    base = f"{URL}{product.public_id}/variants/"
    listed = api_client.get(base)
    assert listed.status_code == 200 and [v["options"] for v in listed.json()] == [
        {"size": "S"},
        {"size": "L"},
    ]
    created = admin_client.post(base, {"options": {"size": "XS"}, "price": 8, "quantity": 2}, format="json")
    assert created.status_code == 201, created.json()
    variant_id = created.json()["id"]
    assert created["Location"].endswith(f"/api/products/{product.public_id}/variants/{variant_id}/")
    assert api_client.get(f"{URL}{product.public_id}/").json()["price"] == 8  # the lowest now
    assert api_client.post(base, {"options": {"size": "S"}, "price": 1}, format="json").status_code == 401
    dup = admin_client.post(base, {"options": {"size": "S"}, "price": 1}, format="json")
    assert dup.status_code == 400 and "variants.0.options" in dup.json()["error"]["details"]
    changed = admin_client.patch(f"{base}{variant_id}/", {"quantity": 5, "price": 9}, format="json")
    assert changed.status_code == 200 and (changed.json()["quantity"], changed.json()["price"]) == (5, 9.0)
    assert api_client.get(f"{base}{variant_id}/").json()["quantity"] == 5
    assert (
        sum(StockMovement.objects.filter(variant__public_id=variant_id).values_list("delta", flat=True)) == 5
    )
    assert admin_client.delete(f"{base}{variant_id}/").status_code == 204
    assert api_client.get(f"{base}{variant_id}/").status_code == 404
    assert api_client.get(f"{URL}prod_nope/variants/").json()["error"]["code"] == "PRODUCT_NOT_FOUND"


def test_a_product_keeps_its_last_variant(admin_client):
    product = ProductFactory()
    variant = product.variants.get()
    response = admin_client.delete(f"{URL}{product.public_id}/variants/{variant.public_id}/")
    assert response.status_code == 400 and ProductVariant.objects.filter(pk=variant.pk).exists()


@pytest.mark.parametrize("page_size", [1, 20])
def test_list_and_detail_budgets_hold_with_many_variants(
    api_client, django_assert_max_num_queries, page_size
):
    for index in range(page_size + 2):
        product_create(
            name=f"Tee {index}",
            options=["size"],
            variants=[{"options": {"size": size}, "price": Decimal("5.00"), "quantity": 1} for size in "SML"],
        )
    with django_assert_max_num_queries(5):  # count, page (with stock), categories, variants, images
        response = api_client.get(URL, {"page_size": page_size, "in_stock": "true", "ordering": "price"})
    assert response.status_code == 200 and len(response.json()["results"]) == page_size
    assert all(len(item["variants"]) == 3 and item["quantity"] == 3 for item in response.json()["results"])
    with django_assert_max_num_queries(4):  # product (with stock), categories, variants, images
        detail = api_client.get(f"{URL}{response.json()['results'][0]['id']}/")
    assert len(detail.json()["variants"]) == 3


def test_status_and_in_stock_come_from_the_variants(api_client):
    product = _tee()
    product.variants.filter(options__size="S").update(quantity=0)
    assert api_client.get(URL, {"in_stock": "true"}).json()["count"] == 1
    product.variants.update(quantity=0)
    body = api_client.get(f"{URL}{product.public_id}/").json()
    assert (body["status"], body["in_stock"], body["quantity"]) == ("out_of_stock", False, 0)
    assert api_client.get(URL, {"status": "out_of_stock"}).json()["count"] == 1


# --- cart ----------------------------------------------------------------------------------


def test_cart_takes_a_variant_id_or_a_single_variant_product_id(auth_client):
    client = auth_client(UserFactory())
    tee, mug = _tee(), ProductFactory(name="Mug")
    small = tee.variants.get(options__size="S")
    refused = client.post("/api/cart/items/", {"product_id": tee.public_id}, format="json")
    assert refused.status_code == 400
    error = refused.json()["error"]
    assert error["code"] == "VARIANT_REQUIRED"
    assert sorted(error["details"][tee.public_id]) == sorted(tee.variants.values_list("public_id", flat=True))
    assert (
        client.post(
            "/api/cart/items/", {"variant_id": small.public_id, "quantity": 2}, format="json"
        ).status_code
        == 201
    )
    cart = client.post("/api/cart/items/", {"product_id": mug.public_id}, format="json").json()
    tee_line, mug_line = cart["items"]
    assert tee_line["variant"] == {"id": small.public_id, "sku": small.sku, "options": {"size": "S"}}
    assert tee_line["product"]["id"] == tee.public_id and tee_line["unit_price"] == 10.0
    assert mug_line["variant"]["id"] == mug.variants.get().public_id
    both = client.post(
        "/api/cart/items/", {"variant_id": small.public_id, "product_id": mug.public_id}, format="json"
    )
    assert both.status_code == 400
    # a line is named by its variant id, or by the product's id when the product has one line
    assert (
        client.patch(f"/api/cart/items/{small.public_id}/", {"quantity": 1}, format="json").status_code == 200
    )
    assert (
        client.patch(f"/api/cart/items/{tee.public_id}/", {"quantity": 2}, format="json").status_code == 200
    )
    over = client.patch(f"/api/cart/items/{small.public_id}/", {"quantity": 3}, format="json")
    assert over.status_code == 409 and over.json()["error"]["details"] == {
        small.public_id: "requested 3, available 2"
    }


def test_order_lines_snapshot_the_variant(auth_client):
    client = auth_client(UserFactory())
    tee = _tee()
    large = tee.variants.get(options__size="L")
    client.post("/api/cart/items/", {"variant_id": large.public_id, "quantity": 2}, format="json")
    order = client.post(
        "/api/orders/",
        {
            "shipping_address": {
                "name": "A",
                "line1": "1 St",
                "city": "X",
                "postal_code": "1",
                "country": "DE",
            },
            "payment": {"method": "card", "token": "tok_ok"},
        },
        format="json",
    )
    assert order.status_code == 201, order.json()
    (line,) = order.json()["items"]
    assert (
        line["variant_id"] == large.public_id
        and line["sku"] == large.sku
        and line["options"] == {"size": "L"}
    )
    assert (line["product_id"], line["name"], line["unit_price"], line["line_total"]) == (
        tee.public_id,
        "Tee",
        12.0,
        24.0,
    )
    large.refresh_from_db()
    assert large.quantity == 3


# --- the inventory API --------------------------------------------------------------------


def test_inventory_process_takes_a_variant_id_and_refuses_a_multi_variant_product(api_client):
    manager = StoreManagerFactory(external_id="mgr_var")
    tee = _tee(manager_id="mgr_var")
    single = ManagedProductFactory(manager=manager, quantity=5)
    large = tee.variants.get(options__size="L")
    body = {"manager_id": "mgr_var", "customer": {"id": "c1", "email": "c@example.com"}}
    refused = send(
        api_client,
        "post",
        "/api/orders/process",
        {**body, "products": [{"product_id": tee.public_id, "quantity": 1}]},
    )
    assert refused.status_code == 400 and refused.json()["error"]["code"] == "VARIANT_REQUIRED"
    assert set(refused.json()["error"]["details"]) == {tee.public_id}
    done = send(
        api_client,
        "post",
        "/api/orders/process",
        {
            **body,
            "products": [
                {"product_id": large.public_id, "quantity": 2},
                {"product_id": single.public_id, "quantity": 1},
            ],
        },
    )
    assert done.status_code == 200, done.json()
    large.refresh_from_db()
    assert large.quantity == 3 and single.variants.get().quantity == 4
    listed = send(api_client, "get", "/api/inventory/products?manager_id=mgr_var").json()["products"]
    assert {p["id"]: p["quantity"] for p in listed} == {tee.public_id: 5, single.public_id: 4}


def test_an_image_can_show_one_variant(admin_client, api_client):
    product = _tee()
    large = product.variants.get(options__size="L")
    file = upload(picture("PNG", (24, 16)), "l.png", "image/png")
    response = admin_client.post(
        f"{URL}{product.public_id}/images/",
        {"file": file, "variant_id": large.public_id},
        format="multipart",
    )
    assert response.status_code == 201, response.json()
    assert response.json()["variant_id"] == large.public_id
    body = api_client.get(f"{URL}{product.public_id}/").json()
    assert [image["variant_id"] for image in body["images"]] == [large.public_id]
    by_size = {v["options"]["size"]: v["images"] for v in body["variants"]}
    assert [i["id"] for i in by_size["L"]] == [response.json()["id"]] and by_size["S"] == []
    wrong = admin_client.patch(
        f"{URL}{product.public_id}/images/{response.json()['id']}/", {"variant_id": "var_nope"}, format="json"
    )
    assert wrong.status_code == 400 and "variant_id" in wrong.json()["error"]["details"]


def test_a_cart_line_named_by_a_product_with_two_lines_needs_its_variant(auth_client):
    """DELETE, save for later and move to cart name a line by its variant id, or by the product's
    id only while the product has one line: with two sizes in the cart (or saved) the product id
    is ambiguous, 400 VARIANT_REQUIRED, and nothing changes."""
    client = auth_client(UserFactory())
    tee = _tee()
    small, large = tee.variants.get(options__size="S"), tee.variants.get(options__size="L")
    for variant in (small, large):
        client.post("/api/cart/items/", {"variant_id": variant.public_id}, format="json")
    for method, url in (
        ("delete", f"/api/cart/items/{tee.public_id}/"),
        ("post", f"/api/cart/items/{tee.public_id}/save-for-later/"),
    ):
        refused = getattr(client, method)(url, format="json")
        assert refused.status_code == 400, (url, refused.content)
        assert refused.json()["error"]["code"] == "VARIANT_REQUIRED"
    assert len(client.get("/api/cart/").json()["items"]) == 2
    for variant in (small, large):
        saved = client.post(f"/api/cart/items/{variant.public_id}/save-for-later/", format="json")
        assert saved.status_code == 200, saved.content
    refused = client.post(f"/api/cart/saved/{tee.public_id}/move-to-cart/", format="json")
    assert refused.status_code == 400 and refused.json()["error"]["code"] == "VARIANT_REQUIRED"
    assert client.get("/api/cart/").json()["items"] == []


@pytest.mark.parametrize("method", ["post", "patch", "delete"])
def test_variant_writes_to_an_unknown_product_are_404(admin_client, method):
    variant = _tee().variants.first()
    url = "/api/products/prod_nope/variants/" + ("" if method == "post" else f"{variant.public_id}/")
    response = getattr(admin_client, method)(url, {"price": 1}, format="json")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "PRODUCT_NOT_FOUND"
    assert ProductVariant.objects.filter(pk=variant.pk, price=Decimal("10.00")).exists()
