"""Django admin for the catalog: lists with filters and search, bulk discontinue and restock
(through the stock ledger), category deletion through the service."""

import pytest
from django.urls import reverse

from catalog.models import Category, Product
from orders.models import StockMovement
from tests.factories import CategoryFactory, ProductFactory, StoreManagerFactory

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
        },
    )
    assert add.status_code == 302
    product = Product.objects.get(slug="mug")
    assert list(product.categories.all()) == [category]
    assert StockMovement.objects.get(product=product).delta == 3
    change = staff_client.get(reverse("admin:catalog_product_change", args=[product.pk]))
    assert change.status_code == 200 and b"Restock" not in change.content


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
