"""INVENTORY_ACCESS_MODE=api_key: per-manager keys decide who acts (issue #18, item 1)."""

from __future__ import annotations

import hashlib
from datetime import timedelta
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import StoreManager
from catalog.models import Product
from ecommerce.common.exceptions import InvalidRequest
from inventory.keys import KEY_PREFIX, manager_api_key_create, manager_api_key_revoke
from inventory.models import AuditEvent, ManagerApiKey
from orders.models import Order
from tests.factories import ManagedProductFactory, ManagerUserFactory, StoreManagerFactory
from tests.helpers.inventory import send


@pytest.fixture
def api_key_mode(settings):
    settings.INVENTORY_ACCESS_MODE = "api_key"


def key_client(key: str, *, header: str = "bearer") -> APIClient:
    client = APIClient()
    if header == "bearer":
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    else:
        client.credentials(HTTP_X_API_KEY=key)
    return client


def attack_requests(client: APIClient, manager_id: str, product: Product) -> list:
    """What the issue describes: reprice to 0, discontinue, drain stock with a fake order."""
    return [
        send(
            client,
            "post",
            "/api/inventory/products",
            {
                "manager_id": manager_id,
                "products": [{"id": product.public_id, "name": product.name, "price": 0, "quantity": 10}],
            },
        ),
        send(
            client,
            "post",
            "/api/orders/process",
            {
                "manager_id": manager_id,
                "customer": {"id": "cust_evil", "email": "evil@example.com"},
                "products": [{"product_id": product.public_id, "quantity": 10}],
            },
        ),
        send(
            client,
            "post",
            "/api/inventory/discontinue",
            {"manager_id": manager_id, "product_id": product.public_id},
        ),
    ]


def assert_untouched(product: Product) -> None:
    product.refresh_from_db()
    assert (product.price, product.quantity, product.discontinued) == (Decimal("15.99"), 10, False)
    assert not Order.objects.exists()


# --- the attack of the issue -------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.usefixtures("api_key_mode")
def test_api_key_mode_refuses_acting_as_the_manager_named_in_product_responses(api_client):
    product = ManagedProductFactory(price=Decimal("15.99"), quantity=10)
    manager_id = api_client.get(f"/api/products/{product.public_id}").json()["manager_id"]
    assert manager_id == product.manager.external_id  # public: the premise of the attack

    responses = attack_requests(api_client, manager_id, product)

    assert [r.status_code for r in responses] == [401, 401, 401]
    assert {r.json()["error"]["code"] for r in responses} == {"AUTHENTICATION_REQUIRED"}
    assert_untouched(product)


@pytest.mark.django_db
@pytest.mark.usefixtures("api_key_mode")
def test_api_key_of_another_manager_is_403_and_changes_nothing():
    product = ManagedProductFactory(price=Decimal("15.99"), quantity=10)
    other_key = manager_api_key_create(manager_external_id="mgr_other").plain_key

    responses = attack_requests(key_client(other_key), product.manager.external_id, product)
    listing = key_client(other_key).get(f"/api/inventory/products?manager_id={product.manager.external_id}")

    assert [r.status_code for r in [*responses, listing]] == [403, 403, 403, 403]
    assert {r.json()["error"]["code"] for r in [*responses, listing]} == {"PERMISSION_DENIED"}
    assert_untouched(product)


@pytest.mark.django_db
@pytest.mark.usefixtures("api_key_mode")
@pytest.mark.parametrize("header", ["bearer", "x-api-key"])
def test_own_key_uses_all_four_endpoints_with_unchanged_shapes(header):
    key = manager_api_key_create(manager_external_id="mgr_123").plain_key
    client = key_client(key, header=header)

    created = send(
        client,
        "post",
        "/api/inventory/products",
        {
            "manager_id": "mgr_123",
            "products": [{"name": "Premium Coffee Beans", "price": 15.99, "quantity": 100}],
        },
    )
    product_id = created.json()["products"][0]["id"]
    listed = client.get("/api/inventory/products?status=in_stock&manager_id=mgr_123")
    processed = send(
        client,
        "post",
        "/api/orders/process",
        {
            "manager_id": "mgr_123",
            "customer": {"id": "cust_456", "email": "customer@example.com"},
            "products": [{"product_id": product_id, "quantity": 2}],
        },
    )
    discontinued = send(
        client, "post", "/api/inventory/discontinue", {"manager_id": "mgr_123", "product_id": product_id}
    )

    assert created.status_code == 201
    assert created.json() == {
        "products": [{"id": product_id, "name": "Premium Coffee Beans", "price": 15.99, "quantity": 100}]
    }
    assert listed.status_code == 200
    assert listed.json() == created.json()
    assert processed.status_code == 200
    assert set(processed.json()) == {"order_id", "status", "total_amount"}
    assert processed.json()["total_amount"] == 31.98
    assert (discontinued.status_code, discontinued.content) == (204, b"")
    prefix = ManagerApiKey.objects.get().prefix
    assert set(AuditEvent.objects.values_list("api_key_prefix", flat=True)) == {prefix}


