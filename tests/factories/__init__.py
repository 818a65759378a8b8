"""factory-boy factories, one module per app; import from here."""

from .accounts import AdminUserFactory, UserFactory
from .catalog import CategoryFactory, ProductFactory, StoreManagerFactory
from .inventory import AuditEventFactory, ManagedProductFactory, ManagerUserFactory

__all__ = [
    "AdminUserFactory",
    "AuditEventFactory",
    "CategoryFactory",
    "ManagedProductFactory",
    "ManagerUserFactory",
    "ProductFactory",
    "StoreManagerFactory",
    "UserFactory",
]
