"""Rate limit, audit log (+ admin), request log context and the cached listing."""

from __future__ import annotations

import logging
from decimal import Decimal

import pytest
from django.db import DatabaseError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from catalog.cache import catalog_changed
from catalog.models import Product
from inventory.models import AuditEvent
from orders.models import OrderChannel
from orders.services import order_create_with_stock
from tests.factories import AuditEventFactory, ManagedProductFactory, StoreManagerFactory
from tests.helpers.inventory import send
from tests.helpers.ratelimit import fresh_rate_window

LIST = "/api/inventory/products?manager_id=mgr_rl"


@pytest.fixture
def small_limit(settings):
    settings.INVENTORY_RATE_LIMIT = 3
    settings.INVENTORY_RATE_WINDOW = 60
    fresh_rate_window(60)


@pytest.mark.django_db
@pytest.mark.usefixtures("small_limit")
def test_limit_counts_across_all_four_endpoints_per_manager(api_client):
    responses = [
        api_client.get(LIST),
        send(api_client, "post", "/api/inventory/discontinue", {"manager_id": "mgr_rl", "product_id": "x"}),
        send(api_client, "post", "/api/orders/process", {"manager_id": "mgr_rl"}),
        send(api_client, "post", "/api/inventory/products", {"manager_id": "mgr_rl", "products": []}),
    ]

    assert [r.status_code for r in responses] == [200, 404, 400, 429]
    limited = responses[-1]
    assert limited.json()["error"]["code"] == "RATE_LIMITED"
    assert 1 <= int(limited["Retry-After"]) <= 60
    assert api_client.get("/api/inventory/products?manager_id=mgr_other").status_code == 200


@pytest.mark.django_db
@pytest.mark.usefixtures("small_limit")
def test_429_is_checked_first_and_audited(api_client):
    for _ in range(3):
        api_client.get(LIST)

    invalid = api_client.get("/api/inventory/products?manager_id=mgr_rl&status=bogus")

    assert invalid.status_code == 429  # before validation
    event = AuditEvent.objects.order_by("-id").first()
    assert (event.status_code, event.error_code, event.manager_external_id) == (429, "RATE_LIMITED", "mgr_rl")


@pytest.mark.django_db
@pytest.mark.usefixtures("small_limit")
def test_without_readable_manager_id_the_limit_is_per_ip(api_client):
    statuses = [
        api_client.get("/api/inventory/products").status_code,
        api_client.post("/api/inventory/products", "{broken", content_type="application/json").status_code,
        send(api_client, "post", "/api/orders/process", {"manager_id": "bad id"}).status_code,
        api_client.get("/api/inventory/products", REMOTE_ADDR="10.0.0.9").status_code,
        api_client.get("/api/inventory/products").status_code,
        api_client.get(LIST).status_code,
    ]

    assert statuses == [400, 400, 400, 400, 429, 200]


@pytest.mark.django_db
def test_every_request_is_audited_without_bodies(api_client):
    secret = "Bearer super-secret-token"
    api_client.credentials(HTTP_AUTHORIZATION=secret)

    api_client.get(LIST, HTTP_X_REQUEST_ID="req-123")
    api_client.post("/api/inventory/products", "{broken", content_type="application/json")
    api_client.delete("/api/orders/process")

    events = list(AuditEvent.objects.order_by("id"))
    assert [(e.method, e.path, e.status_code, e.error_code) for e in events] == [
        ("GET", "/api/inventory/products", 200, ""),
        ("POST", "/api/inventory/products", 400, "INVALID_REQUEST"),
        ("DELETE", "/api/orders/process", 405, "METHOD_NOT_ALLOWED"),
    ]
    first = events[0]
    assert (first.request_id, first.manager_external_id, first.client_ip) == (
        "req-123",
        "mgr_rl",
        "127.0.0.1",
    )
    assert first.duration_ms >= 0
    assert all("secret" not in str(e.__dict__) for e in events)


