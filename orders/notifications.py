"""Order emails, sent after commit through the shop's one sender (``ecommerce.common.email``).
A failing mail server never fails the operation: the email is logged and kept for re-send."""

from __future__ import annotations

from collections.abc import Sequence

from django.db import transaction
from django.template.loader import render_to_string

from ecommerce.common.email import OutgoingEmail, email_deliver

from .models import Order, OrderLine, OrderStatus

SUBJECTS = {
    "confirmation": "Your order {id} is confirmed",
    "status": "Your order {id} is now {status}",
}


def order_email_schedule(
    *, order_id: int, kind: str, status: str, loaded: tuple[Order, Sequence[OrderLine]] | None = None
) -> None:
    """Send the ``kind`` email (``confirmation`` or ``status``) about the order having become
    ``status``, once the transaction commits. ``loaded`` passes the order and its lines when the
    caller has just written them (checkout), which saves reading them back."""
    transaction.on_commit(
        lambda: order_email_send(order_id=order_id, kind=kind, status=status, loaded=loaded)
    )


def order_email_send(
    *, order_id: int, kind: str, status: str, loaded: tuple[Order, Sequence[OrderLine]] | None = None
) -> bool:
    """Render and send an order email now; False when there is nobody to send to or it failed."""
    order: Order | None
    if loaded is not None:
        order, lines = loaded[0], list(loaded[1])
    else:
        order = Order.objects.prefetch_related("lines").filter(pk=order_id).first()
        if order is None:
            return False
        lines = list(order.lines.all())
    if not order.customer_email:
        return False
    status_label = OrderStatus(status).label
    context = {"order": order, "lines": lines, "status": status_label}
    return email_deliver(
        OutgoingEmail(
            to=order.customer_email,
            subject=SUBJECTS[kind].format(id=order.public_id, status=status_label.lower()),
            text=render_to_string(f"emails/order_{kind}.txt", context),
            html=render_to_string(f"emails/order_{kind}.html", context),
        )
    )
