"""factory-boy factories, one module per app; import from here."""

from .accounts import AdminUserFactory, UserFactory
from .catalog import CategoryFactory, ProductFactory, StoreManagerFactory

__all__ = ["AdminUserFactory", "CategoryFactory", "ProductFactory", "StoreManagerFactory", "UserFactory"]
