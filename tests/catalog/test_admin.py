"""Django admin for the catalog: lists with filters and search, bulk discontinue and restock
(through the stock ledger), stock changes with a reason from the product page (through the
stock service), categories as a tree, category writes through the services."""

from decimal import Decimal

import pytest
from django.urls import reverse

from catalog import services
from catalog.models import Attribute, Category, Product, ProductAttributeValue, ProductVariant, StockMovement
from tests.factories import CategoryFactory, ProductFactory, StoreManagerFactory
from tests.helpers.admin_forms import variant_inline_forms
from tests.helpers.images import NO_IMAGE_ROWS

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(client, admin_user):
    client.force_login(admin_user)
    return client


def test_product_changelist_filters_and_search(staff_client):
    coffee = CategoryFactory(name="Coffee")
    manager = StoreManagerFactory()
    ProductFactory(name="Beans", categories=[coffee], manager=manager, quantity=0)
    ProductFactory(name="Knife")
    url = reverse("admin:catalog_product_changelist")
    assert staff_client.get(url).status_code == 200
    for params in (
        {"status": "out_of_stock"},
        {"categories__id__exact": coffee.pk},
        {"manager__id__exact": manager.pk},
        {"q": "Bean"},
    ):
        response = staff_client.get(url, params)
        assert response.status_code == 200
        assert list(response.context["cl"].result_list.values_list("name", flat=True)) == ["Beans"]
    assert staff_client.get(url, {"status": "in_stock"}).context["cl"].result_list.count() == 1


def test_product_add_and_change_pages(staff_client):
    category = CategoryFactory()
    add = staff_client.post(
        reverse("admin:catalog_product_add"),
        {
            "name": "Mug",
            "slug": "mug",
            "description": "",
            "price": "5.00",
            "quantity": "3",
            "categories": [category.pk],
            **NO_IMAGE_ROWS,
        },
    )
    assert add.status_code == 302
    product = Product.objects.get(slug="mug")
    assert list(product.categories.all()) == [category]
    assert StockMovement.objects.get(product=product).delta == 3
    change = staff_client.get(reverse("admin:catalog_product_change", args=[product.pk]))
    # quantity is read-only on the change form: stock changes go through "Change stock by"
    assert change.status_code == 200 and b'name="quantity"' not in change.content
    assert b'name="stock_change"' in change.content and b'name="stock_reason"' in change.content


def test_discontinue_action(staff_client):
    a, b = ProductFactory(), ProductFactory()
    response = staff_client.post(
        reverse("admin:catalog_product_changelist"),
        {"action": "discontinue", "_selected_action": [a.pk, b.pk]},
    )
    assert response.status_code == 302
    assert Product.objects.filter(discontinued=True).count() == 2


def test_restock_action_asks_then_goes_through_the_ledger(staff_client):
    a, b = ProductFactory(quantity=1), ProductFactory(quantity=0)
    url = reverse("admin:catalog_product_changelist")
    ask = staff_client.post(url, {"action": "restock", "_selected_action": [a.pk, b.pk]})
    assert ask.status_code == 200 and b"Add stock to 2 product(s)" in ask.content
    bad = staff_client.post(
        url, {"action": "restock", "_selected_action": [a.pk], "apply": "1", "quantity": "0"}
    )
    assert bad.status_code == 200
    a.refresh_from_db()
    assert a.quantity == 1
    done = staff_client.post(
        url, {"action": "restock", "_selected_action": [a.pk, b.pk], "apply": "1", "quantity": "5"}
    )
    assert done.status_code == 302
    a.refresh_from_db()
    b.refresh_from_db()
    assert (a.quantity, b.quantity) == (6, 5)
    assert StockMovement.objects.filter(reason="restock", delta=5).count() == 2


def test_product_delete_in_admin(staff_client):
    product = ProductFactory()
    response = staff_client.post(reverse("admin:catalog_product_delete", args=[product.pk]), {"post": "yes"})
    assert response.status_code == 302
    assert not Product.objects.filter(pk=product.pk).exists()
    others = ProductFactory.create_batch(2)
    staff_client.post(
        reverse("admin:catalog_product_changelist"),
        {"action": "delete_selected", "_selected_action": [p.pk for p in others], "post": "yes"},
    )
    assert not Product.objects.exists()


def test_category_admin_delete_moves_children_up(staff_client):
    root = CategoryFactory()
    middle = CategoryFactory(parent=root)
    leaf = CategoryFactory(parent=middle)
    product = ProductFactory(categories=[middle])
    changelist = reverse("admin:catalog_category_changelist")
    assert staff_client.get(changelist).status_code == 200
    response = staff_client.post(reverse("admin:catalog_category_delete", args=[middle.pk]), {"post": "yes"})
    assert response.status_code == 302
    leaf.refresh_from_db()
    assert leaf.parent == root and Product.objects.filter(pk=product.pk).exists()
    staff_client.post(changelist, {"action": "delete_selected", "_selected_action": [root.pk], "post": "yes"})
    leaf.refresh_from_db()
    assert leaf.parent is None and Category.objects.count() == 1


