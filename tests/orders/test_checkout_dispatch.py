"""A checkout is one unit of work for the outbox: without a broker its two transactions' events
(order.created, order.paid, stock events) are dispatched in one run, also when the payment fails;
with a broker it sends nothing, and the relay sends them in one task."""

from __future__ import annotations

import pytest
from django.core import mail

from ecommerce.events.models import OutboxEvent
from ecommerce.events.tasks import outbox_dispatch
from tests.helpers.orders import checkout_body
from tests.helpers.tasks import tasks_run

pytestmark = pytest.mark.django_db(transaction=True)


def _ids(*types: str) -> list[str]:
    return list(OutboxEvent.objects.filter(type__in=types).order_by("id").values_list("id", flat=True))


def test_checkout_sends_one_dispatch_with_all_its_events(filled_cart):
    user, client, *_ = filled_cart
    with tasks_run(outbox_dispatch.name) as runs:
        response = client.post("/api/orders/", checkout_body(), format="json")
    assert response.status_code == 201
    assert len(runs) == 1
    created, paid = _ids("order.created"), _ids("order.paid")
    assert created and paid and set(created + paid) <= set(runs[0])
    assert runs[0].index(created[0]) < runs[0].index(paid[0])  # in commit order
    assert not OutboxEvent.objects.filter(dispatched_at=None).exists()
    assert [m.subject for m in mail.outbox] == [f"Your order {response.json()['id']} is confirmed"]


def test_failed_payment_still_dispatches_what_committed_once(filled_cart):
    user, client, *_ = filled_cart
    with tasks_run(outbox_dispatch.name) as runs:
        response = client.post("/api/orders/", checkout_body(token="tok_declined"), format="json")
    assert response.status_code == 402
    assert len(runs) == 1 and _ids("order.created")[0] in runs[0] and not _ids("order.paid")
    assert not OutboxEvent.objects.filter(dispatched_at=None).exists()


def test_the_service_alone_is_one_unit_of_work(filled_cart):
    """``order_place`` called without a request (a script, the benchmark): still one task."""
    from orders.services import PaymentDetails, order_place
    from tests.helpers.orders import ADDRESS

    user, *_ = filled_cart
    with tasks_run(outbox_dispatch.name) as runs:
        order_place(
            user=user, shipping_address=ADDRESS, payment=PaymentDetails(method="card", token="tok_ok")
        )
    assert len(runs) == 1 and len(runs[0]) >= 2


def test_with_a_broker_checkout_sends_nothing_and_the_relay_sends_its_events_in_one_task(
    filled_cart, memory_broker
):
    from ecommerce.events.outbox import outbox_relay

    user, client, *_ = filled_cart
    response = client.post("/api/orders/", checkout_body(), format="json")
    assert response.status_code == 201
    assert memory_broker == []  # no message from the request
    created, paid = _ids("order.created"), _ids("order.paid")
    assert outbox_relay() == OutboxEvent.objects.count()
    ((task, ids),) = memory_broker
    assert task == outbox_dispatch.name and set(created + paid) <= set(ids)
    assert ids.index(created[0]) < ids.index(paid[0])  # in commit order