@pytest.mark.django_db
@pytest.mark.usefixtures("api_key_mode")
def test_manager_id_stays_required_with_a_key():
    key = manager_api_key_create(manager_external_id="mgr_123").plain_key

    listed = key_client(key).get("/api/inventory/products")
    upsert = send(
        key_client(key),
        "post",
        "/api/inventory/products",
        {"products": [{"name": "A", "price": 1, "quantity": 1}]},
    )

    for response in (listed, upsert):
        assert response.status_code == 400
        assert "manager_id" in response.json()["error"]["details"]
    assert not Product.objects.exists()


@pytest.mark.django_db
@pytest.mark.usefixtures("api_key_mode")
@pytest.mark.parametrize(
    ("credentials", "code"),
    [
        ({}, "AUTHENTICATION_REQUIRED"),
        ({"HTTP_AUTHORIZATION": "Bearer mk_live_0123456789ab_" + "x" * 43}, "TOKEN_INVALID"),
        ({"HTTP_X_API_KEY": "not-a-key"}, "TOKEN_INVALID"),
        ({"HTTP_AUTHORIZATION": "Basic dXNlcjpwYXNz"}, "TOKEN_INVALID"),
        ({"HTTP_AUTHORIZATION": "Bearer"}, "TOKEN_INVALID"),
    ],
    ids=["none", "unknown-key", "garbage", "basic-auth", "empty-bearer"],
)
def test_missing_or_wrong_key_is_401(credentials, code):
    manager_api_key_create(manager_external_id="mgr_123")
    client = APIClient()
    client.credentials(**credentials)

    response = client.get("/api/inventory/products?manager_id=mgr_123")

    assert response.status_code == 401
    assert response.json()["error"]["code"] == code
    assert response["WWW-Authenticate"] == 'Bearer realm="inventory"'


@pytest.mark.django_db
@pytest.mark.usefixtures("api_key_mode")
def test_a_jwt_of_the_linked_manager_user_is_not_a_key(auth_client):
    manager_user = ManagerUserFactory()

    response = auth_client(manager_user).get(
        f"/api/inventory/products?manager_id={manager_user.store_manager.external_id}"
    )

    assert response.status_code == 401
    assert response.json()["error"]["code"] == "TOKEN_INVALID"


@pytest.mark.django_db
@pytest.mark.usefixtures("api_key_mode")
def test_key_with_a_wrong_secret_is_401():
    key = manager_api_key_create(manager_external_id="mgr_123").plain_key
    forged = key[:-1] + ("A" if key[-1] != "A" else "B")  # right prefix, wrong secret

    assert key_client(forged).get("/api/inventory/products?manager_id=mgr_123").status_code == 401
    assert key_client(key).get("/api/inventory/products?manager_id=mgr_123").status_code == 200


@pytest.mark.django_db
@pytest.mark.usefixtures("api_key_mode")
def test_two_different_keys_in_the_two_headers_are_401():
    key_a = manager_api_key_create(manager_external_id="mgr_a").plain_key
    key_b = manager_api_key_create(manager_external_id="mgr_b").plain_key
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key_a}", HTTP_X_API_KEY=key_b)

    response = client.get("/api/inventory/products?manager_id=mgr_a")

    assert response.status_code == 401
    assert response.json()["error"]["code"] == "TOKEN_INVALID"


