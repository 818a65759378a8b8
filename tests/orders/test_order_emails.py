"""Order emails follow the order's outbox events: nothing is rendered in the checkout request;
after commit the dispatch queues one email per (event, recipient) and a worker (here in-process)
renders and sends it."""

from __future__ import annotations

import pytest
from django.core import mail
from django.test.signals import template_rendered

from ecommerce.common.models import Email, EmailStatus
from ecommerce.common.tasks import _send
from ecommerce.events.models import OutboxEvent
from ecommerce.events.outbox import _committed, event_dispatch
from orders.models import OrderStatus
from orders.services import order_transition
from tests.factories import AdminUserFactory
from tests.helpers.orders import checkout_body

pytestmark = pytest.mark.django_db


def test_checkout_renders_no_email_in_the_request(filled_cart, django_capture_on_commit_callbacks):
    user, client, *_ = filled_cart
    rendered: list[str] = []

    def record(sender, template, **kwargs):
        rendered.append(template.name)

    template_rendered.connect(record)
    try:
        with django_capture_on_commit_callbacks() as callbacks:
            response = client.post("/api/orders/", checkout_body(), format="json")
    finally:
        template_rendered.disconnect(record)
    assert response.status_code == 201
    assert not [name for name in rendered if name and name.startswith("emails/")]
    assert Email.objects.count() == 0 and mail.outbox == []
    # what the request leaves behind: the outbox rows, handed to the dispatcher on commit
    created, paid = (OutboxEvent.objects.get(type=t) for t in ("order.created", "order.paid"))
    handed = [i for c in callbacks if getattr(c, "func", None) is _committed for i in c.args[0]]
    assert handed == sorted(OutboxEvent.objects.values_list("id", flat=True))  # and stock events
    assert created.id in handed and paid.id in handed
    assert not [c for c in callbacks if getattr(c, "func", None) is _send]  # no email task yet

    with django_capture_on_commit_callbacks(execute=True):  # the commit: the tasks run in-process
        for callback in callbacks:
            callback()
    email = Email.objects.get()
    assert (email.event_id, email.to, email.kind, email.status) == (
        paid.id,
        user.email,
        "orders.confirmation",
        EmailStatus.SENT,
    )
    assert [m.subject for m in mail.outbox] == [f"Your order {response.json()['id']} is confirmed"]
    OutboxEvent.objects.filter(pk=paid.pk).update(dispatched_at=None)  # dispatched again after a crash
    with django_capture_on_commit_callbacks(execute=True):
        assert event_dispatch(paid.id) == (True, None)
    assert Email.objects.count() == 1 and len(mail.outbox) == 1  # deduplicated per (event, recipient)


def test_status_changes_email_the_customer_once_each(filled_cart, django_capture_on_commit_callbacks):
    user, client, *_ = filled_cart
    with django_capture_on_commit_callbacks(execute=True):
        order_id = client.post("/api/orders/", checkout_body(), format="json").json()["id"]
        order_transition(order_public_id=order_id, to_status=OrderStatus.SHIPPED, actor=AdminUserFactory())
    assert [m.subject for m in mail.outbox] == [
        f"Your order {order_id} is confirmed",
        f"Your order {order_id} is now shipped",
    ]
    assert all(m.to == [user.email] for m in mail.outbox)