@pytest.mark.django_db
def test_audit_failure_never_breaks_the_request(api_client, monkeypatch, caplog):
    def broken_save(*args, **kwargs):
        raise DatabaseError("audit table unavailable")

    monkeypatch.setattr(AuditEvent, "save", broken_save)

    with caplog.at_level(logging.ERROR, logger="ecommerce.inventory"):
        response = send(
            api_client,
            "post",
            "/api/inventory/products",
            {"manager_id": "mgr_a", "products": [{"name": "A", "price": 1, "quantity": 1}]},
        )

    assert response.status_code == 201
    assert Product.objects.filter(name="A").exists()
    assert any("audit event could not be written" in r.getMessage() for r in caplog.records)


@pytest.mark.django_db
def test_audit_stores_only_a_valid_client_ip(api_client):
    api_client.get(LIST, REMOTE_ADDR="not-an-ip")

    assert AuditEvent.objects.get().client_ip is None


@pytest.mark.django_db
def test_request_log_line_carries_the_manager_id(api_client, caplog):
    with caplog.at_level(logging.INFO, logger="ecommerce.request"):
        api_client.get(LIST)

    (record,) = [r for r in caplog.records if r.name == "ecommerce.request"]
    assert (record.manager_id, record.status, record.path) == ("mgr_rl", 200, "/api/inventory/products")


@pytest.mark.django_db
def test_admin_lists_filters_and_is_read_only(client, admin_user):
    event = AuditEventFactory(manager_external_id="mgr_adm", status_code=404, changes=[{"product_id": "p"}])
    AuditEventFactory(manager_external_id="mgr_else")
    client.force_login(admin_user)
    changelist = reverse("admin:inventory_auditevent_changelist")

    filtered = client.get(changelist, {"manager_external_id": "mgr_adm", "status_code__exact": "404"})
    by_path = client.get(
        changelist, {"path": "/api/inventory/products", "created_at__gte": "2000-01-01 00:00:00+00:00"}
    )
    detail = client.get(reverse("admin:inventory_auditevent_change", args=[event.pk]))
    add = client.get(reverse("admin:inventory_auditevent_add"))
    delete = client.post(reverse("admin:inventory_auditevent_delete", args=[event.pk]), {"post": "yes"})
    managers = client.get(reverse("admin:accounts_storemanager_changelist"))

    assert filtered.status_code == 200
    assert list(filtered.context["cl"].result_list) == [event]
    assert by_path.status_code == 200
    assert detail.status_code == 200
    assert b"&quot;product_id&quot;: &quot;p&quot;" in detail.content
    assert add.status_code == 403
    assert delete.status_code == 403
    assert AuditEvent.objects.filter(pk=event.pk).exists()
    assert managers.status_code == 200
    assert str(event) == "GET /api/inventory/products 404 (mgr_adm)"


# --- cache ---------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_listing_is_cached_and_invalidated_by_a_shop_checkout(api_client):
    manager = StoreManagerFactory(external_id="mgr_rl")
    product = ManagedProductFactory(manager=manager, price=Decimal("1.00"), quantity=5)
    assert api_client.get(LIST).json()["products"][0]["quantity"] == 5

    with CaptureQueriesContext(connection) as queries:
        assert api_client.get(LIST).json()["products"][0]["quantity"] == 5
    # only the audit row is written: the listing comes from the cache
    assert queries.captured_queries
    assert not [q for q in queries.captured_queries if "catalog_product" in q["sql"]]

    with transaction.atomic():
        order_create_with_stock(channel=OrderChannel.SHOP, quantities={product.public_id: 2})

    assert api_client.get(LIST).json()["products"][0]["quantity"] == 3


@pytest.mark.django_db(transaction=True)
def test_listing_is_invalidated_by_any_product_write_such_as_an_admin_edit(api_client):
    manager = StoreManagerFactory(external_id="mgr_rl")
    product = ManagedProductFactory(manager=manager, price=Decimal("1.00"), quantity=5)
    assert api_client.get(LIST).json()["products"][0]["price"] == 1.0

    with transaction.atomic():  # what the admin's product save does
        Product.objects.filter(pk=product.pk).update(price=Decimal("2.25"))
        catalog_changed()

    assert api_client.get(LIST).json()["products"][0]["price"] == 2.25
    assert api_client.get(f"{LIST}&status=in_stock").json()["products"][0]["price"] == 2.25
