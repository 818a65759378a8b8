"""Order emails: queued by the outbox events of an order (``ecommerce.events``), rendered and
sent by a worker (``ecommerce.common.email``), once per (event, recipient).

- ``order.paid`` by the payment (checkout, a retry, a reconciliation): the confirmation;
- ``order.paid`` by a person (admin), ``order.shipped``, ``order.delivered``,
  ``order.cancelled``: the status email;
- an order created already paid (the inventory API's processed order): none, as before.

Nothing is rendered in the request: the email's context is the order id and the status. Both
emails show the order's price breakdown (``orders.breakdown``): lines with their discount and
tax, then subtotal, discount (with the codes), shipping (the method), tax per rate and total; an
order without a discount, shipping or tax reads as before (its lines and total).
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import partial
from typing import Any

from django.template.loader import render_to_string

from ecommerce.common.email import OutgoingEmail, email_queue, email_renderer_register
from ecommerce.events.registry import Event, event_subscribe

from .access import is_guest_order, order_guest_link
from .breakdown import order_breakdown
from .models import Order, OrderStatus

SUBJECTS = {
    "confirmation": "Your order {id} is confirmed",
    "status": "Your order {id} is now {status}",
}
EMAIL_EVENT_TYPES = ("order.paid", "order.shipped", "order.delivered", "order.cancelled")


def order_email_kind(event: Event) -> str | None:
    """Which email (``confirmation``, ``status``) an order event causes, or ``None``."""
    timeline = event.data.get("timeline") or [{}]
    last = timeline[-1]
    if event.type == "order.paid":
        if last.get("from_status") is None:  # created paid: an inventory API order
            return None
        return "confirmation" if last.get("actor") == "payment" else "status"
    return "status" if event.type in EMAIL_EVENT_TYPES else None


def order_email_handler(event: Event) -> None:
    """Subscriber of the order events: queue the customer's email (idempotent: one per event
    and recipient)."""
    kind = order_email_kind(event)
    to = (event.data.get("customer") or {}).get("email") or ""
    if kind is None or not to:
        return
    email_queue(
        event_id=event.id,
        to=to,
        kind=f"orders.{kind}",
        context={"order_id": event.data["id"], "status": event.data["status"]},
    )


def order_email_render(kind: str, to: str, context: Mapping[str, Any]) -> OutgoingEmail | None:
    """Render the ``kind`` email of the order (as it is now; ``None`` once it is gone or its
    customer's data was erased)."""
    order = Order.objects.prefetch_related("lines").filter(public_id=context["order_id"]).first()
    if order is None or not order.customer_email:
        return None
    lines = sorted(order.lines.all(), key=lambda line: line.pk)
    status_label = OrderStatus(context["status"]).label
    template_context = {
        "order": order,
        "lines": lines,
        "breakdown": order_breakdown(order, lines),
        "status": status_label,
        # a guest has no account to sign in to: the email carries the order's signed link
        "guest_link": order_guest_link(order) if is_guest_order(order) else "",
    }
    return OutgoingEmail(
        to=to,
        subject=SUBJECTS[kind].format(id=order.public_id, status=status_label.lower()),
        text=render_to_string(f"emails/order_{kind}.txt", template_context),
        html=render_to_string(f"emails/order_{kind}.html", template_context),
    )


def order_emails_connect() -> None:
    """Register the renderers and the subscriber (``OrdersConfig.ready``)."""
    for kind in SUBJECTS:
        email_renderer_register(f"orders.{kind}", partial(order_email_render, kind))
    event_subscribe("orders.emails", order_email_handler, types=EMAIL_EVENT_TYPES)
