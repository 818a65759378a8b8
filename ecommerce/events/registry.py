"""Subscribers of domain events. Upper layers subscribe in their ``AppConfig.ready()``::

    from ecommerce.events.registry import event_subscribe
    event_subscribe("webhooks", handler, types=None)  # None: every type

A handler receives an :class:`Event` inside the dispatching transaction and MUST be idempotent
(a dispatch may run again after a crash): it only creates rows keyed uniquely by the event id
and enqueues its own tasks on commit (``ecommerce.common.tasks.enqueue_on_commit``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from .types import EVENT_TYPES


@dataclass(frozen=True)
class Event:
    """One domain event as subscribers see it (the outbox row, read-only)."""

    id: str
    type: str
    version: int
    occurred_at: datetime
    data: dict[str, Any]


Handler = Callable[[Event], None]


@dataclass(frozen=True)
class Subscription:
    name: str
    handler: Handler
    types: frozenset[str] | None


_subscriptions: dict[str, Subscription] = {}


def event_subscribe(name: str, handler: Handler, types: Iterable[str] | None = None) -> None:
    """Call ``handler`` for every event of ``types`` (``None``: every type). ``name`` is unique:
    subscribing again under the same name replaces the earlier subscription."""
    wanted = None if types is None else frozenset(types)
    if wanted is not None and (unknown := wanted - set(EVENT_TYPES)):
        raise ValueError(f"Unknown event types: {sorted(unknown)}")
    _subscriptions[name] = Subscription(name=name, handler=handler, types=wanted)


def event_unsubscribe(name: str) -> None:
    """Remove the subscription ``name`` (no error when there is none)."""
    _subscriptions.pop(name, None)


def subscriptions_for(event_type: str) -> list[Subscription]:
    """The subscriptions that want ``event_type``, in the order they were made."""
    return [s for s in _subscriptions.values() if s.types is None or event_type in s.types]