@pytest.mark.django_db
@pytest.mark.usefixtures("api_key_mode")
def test_revoked_key_is_401_on_the_next_request():
    issued = manager_api_key_create(manager_external_id="mgr_123")
    client = key_client(issued.plain_key)
    assert client.get("/api/inventory/products?manager_id=mgr_123").status_code == 200

    manager_api_key_revoke(prefix=issued.api_key.prefix)
    response = client.get("/api/inventory/products?manager_id=mgr_123")

    assert response.status_code == 401
    assert response.json()["error"]["code"] == "TOKEN_INVALID"


@pytest.mark.django_db
def test_trusted_mode_ignores_keys_and_token_mode_refuses_them(settings):
    key = manager_api_key_create(manager_external_id="mgr_123").plain_key
    assert key_client(key).get("/api/inventory/products?manager_id=mgr_other").status_code == 200  # trusted

    settings.INVENTORY_ACCESS_MODE = "token"
    response = key_client(key).get("/api/inventory/products?manager_id=mgr_123")

    assert response.status_code == 401
    assert response.json()["error"]["code"] == "TOKEN_INVALID"


@pytest.mark.django_db
@pytest.mark.usefixtures("api_key_mode")
def test_unknown_mode_value_fails_closed(settings):
    settings.INVENTORY_ACCESS_MODE = "Trusted "

    response = APIClient().get("/api/inventory/products?manager_id=mgr_123")

    assert response.status_code == 401


# --- keys: storage, last use -----------------------------------------------------------


@pytest.mark.django_db
def test_issued_key_is_stored_only_as_its_sha256():
    issued = manager_api_key_create(manager_external_id="mgr_new", name="warehouse sync")

    row = ManagerApiKey.objects.get()
    assert issued.plain_key.startswith(f"{row.prefix}_") and row.prefix.startswith(KEY_PREFIX)
    assert len(row.prefix) == len(KEY_PREFIX) + 12
    assert row.key_hash == hashlib.sha256(issued.plain_key.encode()).hexdigest()
    secret = issued.plain_key.removeprefix(f"{row.prefix}_")
    assert len(secret) >= 43
    stored = [str(value) for value in ManagerApiKey.objects.values_list(flat=False).get()]
    assert not any(secret in value for value in stored)
    assert StoreManager.objects.get().external_id == "mgr_new"  # created on first key
    assert row.name == "warehouse sync" and row.last_used_at is None and row.revoked_at is None


@pytest.mark.django_db
def test_two_keys_differ_and_both_work(settings):
    settings.INVENTORY_ACCESS_MODE = "api_key"
    first = manager_api_key_create(manager_external_id="mgr_123").plain_key
    second = manager_api_key_create(manager_external_id="mgr_123").plain_key

    assert first != second
    assert first[:20] != second[:20]
    for key in (first, second):
        assert key_client(key).get("/api/inventory/products?manager_id=mgr_123").status_code == 200


@pytest.mark.django_db
def test_malformed_manager_id_gets_no_key():
    with pytest.raises(InvalidRequest):
        manager_api_key_create(manager_external_id="mgr 1\n")
    assert not StoreManager.objects.exists()


@pytest.mark.django_db
@pytest.mark.usefixtures("api_key_mode")
def test_last_used_is_written_at_most_once_a_minute():
    issued = manager_api_key_create(manager_external_id="mgr_123")
    client = key_client(issued.plain_key)

    client.get("/api/inventory/products?manager_id=mgr_123")
    first_use = ManagerApiKey.objects.get().last_used_at
    client.get("/api/inventory/products?manager_id=mgr_123")
    assert ManagerApiKey.objects.get().last_used_at == first_use  # no second write within the minute

    ManagerApiKey.objects.update(last_used_at=timezone.now() - timedelta(minutes=2))
    client.get("/api/inventory/products?manager_id=mgr_123")

    assert first_use is not None
    assert ManagerApiKey.objects.get().last_used_at > timezone.now() - timedelta(seconds=30)


@pytest.mark.django_db
@pytest.mark.usefixtures("api_key_mode")
def test_a_request_with_a_recently_used_key_costs_one_key_query(django_assert_max_num_queries):
    key = manager_api_key_create(manager_external_id="mgr_123").plain_key
    client = key_client(key)
    client.get("/api/inventory/products?manager_id=mgr_123")  # sets last_used_at, warms the cache

    # key lookup (with its manager) + the audit row (SAVEPOINT, INSERT, RELEASE); the list is cached
    with django_assert_max_num_queries(4):
        assert client.get("/api/inventory/products?manager_id=mgr_123").status_code == 200


