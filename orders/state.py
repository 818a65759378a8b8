"""The order state machine: the only place that knows which status changes are allowed.

pending ──▶ paid ──▶ shipped ──▶ delivered
   │  │        │
   │  └────────┴──▶ cancelled      (from pending or paid: stock returned, payment refunded)
   └──▶ payment_failed             (system only: the gateway declined or failed)
"""

from __future__ import annotations

from .exceptions import InvalidState
from .models import OrderStatus

S = OrderStatus

TRANSITIONS: dict[str, frozenset[str]] = {
    S.PENDING: frozenset({S.PAID, S.CANCELLED, S.PAYMENT_FAILED}),
    S.PAID: frozenset({S.SHIPPED, S.CANCELLED}),
    S.SHIPPED: frozenset({S.DELIVERED}),
    S.DELIVERED: frozenset(),
    S.CANCELLED: frozenset(),
    S.PAYMENT_FAILED: frozenset(),
}

# Moves a person (admin or customer) may ask for; payment_failed is set by checkout only.
MANUAL_TARGETS = frozenset({S.PAID, S.SHIPPED, S.DELIVERED, S.CANCELLED})


def transition_check(current: str, target: str, *, manual: bool = True) -> None:
    """Raise :class:`InvalidState` (409) unless ``current → target`` is allowed."""
    if (manual and target not in MANUAL_TARGETS) or target not in TRANSITIONS.get(current, frozenset()):
        raise InvalidState(
            f"An order that is {current} cannot become {target}.",
            details={"status": f"not allowed from {current}"},
        )


def transitions_allowed(current: str, *, manual: bool = True) -> list[str]:
    """The statuses an order in ``current`` may move to, in the order of the diagram above
    (with ``manual``, only those a person may ask for: what the admin offers as buttons)."""
    return [
        target
        for target in OrderStatus.values
        if target in TRANSITIONS.get(current, frozenset()) and (not manual or target in MANUAL_TARGETS)
    ]
