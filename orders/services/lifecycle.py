"""An order's life after creation: status changes (one conditional ``UPDATE``, the timeline row,
the rollups hook), the admin/customer state machine, cancellation with its stock and refund."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from accounts.permissions import is_admin
from catalog.stock import stock_release
from discounts.services import voucher_uses_release
from ecommerce.common.db import retry_on_conflict

from ..exceptions import (
    OrderNotFound,
)
from ..models import Order, OrderEvent, OrderLine, OrderStatus
from ..outbox import STATUS_EVENT_TYPES, order_events_publish
from ..payments import (
    payment_gateway_get,
)
from ..queries import order_events_insert, order_status_update
from ..signals import order_status_changed
from ..state import transition_check
from .record import OrderRecord

logger = logging.getLogger(__name__)


def line_quantities_by_variant(pairs: Iterable[tuple[int, int]]) -> dict[int, int]:
    """``{variant pk: total quantity}`` from ``(variant_id, quantity)`` pairs of order lines."""
    quantities: dict[int, int] = {}
    for variant_id, quantity in pairs:
        quantities[variant_id] = quantities.get(variant_id, 0) + quantity
    return quantities


# --- Lifecycle -----------------------------------------------------------------------------------


def order_status_set(
    order: Order,
    to_status: str,
    *,
    from_status: str | None = None,
    actor: User | None = None,
    actor_label: str = "",
    note: str = "",
    lines: Iterable[OrderLine] | None = None,
    payment_reference: str | None = None,
    events: list[OrderEvent] | None = None,
) -> OrderEvent | None:
    """Record a status change, in the caller's transaction: the order row (one conditional
    ``UPDATE`` from ``from_status``, default ``order.status``), the timeline row and the
    analytics rollups, and the outbox event (``orders.outbox``; the customer's email follows it).
    The caller has checked the transition. Returns the timeline row written, or
    None, changing nothing,
    when the order is no longer in ``from_status`` (a caller that locked the row never sees
    that). ``lines``, when the caller holds them, spare the rollups reading them again; ``events``,
    the timeline before this change, spares the outbox event reading it (the new row is
    appended to the list)."""
    previous = from_status or order.status
    reference = order.payment_reference if payment_reference is None else payment_reference
    now = timezone.now()
    changed = order_status_update(
        order_id=order.pk, from_status=previous, to_status=to_status, payment_reference=reference, at=now
    )
    if not changed:
        return None
    order.status, order.payment_reference, order.updated_at = to_status, reference, now
    event = order_event_write(
        order,
        from_status=previous,
        to_status=to_status,
        actor=actor,
        actor_label=actor_label,
        note=note,
        at=now,
    )
    order_status_changed.send(
        sender=Order, order=order, from_status=previous, to_status=to_status, lines=lines
    )
    if events is not None:
        events.append(event)
    if event_type := STATUS_EVENT_TYPES.get(to_status):  # the outbox row, in this transaction
        order_events_publish([event_type], order, lines=None if lines is None else list(lines), events=events)
    return event


def order_event_write(
    order: Order,
    *,
    from_status: str,
    to_status: str,
    actor: User | None = None,
    actor_label: str = "",
    note: str = "",
    at: datetime | None = None,
) -> OrderEvent:
    """Write one :class:`OrderEvent` (timeline row) of ``order``, at ``at`` (default now), and
    return it."""
    event = OrderEvent(
        order=order,
        from_status=from_status,
        to_status=to_status,
        actor=actor,
        actor_label=actor_label,
        note=note,
        created_at=at or timezone.now(),
    )
    order_events_insert([event])
    return event


def order_transition(
    *, order_public_id: str, to_status: str, actor: User | None, note: str = ""
) -> OrderRecord:
    """Move an order along the state machine (``orders.state``); 409 ``INVALID_STATE`` otherwise.

    A customer (``actor`` who is not an admin) moves only their own orders: another's is 404
    ``ORDER_NOT_FOUND``, as when reading it. Cancelling returns the stock in the same
    transaction; a paid order's payment is refunded through the gateway after commit (a failed
    refund is logged and recorded on the timeline). The customer is emailed about the change
    after commit. The order is read once, under its lock, with its lines; returns it with its
    lines and timeline (read once, after the refund).
    """
    order, lines, events, previous = retry_on_conflict(
        lambda: _order_transition_once(
            order_public_id=order_public_id, to_status=to_status, actor=actor, note=note
        )
    )
    if to_status == OrderStatus.CANCELLED and previous == OrderStatus.PAID and order.payment_reference:
        order_refund(order, lines=lines, events=events)
    return OrderRecord(order=order, lines=lines, events=events)


def _order_transition_once(
    *, order_public_id: str, to_status: str, actor: User | None, note: str
) -> tuple[Order, list[OrderLine], list[OrderEvent], str]:
    with transaction.atomic(durable=True):
        orders = Order.objects.select_for_update().filter(public_id=order_public_id)
        if actor is not None and not is_admin(actor):
            orders = orders.filter(user=actor)
        order = orders.first()
        if order is None:
            raise OrderNotFound()
        previous = order.status
        transition_check(previous, to_status)
        lines = list(order.lines.order_by("id"))
        events = list(order.events.order_by("created_at", "id"))
        order_status_set(
            order,
            to_status,
            actor=actor,
            actor_label="admin" if actor and actor.is_staff else "customer",
            note=note,
            lines=lines,
            events=events,
        )
        if to_status == OrderStatus.CANCELLED:
            quantities = line_quantities_by_variant((line.variant_id, line.quantity) for line in lines)
            stock_release(
                quantities=quantities,
                order_id=order.pk,
                product_ids={line.variant_id: line.product_id for line in lines},
            )
            if order.discount_codes:
                voucher_uses_release(order_ref=order.public_id)  # the codes can be used again
    return order, lines, events, previous


def order_refund(
    order: Order, *, lines: list[OrderLine] | None = None, events: list[OrderEvent] | None = None
) -> None:
    """Refund the order's payment at the gateway (after the cancellation committed) and note the
    result on the timeline; a refund the gateway accepted also publishes ``order.refunded``."""
    refunded = False
    try:
        result = payment_gateway_get().refund(order.payment_reference, order.total_amount, order.currency)
        refunded = result.succeeded
        note = f"refunded ({result.reference})" if result.succeeded else "refund declined"
    except Exception:
        logger.exception("refund failed", extra={"order_id": order.public_id})
        note = "refund failed: retry from the admin"
    with transaction.atomic():
        event = order_event_write(
            order, from_status=order.status, to_status=order.status, actor_label="payment", note=note
        )
        if events is not None:
            events.append(event)
        if refunded:
            order_events_publish(["order.refunded"], order, lines=lines, events=events)