# --- operator command ----------------------------------------------------------------------


@pytest.mark.django_db
def test_inventory_key_command_creates_lists_and_revokes(settings):
    settings.INVENTORY_ACCESS_MODE = "api_key"
    out, err = StringIO(), StringIO()

    call_command("inventory_key", "create", "mgr_cli", "--name", "till 1", stdout=out, stderr=err)
    key = out.getvalue().strip()
    prefix = ManagerApiKey.objects.get().prefix
    assert key.startswith(f"{prefix}_") and "shown only now" in err.getvalue()
    assert key_client(key).get("/api/inventory/products?manager_id=mgr_cli").status_code == 200

    listing = StringIO()
    call_command("inventory_key", "list", stdout=listing)
    assert prefix in listing.getvalue() and "active" in listing.getvalue() and key not in listing.getvalue()

    revoked = StringIO()
    call_command("inventory_key", "revoke", prefix, stdout=revoked)
    assert f"Revoked {prefix}" in revoked.getvalue()
    assert key_client(key).get("/api/inventory/products?manager_id=mgr_cli").status_code == 401


@pytest.mark.django_db
def test_inventory_key_command_refuses_bad_input():
    StoreManagerFactory(external_id="mgr_known")
    with pytest.raises(CommandError, match="manager_id"):
        call_command("inventory_key", "create", "bad id", stdout=StringIO(), stderr=StringIO())
    with pytest.raises(CommandError, match="No API key"):
        call_command("inventory_key", "revoke", "mk_live_000000000000", stdout=StringIO())
    assert not ManagerApiKey.objects.exists()


# --- admin ---------------------------------------------------------------------------------


@pytest.fixture
def admin_browser(admin_user) -> Client:
    client = Client()
    client.force_login(admin_user)
    return client


@pytest.mark.django_db
def test_admin_issues_a_key_and_shows_it_once(admin_browser, settings):
    settings.INVENTORY_ACCESS_MODE = "api_key"
    manager = StoreManagerFactory(external_id="mgr_admin")
    form = admin_browser.get("/admin/inventory/managerapikey/add/")
    assert form.status_code == 200 and 'name="manager"' in form.content.decode()

    response = admin_browser.post(
        "/admin/inventory/managerapikey/add/", {"manager": manager.pk, "name": "shop tool"}
    )

    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    row = ManagerApiKey.objects.get()
    page = response.content.decode()
    start = page.index(f'value="{row.prefix}_') + len('value="')
    key = page[start : page.index('"', start)]
    assert hashlib.sha256(key.encode()).hexdigest() == row.key_hash
    assert (row.manager, row.name) == (manager, "shop tool")
    assert key_client(key).get("/api/inventory/products?manager_id=mgr_admin").status_code == 200
    change_page = admin_browser.get(f"/admin/inventory/managerapikey/{row.pk}/change/").content.decode()
    listing = admin_browser.get("/admin/inventory/managerapikey/").content.decode()
    manager_page = admin_browser.get(f"/admin/accounts/storemanager/{manager.pk}/change/").content.decode()
    assert row.prefix in change_page and row.prefix in listing and row.prefix in manager_page
    assert key not in change_page + listing + manager_page  # never shown again


@pytest.mark.django_db
def test_admin_revoke_action_and_no_delete(admin_browser, settings):
    settings.INVENTORY_ACCESS_MODE = "api_key"
    issued = manager_api_key_create(manager_external_id="mgr_admin")
    kept = manager_api_key_create(manager_external_id="mgr_admin")

    response = admin_browser.post(
        "/admin/inventory/managerapikey/",
        {"action": "revoke_keys", "_selected_action": [issued.api_key.pk]},
    )

    assert response.status_code == 302
    issued.api_key.refresh_from_db()
    kept.api_key.refresh_from_db()
    assert issued.api_key.revoked_at is not None and kept.api_key.revoked_at is None
    assert key_client(issued.plain_key).get("/api/inventory/products?manager_id=mgr_admin").status_code == 401
    assert key_client(kept.plain_key).get("/api/inventory/products?manager_id=mgr_admin").status_code == 200
    assert admin_browser.get(f"/admin/inventory/managerapikey/{issued.api_key.pk}/delete/").status_code == 403
