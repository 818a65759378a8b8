"""Ids are validated once, by one predicate, and compared byte for byte on every database
(issue #18, item 5)."""

from __future__ import annotations

import pytest
from django.db import connection
from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import RefreshToken

from accounts.ids import is_external_id
from accounts.models import StoreManager
from catalog.models import Product
from inventory.models import AuditEvent
from orders.models import Order
from tests.factories import AuditEventFactory, ManagedProductFactory, ManagerUserFactory, StoreManagerFactory
from tests.helpers.inventory import send
from tests.helpers.ratelimit import fresh_rate_window


def upsert(manager_id: str, price: float = 1) -> dict:
    return {"manager_id": manager_id, "products": [{"name": "Coffee", "price": price, "quantity": 5}]}


@pytest.mark.parametrize(
    ("value", "ok"),
    [
        ("mgr_1", True),
        ("A-b_9", True),
        ("x" * 64, True),
        ("mgr_1\n", False),
        ("\nmgr_1", False),
        ("mgr 1", False),
        ("", False),
        ("x" * 65, False),
        ("mgr_é", False),
        (None, False),
        (12, False),
    ],
)
def test_is_external_id_matches_the_whole_string(value, ok):
    assert is_external_id(value) is ok


@pytest.mark.django_db
def test_token_mode_manager_id_with_final_newline_cannot_skip_the_access_check(settings, auth_client):
    """Was: the view's fullmatch refused ``"mgr_x\\n"`` (so no ownership check ran) while the
    serializer's ``^…$`` accepted it, and the upsert created a manager nobody was linked to."""
    settings.INVENTORY_ACCESS_MODE = "token"
    x, y = ManagerUserFactory(), ManagerUserFactory()
    target = f"{x.store_manager.external_id}\n"

    created = send(auth_client(y), "post", "/api/inventory/products", upsert(target))
    listed = auth_client(y).get("/api/inventory/products", {"manager_id": target})

    for response in (created, listed):
        assert response.status_code == 400
        assert set(response.json()["error"]["details"]) == {"manager_id"}
    assert StoreManager.objects.count() == 2
    assert not Product.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("field", ["manager_id", "customer.id"])
def test_trusted_mode_ids_with_final_newline_are_400(api_client, field):
    product = ManagedProductFactory(manager=StoreManagerFactory(external_id="mgr_nl"))
    body = {
        "manager_id": "mgr_nl",
        "customer": {"id": "cust_1", "email": "c@example.com"},
        "products": [{"product_id": product.public_id, "quantity": 1}],
    }
    if field == "manager_id":
        body["manager_id"] = "mgr_nl\n"
    else:
        body["customer"]["id"] = "cust_1\n"

    response = send(api_client, "post", "/api/orders/process", body)
    created = send(api_client, "post", "/api/inventory/products", upsert("mgr_new\n"))

    assert response.status_code == 400
    assert field in response.json()["error"]["details"]
    assert created.status_code == 400
    assert not Order.objects.exists()
    assert not StoreManager.objects.filter(external_id__startswith="mgr_new").exists()


@pytest.mark.django_db
def test_manager_ids_differing_in_case_are_different_managers(api_client):
    """On MariaDB's ``_ci`` collation ``MGR_ACME`` was ``mgr_acme`` for the database but had its
    own rate-limit counter and cache entry: case variants acted on the real manager's products
    with 100 fresh requests each. Now the id columns are binary, as on PostgreSQL and SQLite."""
    first = send(api_client, "post", "/api/inventory/products", upsert("mgr_acme", price=15.99))
    product_id = first.json()["products"][0]["id"]

    listed = api_client.get("/api/inventory/products?manager_id=MGR_ACME")
    variant = send(api_client, "post", "/api/inventory/products", upsert("MGR_ACME", price=0))
    discontinue = send(
        api_client, "post", "/api/inventory/discontinue", {"manager_id": "Mgr_Acme", "product_id": product_id}
    )

    assert listed.json() == {"products": []}
    assert variant.status_code == 201 and variant.json()["products"][0]["id"] != product_id
    assert discontinue.status_code == 404
    original = Product.objects.get(public_id=product_id)
    assert (str(original.price), original.discontinued, original.manager.external_id) == (
        "15.99",
        False,
        "mgr_acme",
    )
    assert sorted(StoreManager.objects.values_list("external_id", flat=True)) == ["MGR_ACME", "mgr_acme"]


@pytest.mark.django_db
def test_case_variants_do_not_multiply_the_rate_limit(api_client, settings):
    """Each case variant is its own manager with its own products, so its own budget is fair."""
    settings.INVENTORY_RATE_LIMIT = 2
    settings.INVENTORY_RATE_WINDOW = 60
    fresh_rate_window(60)
    send(api_client, "post", "/api/inventory/products", upsert("mgr_acme"))
    send(api_client, "post", "/api/inventory/products", upsert("mgr_acme"))

    limited = send(api_client, "post", "/api/inventory/products", upsert("mgr_acme", price=0))
    variant = send(api_client, "post", "/api/inventory/products", upsert("MGR_ACME", price=0))

    assert limited.status_code == 429
    assert variant.status_code == 201
    assert str(Product.objects.get(manager__external_id="mgr_acme").price) == "1.00"


@pytest.mark.django_db
def test_audit_and_manager_lookups_are_exact():
    StoreManagerFactory(external_id="mgr_acme")
    AuditEventFactory(manager_external_id="mgr_acme")

    assert not StoreManager.objects.filter(external_id="MGR_ACME").exists()
    assert not AuditEvent.objects.filter(manager_external_id="MGR_ACME").exists()
    assert StoreManager.objects.filter(external_id="mgr_acme").count() == 1


@pytest.mark.django_db
def test_token_mode_case_variant_of_own_id_is_403(settings):
    settings.INVENTORY_ACCESS_MODE = "token"
    user = ManagerUserFactory(store_manager__external_id="mgr_case")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {RefreshToken.for_user(user).access_token}")

    assert client.get("/api/inventory/products?manager_id=MGR_CASE").status_code == 403
    assert client.get("/api/inventory/products?manager_id=mgr_case").status_code == 200


@pytest.mark.django_db
def test_id_columns_are_binary_on_mariadb():
    if connection.vendor != "mysql":
        pytest.skip("PostgreSQL and SQLite compare strings exactly already")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT table_name, column_name, collation_name FROM information_schema.columns "
            "WHERE table_schema = DATABASE() AND table_name LIKE 'inventory\\_%%' "
            "AND column_name IN ('external_id', 'manager_external_id', 'api_key_prefix', 'prefix')"
        )
        collations = {(table, column): collation for table, column, collation in cursor.fetchall()}
    assert collations == {
        ("inventory_storemanager", "external_id"): "utf8mb4_bin",
        ("inventory_auditevent", "manager_external_id"): "utf8mb4_bin",
        ("inventory_auditevent", "api_key_prefix"): "utf8mb4_bin",
        ("inventory_managerapikey", "prefix"): "utf8mb4_bin",
    }
