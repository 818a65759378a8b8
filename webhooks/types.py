"""The event types an endpoint may subscribe to: the outbox's catalogue
(``ecommerce.events.types.EVENT_TYPES``, documented in docs/events.md and docs/webhooks.md),
or ``*`` for every type."""

from __future__ import annotations

from ecommerce.events.types import EVENT_TYPES

__all__ = ["ALL_EVENTS", "EVENT_TYPES", "PING"]

ALL_EVENTS = "*"
PING = "ping"
