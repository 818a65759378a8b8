"""The event types of the contract (``../shared/api-contract.md``, "Webhooks"), in one place.
Payload schemas and examples: docs/events.md."""

from __future__ import annotations

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

# The payload schema version each type is written with (``OutboxEvent.version``). Bump a type's
# version when its ``data`` changes incompatibly, and document both in docs/events.md.
EVENT_VERSIONS: dict[str, int] = dict.fromkeys(EVENT_TYPES, 1)
