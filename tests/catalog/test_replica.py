"""Catalog reads from a read replica (ecommerce/common/replica.py, docs/scaling.md).

The "replica" alias of the test settings is a second, separate database: each test writes
different rows to it and to the primary, so every answer shows which one it came from.
Transactional tests: a read inside a transaction stays on the primary by design, and the
ordinary test transaction would count as one.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.cache import cache
from django.db import transaction
from django.test import override_settings

from catalog import selectors
from catalog.models import Category, Product
from ecommerce.common.replica import PIN_KEY, catalog_read_db, replica_reads_allowed
from tests.helpers.caches import REDIS_DOWN

pytestmark = pytest.mark.django_db(transaction=True, databases=["default", "replica"])

ROUTING = override_settings(
    DATABASE_ROUTERS=["ecommerce.common.replica.ReplicaRouter"],
    CATALOG_READ_DATABASE="replica",
    DATABASE_REPLICA_PIN_SECONDS=60,
)


def _product(db: str, name: str, category: Category | None = None) -> Product:
    product = Product.objects.using(db).create(
        name=name, slug=name.lower().replace(" ", "-"), description="", price=Decimal("5.00"), quantity=3
    )
    if category is not None:
        product.categories.add(category)
    return product


@pytest.fixture
def two_databases() -> dict[str, Product]:
    """One product only on the primary, another only on the replica (with its own category)."""
    category = Category.objects.using("replica").create(name="Replica Shelf", slug="replica-shelf")
    return {
        "primary": _product("default", "Primary Only"),
        "replica": _product("replica", "Replica Only", category),
    }


def _names(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [item["name"] for item in response.json()["results"]]


def test_without_a_replica_every_catalog_read_is_on_the_primary(api_client, two_databases):
    assert _names(api_client.get("/api/products/")) == ["Primary Only"]
    assert api_client.get(f"/api/products/{two_databases['replica'].public_id}/").status_code == 404
    with replica_reads_allowed():
        assert catalog_read_db() == "default"


@ROUTING
def test_safe_requests_read_the_list_detail_and_categories_from_the_replica(api_client, two_databases):
    assert _names(api_client.get("/api/products/")) == ["Replica Only"]
    assert _names(api_client.get("/api/products/?category=replica-shelf")) == ["Replica Only"]
    assert _names(api_client.get("/api/products/?search=replica")) == ["Replica Only"]
    detail = api_client.get(f"/api/products/{two_databases['replica'].public_id}/")
    assert detail.status_code == 200
    assert detail.json()["categories"][0]["slug"] == "replica-shelf"  # the prefetch followed it
    assert api_client.get(f"/api/products/{two_databases['primary'].public_id}/").status_code == 404
    assert [c["slug"] for c in api_client.get("/api/categories/").json()["results"]] == ["replica-shelf"]


@ROUTING
def test_a_write_request_reads_and_answers_from_the_primary(auth_client, admin_user, two_databases):
    client = auth_client(admin_user)
    primary = two_databases["primary"]
    response = client.patch(f"/api/products/{primary.public_id}/", {"name": "Renamed"}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["name"] == "Renamed"
    assert Product.objects.using("default").get(pk=primary.pk).name == "Renamed"
    assert not Product.objects.using("replica").filter(name="Renamed").exists()  # writes never go there


@ROUTING
def test_after_a_catalog_write_reads_stay_on_the_primary_until_the_pin_expires(
    api_client, auth_client, admin_user, two_databases
):
    client = auth_client(admin_user)
    primary = two_databases["primary"]
    assert (
        client.patch(f"/api/products/{primary.public_id}/", {"name": "Fresh"}, format="json").status_code
        == 200
    )
    # Read-your-writes: the next safe read sees the primary, not the lagging replica.
    assert _names(api_client.get("/api/products/")) == ["Fresh"]
    assert api_client.get(f"/api/products/{primary.public_id}/").json()["name"] == "Fresh"
    cache.delete(PIN_KEY)  # the pin expired; the replica caught up (here: never will)
    with replica_reads_allowed():
        assert catalog_read_db() == "replica"


@ROUTING
def test_reads_inside_a_transaction_or_after_a_write_use_the_primary(two_databases):
    with replica_reads_allowed():
        assert [p.name for p in selectors.product_list(filters=selectors.ProductFilters())] == [
            "Replica Only"
        ]
        with transaction.atomic():
            assert catalog_read_db() == "default"
            assert [p.name for p in selectors.product_list(filters=selectors.ProductFilters())] == [
                "Primary Only"
            ]
        assert catalog_read_db() == "replica"
        Category.objects.create(name="Written", slug="written")  # an ORM write in this "request"
        assert catalog_read_db() == "default"
        assert selectors.product_get(public_id=two_databases["primary"].public_id).name == "Primary Only"
    with replica_reads_allowed():  # the next request starts afresh
        assert catalog_read_db() == "replica"


@ROUTING
def test_outside_a_request_and_with_the_cache_down_reads_use_the_primary(two_databases, settings):
    assert catalog_read_db() == "default"  # management commands, tasks: no request scope
    with replica_reads_allowed(False):  # an unsafe method
        assert catalog_read_db() == "default"
    settings.CACHES = REDIS_DOWN  # whether a write is recent cannot be told: the primary
    with replica_reads_allowed():
        assert catalog_read_db() == "default"
