"""Order writes, by sub-domain:

- :mod:`.creation`: ``order_create_with_stock``, the one path by which any order is created;
- :mod:`.checkout`: the shop checkout (``order_place``, three phases) and finishing checkouts
  that died (``orders_pending_reconcile``);
- :mod:`.lifecycle`: status changes and the state machine (``order_transition``), cancellation;
- :mod:`.retention`: account deletion's anonymisation, the idempotency keys' purge.

The public names are re-exported here, so callers keep ``from orders.services import …``.
"""

from .checkout import (
    PaymentDetails,
    ReconcileReport,
    checkout_complete,
    order_place,
    orders_pending_reconcile,
)
from .creation import order_create, order_create_with_stock
from .lifecycle import order_transition
from .record import OrderRecord
from .retention import (
    idempotency_keys_purge,
    order_anonymise_for_user,
    order_anonymise_for_user_receiver,
)

__all__ = [
    "OrderRecord",
    "PaymentDetails",
    "ReconcileReport",
    "checkout_complete",
    "idempotency_keys_purge",
    "order_anonymise_for_user",
    "order_anonymise_for_user_receiver",
    "order_create",
    "order_create_with_stock",
    "order_place",
    "order_transition",
    "orders_pending_reconcile",
]
