"""factory-boy factories, one module per app; import from here."""

from .accounts import AdminUserFactory, UserFactory
from .catalog import CategoryFactory, ProductFactory, StoreManagerFactory
from .inventory import AuditEventFactory, ManagedProductFactory, ManagerUserFactory
from .orders import Breakdown, OrderFactory, OrderLineFactory, promotion, voucher

__all__ = [
    "AuditEventFactory",
    "ManagedProductFactory",
    "ManagerUserFactory",
    "AdminUserFactory",
    "Breakdown",
    "CategoryFactory",
    "OrderFactory",
    "OrderLineFactory",
    "ProductFactory",
    "StoreManagerFactory",
    "UserFactory",
    "promotion",
    "voucher",
]
