"""INVENTORY_ACCESS_MODE: ``trusted`` (default) believes manager_id; ``token`` requires the bearer
JWT of the manager user linked to that manager_id."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from catalog.models import Product
from inventory.models import AuditEvent
from tests.factories import AdminUserFactory, ManagedProductFactory, ManagerUserFactory, UserFactory
from tests.helpers.inventory import send


def upsert_body(manager_id: str) -> dict:
    return {"manager_id": manager_id, "products": [{"name": "Coffee", "price": 1, "quantity": 1}]}


@pytest.mark.django_db
def test_trusted_is_the_default_and_ignores_tokens(api_client, settings):
    assert settings.INVENTORY_ACCESS_MODE == "trusted"
    api_client.credentials(HTTP_AUTHORIZATION="Bearer not-a-jwt")

    response = send(api_client, "post", "/api/inventory/products", upsert_body("mgr_t"))

    assert response.status_code == 201


@pytest.fixture
def token_mode(settings):
    settings.INVENTORY_ACCESS_MODE = "token"


@pytest.fixture
def manager_user():
    return ManagerUserFactory()


@pytest.mark.django_db
@pytest.mark.usefixtures("token_mode")
def test_token_mode_without_token_is_401(api_client):
    response = api_client.get("/api/inventory/products?manager_id=mgr_t")

    assert response.status_code == 401
    assert response.json()["error"]["code"] == "AUTHENTICATION_REQUIRED"
    assert AuditEvent.objects.get().status_code == 401


@pytest.mark.django_db
@pytest.mark.usefixtures("token_mode")
def test_token_mode_with_invalid_token_is_401(api_client):
    api_client.credentials(HTTP_AUTHORIZATION="Bearer not-a-jwt")

    response = send(api_client, "post", "/api/inventory/products", upsert_body("mgr_t"))

    assert response.status_code == 401
    assert response.json()["error"]["code"] == "TOKEN_INVALID"
    assert not Product.objects.exists()


@pytest.mark.django_db
@pytest.mark.usefixtures("token_mode")
def test_token_mode_linked_manager_may_use_all_endpoints(auth_client, manager_user):
    client: APIClient = auth_client(manager_user)
    manager_id = manager_user.store_manager.external_id

    created = send(client, "post", "/api/inventory/products", upsert_body(manager_id))
    product_id = created.json()["products"][0]["id"]
    listed = client.get(f"/api/inventory/products?manager_id={manager_id}")
    processed = send(
        client,
        "post",
        "/api/orders/process",
        {
            "manager_id": manager_id,
            "customer": {"id": "c1", "email": "c@example.com"},
            "products": [{"product_id": product_id, "quantity": 1}],
        },
    )
    discontinued = send(
        client, "post", "/api/inventory/discontinue", {"manager_id": manager_id, "product_id": product_id}
    )

    assert [created.status_code, listed.status_code, processed.status_code, discontinued.status_code] == [
        201,
        200,
        200,
        204,
    ]


@pytest.mark.django_db
@pytest.mark.usefixtures("token_mode")
def test_token_mode_other_managers_id_is_403(auth_client, manager_user):
    other = ManagerUserFactory()
    product = ManagedProductFactory(manager=other.store_manager)
    client = auth_client(manager_user)

    listed = client.get(f"/api/inventory/products?manager_id={other.store_manager.external_id}")
    discontinue = send(
        client,
        "post",
        "/api/inventory/discontinue",
        {"manager_id": other.store_manager.external_id, "product_id": product.public_id},
    )
    unknown = send(client, "post", "/api/inventory/products", upsert_body("mgr_not_created"))

    for response in (listed, discontinue, unknown):
        assert response.status_code == 403
        assert response.json()["error"]["code"] == "PERMISSION_DENIED"
    product.refresh_from_db()
    assert product.discontinued is False
    assert not Product.objects.filter(manager__external_id="mgr_not_created").exists()


@pytest.mark.django_db
@pytest.mark.usefixtures("token_mode")
@pytest.mark.parametrize("factory", [UserFactory, AdminUserFactory])
def test_token_mode_non_manager_roles_are_403(auth_client, factory):
    response = auth_client(factory()).get("/api/inventory/products?manager_id=mgr_t")

    assert response.status_code == 403
    assert response.json()["error"]["message"] == "Only store managers may use the inventory API."


@pytest.mark.django_db
@pytest.mark.usefixtures("token_mode")
def test_token_mode_still_validates_after_access(auth_client, manager_user):
    response = auth_client(manager_user).get("/api/inventory/products")

    assert response.status_code == 400
    assert "manager_id" in response.json()["error"]["details"]
