"""What an order service hands back: the order with the lines and timeline events it holds."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from catalog.stock import LockedVariant

from ..models import Order, OrderEvent, OrderLine


@dataclass
class OrderRecord:
    """An order with its lines and its timeline events (oldest first), as the service that
    wrote or read them holds them: the response is built from these, with no query.

    Reads of any other attribute go to the order (``record.public_id``, ``record.status``), so
    the order serializer takes a record as it takes an order. ``products`` are the product rows
    as locked when the order took its stock (quantities before the sale), when it did.
    """

    order: Order
    lines: list[OrderLine]
    events: list[OrderEvent]
    products: dict[int, LockedVariant] = field(default_factory=dict)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.order, name)
