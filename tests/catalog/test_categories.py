"""Category tree API and category services: tree in constant queries, cycles refused, deleting
a category re-parents its children and keeps its products."""

import pytest

from catalog import services
from catalog.models import Category, Product
from tests.factories import CategoryFactory, ProductFactory

pytestmark = pytest.mark.django_db

URL = "/api/categories/"


def tree():
    root = CategoryFactory(name="Drinks", slug="drinks", position=0)
    coffee = CategoryFactory(name="Coffee", slug="coffee", parent=root, position=1)
    tea = CategoryFactory(name="Tea", slug="tea", parent=root, position=0)
    espresso = CategoryFactory(name="Espresso", slug="espresso", parent=coffee)
    tools = CategoryFactory(name="Tools", slug="tools", position=1)
    return root, coffee, tea, espresso, tools


def test_category_tree(api_client, django_assert_max_num_queries):
    root, coffee, tea, espresso, tools = tree()
    with django_assert_max_num_queries(2):
        response = api_client.get(URL)
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 2
    drinks, second = body["results"]
    assert (drinks["id"], drinks["parent"], second["name"]) == (root.public_id, None, "Tools")
    assert [child["name"] for child in drinks["children"]] == ["Tea", "Coffee"]
    coffee_node = drinks["children"][1]
    assert coffee_node["parent"] == root.public_id
    assert coffee_node["children"] == [
        {
            "id": espresso.public_id,
            "name": "Espresso",
            "slug": "espresso",
            "parent": coffee.public_id,
            "children": [],
        }
    ]


def test_category_detail(api_client, django_assert_max_num_queries):
    root, coffee, *_ = tree()
    with django_assert_max_num_queries(2):
        response = api_client.get(f"{URL}{coffee.public_id}")
    assert response.status_code == 200
    assert response.json()["parent"] == root.public_id
    assert response.json()["children"][0]["name"] == "Espresso"
    missing = api_client.get(f"{URL}cat_missing/")
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "NOT_FOUND"


def test_category_writes_need_an_admin(api_client, auth_client, user):
    category = CategoryFactory()
    assert api_client.post(URL, {"name": "X"}, format="json").status_code == 401
    assert auth_client(user).post(URL, {"name": "X"}, format="json").status_code == 403
    assert (
        auth_client(user).patch(f"{URL}{category.public_id}/", {"name": "Y"}, format="json").status_code
        == 403
    )
    assert auth_client(user).delete(f"{URL}{category.public_id}/").status_code == 403
    assert Category.objects.count() == 1


def test_category_create_and_patch(admin_client):
    root = CategoryFactory(slug="coffee")
    response = admin_client.post(
        URL, {"name": "Coffee", "parent": root.public_id, "position": 2}, format="json"
    )
    assert response.status_code == 201
    body = response.json()
    assert body["slug"] == "coffee-2" and body["parent"] == root.public_id and body["children"] == []
    moved = admin_client.patch(f"{URL}{body['id']}/", {"parent": None, "name": "Beans"}, format="json")
    assert moved.status_code == 200
    assert moved.json()["parent"] is None and moved.json()["name"] == "Beans"


@pytest.mark.parametrize(
    ("body", "field"),
    [({}, "name"), ({"name": "x" * 121}, "name"), ({"name": "X", "parent": "cat_missing"}, "parent")],
)
def test_category_create_rejects_bad_input(admin_client, body, field):
    response = admin_client.post(URL, body, format="json")
    assert response.status_code == 400 and field in response.json()["error"]["details"]


def test_category_cannot_move_under_itself_or_a_descendant(admin_client):
    root, coffee, tea, espresso, tools = tree()
    for new_parent in (root, espresso):
        response = admin_client.patch(
            f"{URL}{root.public_id}/", {"parent": new_parent.public_id}, format="json"
        )
        assert response.status_code == 400 and "parent" in response.json()["error"]["details"]
    root.refresh_from_db()
    assert root.parent is None
    ok = admin_client.patch(f"{URL}{tools.public_id}/", {"parent": espresso.public_id}, format="json")
    assert ok.status_code == 200


def test_category_delete_moves_children_up_and_keeps_products(admin_client):
    root, coffee, tea, espresso, tools = tree()
    beans = ProductFactory(categories=[coffee])
    response = admin_client.delete(f"{URL}{coffee.public_id}/")
    assert response.status_code == 204
    assert not Category.objects.filter(pk=coffee.pk).exists()
    espresso.refresh_from_db()
    assert espresso.parent == root
    assert Product.objects.filter(pk=beans.pk).exists()
    assert list(beans.categories.all()) == []
    assert admin_client.delete(f"{URL}{coffee.public_id}/").status_code == 404


def test_category_delete_many_reparents_in_any_order():
    root, coffee, tea, espresso, tools = tree()
    assert services.category_delete_many(category_ids=[root.pk, coffee.pk]) == 2
    espresso.refresh_from_db()
    tea.refresh_from_db()
    assert espresso.parent is None and tea.parent is None


def test_services_reject_unknown_fields():
    category = CategoryFactory()
    with pytest.raises(ValueError, match="Unknown category fields"):
        services.category_update(category=category, data={"colour": "red"})
    with pytest.raises(ValueError, match="Unknown product fields"):
        services.product_update(product=ProductFactory(), data={"colour": "red"})
