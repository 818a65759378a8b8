"""The order's domain events (``ecommerce.events``): written in the transaction of the change.

``data`` is the order exactly as ``GET /api/orders/{id}/`` shows it to an admin (the API's own
serializer and JSON renderer), as it was when the event happened. Types: ``order.created`` (every
new order, either channel), ``order.paid``, ``order.shipped``, ``order.delivered``,
``order.cancelled`` (status changes), ``order.refunded`` (a refund the gateway accepted). An order
created already paid (the inventory API's processed order) publishes ``order.created`` and
``order.paid`` together; ``payment_failed`` has no event type in the contract and publishes
nothing. Schemas and examples: docs/events.md.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from ecommerce.events.outbox import events_publish

from .api.serializers import order_representation
from .models import Order, OrderEvent, OrderLine, OrderStatus
from .services.record import OrderRecord

STATUS_EVENT_TYPES: dict[str, str] = {
    OrderStatus.PAID: "order.paid",
    OrderStatus.SHIPPED: "order.shipped",
    OrderStatus.DELIVERED: "order.delivered",
    OrderStatus.CANCELLED: "order.cancelled",
}


def order_event_data(
    order: Order, lines: Sequence[OrderLine], events: Sequence[OrderEvent]
) -> dict[str, Any]:
    """The order as the API shows it to an admin (``OrderSerializer``'s output, before JSON)."""
    record = OrderRecord(order=order, lines=list(lines), events=list(events))
    # encoded once, when the outbox row is inserted (decimals as numbers, as the API renders them)
    return order_representation(record)


def order_events_publish(
    event_types: Iterable[str],
    order: Order,
    *,
    lines: Sequence[OrderLine] | None = None,
    events: Sequence[OrderEvent] | None = None,
) -> list[str]:
    """Publish ``event_types`` about ``order`` (in the caller's transaction); the lines and the
    timeline are read when the caller does not hold them."""
    types = list(event_types)
    if not types:
        return []
    if lines is None:
        lines = list(order.lines.order_by("id"))
    if events is None:
        events = list(order.events.order_by("created_at", "id"))
    data = order_event_data(order, lines, events)
    return events_publish((event_type, data) for event_type in types)
