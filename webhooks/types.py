"""The event types an endpoint may subscribe to, and the shape of an event this app receives.

``EVENT_TYPES`` is the contract's list (docs/webhooks.md). The outbox (``ecommerce.events``) owns
the canonical tuple (``ecommerce.events.types.EVENT_TYPES``); until that app is merged, this
module holds the same tuple (the merger points ``EVENT_TYPES`` at the outbox's).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Protocol

EVENT_TYPES: tuple[str, ...] = (
    "order.created",
    "order.paid",
    "order.cancelled",
    "order.shipped",
    "order.delivered",
    "order.refunded",
    "product.created",
    "product.updated",
    "product.discontinued",
    "stock.low",
    "stock.out",
    "stock.back_in",
    "customer.created",
    "ping",
)
ALL_EVENTS = "*"
PING = "ping"


class EventLike(Protocol):
    """What the webhook handler reads of an outbox event (``ecommerce.events.registry.Event``)."""

    @property
    def id(self) -> str: ...

    @property
    def type(self) -> str: ...

    @property
    def version(self) -> int: ...

    @property
    def occurred_at(self) -> datetime: ...

    @property
    def data(self) -> dict[str, Any]: ...