def test_category_admin_add(staff_client):
    response = staff_client.post(
        reverse("admin:catalog_category_add"), {"name": "Tea", "slug": "tea", "position": "0"}
    )
    assert response.status_code == 302 and Category.objects.filter(slug="tea").exists()


def _product_form(product, **changes):
    data = {
        "name": product.name,
        "slug": product.slug,
        "description": product.description,
        "price": str(product.price),
        "image_url": product.image_url,
        "categories": [c.pk for c in product.categories.all()],
        "manager": product.manager_id or "",
        "stock_change": "",
        "stock_reason": "",
        "stock_note": "",
        **NO_IMAGE_ROWS,
    }
    if product.discontinued:
        data["discontinued"] = "on"
    data.update(variant_inline_forms(product))
    data.update(changes)
    return data


def test_product_page_changes_stock_with_a_reason_through_the_ledger(staff_client):
    product = ProductFactory(quantity=4)
    url = reverse("admin:catalog_product_change", args=[product.pk])
    done = staff_client.post(
        url, _product_form(product, stock_change="12", stock_reason="restock", stock_note="delivery DN-17")
    )
    assert done.status_code == 302
    product.refresh_from_db()
    assert product.quantity == 16
    row = StockMovement.objects.get(product=product)
    assert (row.delta, row.reason, row.note, row.order_id) == (12, "restock", "delivery DN-17", None)

    staff_client.post(
        url,
        _product_form(product, stock_change="-3", stock_reason="adjustment", stock_note="broken in storage"),
    )
    product.refresh_from_db()
    assert product.quantity == 13
    assert sum(StockMovement.objects.filter(product=product).values_list("delta", flat=True)) == 13 - 4
    page = staff_client.get(url).content.decode()
    assert "broken in storage" in page and "delivery DN-17" in page  # the recent ledger rows

    for bad in (
        {"stock_change": "-14", "stock_reason": "adjustment", "stock_note": "count"},  # below zero
        {"stock_change": "-1", "stock_reason": "restock", "stock_note": "oops"},  # restock removes
        {"stock_change": "5", "stock_reason": "adjustment", "stock_note": " "},  # no note
        {"stock_change": "5", "stock_reason": "", "stock_note": "count"},  # no reason
    ):
        refused = staff_client.post(url, _product_form(product, **bad))
        assert refused.status_code == 200 and refused.context["adminform"].form.errors, bad
    product.refresh_from_db()
    assert product.quantity == 13 and StockMovement.objects.filter(product=product).count() == 2


def test_product_page_edit_never_writes_the_stock_back(staff_client):
    product = ProductFactory(quantity=9, name="Mug")
    url = reverse("admin:catalog_product_change", args=[product.pk])
    form = _product_form(product, name="Big mug", quantity="500")  # a forged quantity is ignored
    ProductVariant.objects.filter(product=product).update(quantity=7)  # a checkout meanwhile
    assert staff_client.post(url, form).status_code == 302
    product.refresh_from_db()
    assert (product.name, product.quantity) == ("Big mug", 7)
    assert not StockMovement.objects.filter(product=product).exists()


def test_variants_inline_writes_through_the_services_and_the_stock_module(staff_client):
    product = ProductFactory(quantity=4, name="Tee")
    product.options = ["size"]
    product.save()
    ProductVariant.objects.filter(product=product).update(options={"size": "S"})
    url = reverse("admin:catalog_product_change", args=[product.pk])
    page = staff_client.get(url)
    assert page.status_code == 200 and "variants-TOTAL_FORMS" in page.content.decode()
    form = _product_form(product)
    form.update(
        variant_inline_forms(
            product,
            {"stock_change": "6"},  # S: +6 through the ledger
            {"sku": "TEE-L", "options": '{"size": "L"}', "price": "8.00"},  # a new variant
        )
    )
    assert staff_client.post(url, form).status_code == 302
    small = product.variants.get(options__size="S")
    large = product.variants.get(sku="TEE-L")
    assert (small.quantity, large.quantity, large.price) == (10, 0, Decimal("8.00"))
    assert list(StockMovement.objects.filter(variant=small).values_list("delta", "reason")) == [
        (6, "restock")
    ]
    assert Product.objects.get(pk=product.pk).price == Decimal("8.00")  # the lowest variant price
    # a duplicate option combination is refused by the service: nothing is saved
    form = _product_form(product)
    form.update(
        variant_inline_forms(product, {}, {}, {"sku": "TEE-S2", "options": '{"size": "S"}', "price": "5.00"})
    )
    staff_client.post(url, form)
    assert not product.variants.filter(sku="TEE-S2").exists()


