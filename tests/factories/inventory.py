"""Factories for the inventory API: managers' products, manager users, audit events."""

from decimal import Decimal

import factory

from accounts.models import Role, StoreManager
from catalog.models import Product
from inventory.models import AuditEvent

from .accounts import UserFactory
from .catalog import product_with_default_variant


class ManagerUserFactory(UserFactory):
    """A user with role ``manager`` linked to a store manager (token access mode)."""

    class Meta:
        skip_postgeneration_save = True

    role = Role.MANAGER
    store_manager = factory.RelatedFactory(
        "tests.factories.inventory.LinkedStoreManagerFactory", factory_related_name="user"
    )


class LinkedStoreManagerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StoreManager

    external_id = factory.Sequence(lambda n: f"mgr_linked_{n}")


class ManagedProductFactory(factory.django.DjangoModelFactory):
    """A product owned by a store manager (as created through the inventory API)."""

    class Meta:
        model = Product

    name = factory.Sequence(lambda n: f"Managed product {n}")
    slug = factory.Sequence(lambda n: f"managed-product-{n}")
    price = Decimal("15.99")
    quantity = 10  # the default variant's (see _create)

    @classmethod
    def _create(cls, model_class: type[Product], *args: object, **kwargs: object) -> Product:
        """The product and its default variant (no options) with ``quantity`` units, written
        directly as fixtures (no ledger rows), as a product row with its quantity was before."""
        return product_with_default_variant(model_class, **kwargs)

    manager = factory.SubFactory("tests.factories.catalog.StoreManagerFactory")


class AuditEventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AuditEvent

    request_id = factory.Sequence(lambda n: f"req{n}")
    manager_external_id = "mgr_123"
    client_ip = "127.0.0.1"
    method = "GET"
    path = "/api/inventory/products"
    status_code = 200
    duration_ms = 1.5
