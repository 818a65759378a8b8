"""factory-boy factories, one module per app; import from here."""

from .accounts import AdminUserFactory, UserFactory
from .catalog import CategoryFactory, ProductFactory, StoreManagerFactory
from .inventory import AuditEventFactory, ManagedProductFactory, ManagerUserFactory
from .orders import OrderFactory, OrderLineFactory

__all__ = [
    "AuditEventFactory",
    "ManagedProductFactory",
    "ManagerUserFactory",
    "AdminUserFactory",
    "CategoryFactory",
    "OrderFactory",
    "OrderLineFactory",
    "ProductFactory",
    "StoreManagerFactory",
    "UserFactory",
]