def test_category_list_is_a_tree(staff_client):
    home = CategoryFactory(name="Home", position=1)
    grocery = CategoryFactory(name="Grocery", position=0)
    decor = CategoryFactory(name="Decor", parent=home, position=1)
    bedding = CategoryFactory(name="Bedding", parent=home, position=0)
    coffee = CategoryFactory(name="Coffee", parent=grocery)
    beans = CategoryFactory(name="Beans", parent=coffee)
    response = staff_client.get(reverse("admin:catalog_category_changelist"))
    assert response.status_code == 200
    names = [c.name for c in response.context["cl"].result_list]
    assert names == ["Grocery", "Coffee", "Beans", "Home", "Bedding", "Decor"]
    html = response.content.decode()
    assert '<span class="category-depth-2">└ Beans</span>' in html
    assert '<span class="category-depth-0">Home</span>' in html
    # a category cannot be moved under itself or its sub-tree: not offered, and refused
    change = staff_client.get(reverse("admin:catalog_category_change", args=[grocery.pk]))
    offered = {c.pk for c in change.context["adminform"].form.fields["parent"].queryset}
    assert offered == {home.pk, decor.pk, bedding.pk}
    refused = staff_client.post(
        reverse("admin:catalog_category_change", args=[grocery.pk]),
        {"name": "Grocery", "slug": grocery.slug, "parent": beans.pk, "position": "0"},
    )
    assert refused.status_code == 200
    grocery.refresh_from_db()
    assert grocery.parent is None
    moved = staff_client.post(
        reverse("admin:catalog_category_change", args=[coffee.pk]),
        {"name": "Coffee", "slug": coffee.slug, "parent": home.pk, "position": "0"},
    )
    assert moved.status_code == 302
    coffee.refresh_from_db()
    assert coffee.parent == home
    by_products = staff_client.get(reverse("admin:catalog_category_changelist"), {"o": "-5"})
    assert by_products.status_code == 200 and len(by_products.context["cl"].result_list) == 6


def test_attribute_admin_defines_checks_and_deletes_through_the_service(staff_client):
    add = reverse("admin:catalog_attribute_add")
    bad = staff_client.post(
        add, {"slug": "color", "name": "Colour", "type": "choice", "choices": "[]", "position": 0}
    )
    assert bad.status_code == 200 and "a choice attribute needs at least one choice" in bad.content.decode()
    done = staff_client.post(
        add,
        {"slug": "color", "name": "Colour", "type": "choice", "choices": '["red", "blue"]', "position": 0},
    )
    assert done.status_code == 302
    color = Attribute.objects.get(slug="color")
    product = ProductFactory(name="Mug")
    change = staff_client.post(
        reverse("admin:catalog_product_change", args=[product.pk]),
        {
            "name": "Mug",
            "slug": product.slug,
            "description": "",
            "price": "5.00",
            "attributes": '{"color": "purple"}',
            **NO_IMAGE_ROWS,
            **variant_inline_forms(product),
        },
    )
    assert change.status_code == 200 and "must be one of" in change.content.decode()
    staff_client.post(
        reverse("admin:catalog_product_change", args=[product.pk]),
        {
            "name": "Mug",
            "slug": product.slug,
            "description": "",
            "price": "5.00",
            "attributes": '{"color": "red"}',
            **NO_IMAGE_ROWS,
            **variant_inline_forms(product),
        },
    )
    product.refresh_from_db()
    assert product.attributes == {"color": "red"}
    assert list(ProductAttributeValue.objects.filter(product=product).values_list("value", flat=True)) == [
        "red"
    ]
    in_use = staff_client.post(
        reverse("admin:catalog_attribute_change", args=[color.pk]),
        {"slug": "color", "name": "Colour", "type": "choice", "choices": '["blue"]', "position": 0},
    )
    assert in_use.status_code == 200 and "still used by products" in in_use.content.decode()
    staff_client.post(reverse("admin:catalog_attribute_delete", args=[color.pk]), {"post": "yes"})
    product.refresh_from_db()
    assert not Attribute.objects.exists() and product.attributes == {}


def test_restock_action_restocks_each_products_own_variant(staff_client):
    """Product and variant primary keys differ (a product with several variants came first): the
    action adds to each selected product's own variant, and leaves a multi-variant product alone."""
    tee = services.product_create(
        name="Tee",
        options=["size"],
        variants=[{"options": {"size": size}, "price": Decimal("5"), "quantity": 1} for size in "SML"],
    )
    mug = ProductFactory(quantity=2)
    assert mug.pk != mug.variants.get().pk
    url = reverse("admin:catalog_product_changelist")
    done = staff_client.post(
        url, {"action": "restock", "_selected_action": [mug.pk, tee.pk], "apply": "1", "quantity": "4"}
    )
    assert done.status_code == 302
    mug.refresh_from_db()
    assert mug.quantity == 6
    assert sorted(ProductVariant.objects.filter(product=tee).values_list("quantity", flat=True)) == [1, 1, 1]
    messages = [str(m) for m in done.wsgi_request._messages]
    assert any("several variants not restocked" in m for m in messages), messages
