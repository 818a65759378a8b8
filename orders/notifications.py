"""Order emails, sent after commit. A failing mail server never fails the operation: the
failure is logged with the order id."""

from __future__ import annotations

import logging

from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string

from .models import Order, OrderStatus

logger = logging.getLogger(__name__)

SUBJECTS = {
    "confirmation": "Your order {id} is confirmed",
    "status": "Your order {id} is now {status}",
}


def order_email_schedule(*, order_id: int, kind: str, status: str) -> None:
    """Send the ``kind`` email (``confirmation`` or ``status``) about the order having become
    ``status``, once the transaction commits."""
    transaction.on_commit(lambda: order_email_send(order_id=order_id, kind=kind, status=status))


def order_email_send(*, order_id: int, kind: str, status: str) -> bool:
    """Render and send an order email now; returns False (and logs) when it could not be sent."""
    order = Order.objects.prefetch_related("lines").filter(pk=order_id).first()
    if order is None or not order.customer_email:
        return False
    status_label = OrderStatus(status).label
    context = {"order": order, "lines": list(order.lines.all()), "status": status_label}
    message = EmailMultiAlternatives(
        subject=SUBJECTS[kind].format(id=order.public_id, status=status_label.lower()),
        body=render_to_string(f"emails/order_{kind}.txt", context),
        to=[order.customer_email],
    )
    message.attach_alternative(render_to_string(f"emails/order_{kind}.html", context), "text/html")
    try:
        message.send()
    except Exception:
        logger.exception("order email not sent", extra={"order_id": order.public_id, "kind": kind})
        return False
    return True
