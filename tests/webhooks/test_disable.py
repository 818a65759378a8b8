"""Automatic disabling after WEBHOOK_DISABLE_AFTER_FAILURES failed attempts in a row, with an
email to the admins; re-activation."""

from __future__ import annotations

from django.core import mail

from tests.factories import AdminUserFactory, UserFactory
from tests.helpers.webhooks import make_event
from webhooks import services
from webhooks.models import Delivery, DeliveryStatus, Endpoint


def test_an_endpoint_is_disabled_after_a_run_of_failures_and_admins_are_emailed(
    endpoint, receiver, settings, django_capture_on_commit_callbacks
):
    settings.WEBHOOK_RETRY_SCHEDULE = [0, 0, 0, 0, 0, 0]
    settings.WEBHOOK_DISABLE_AFTER_FAILURES = 4
    admins = [AdminUserFactory(email="ops@example.com"), AdminUserFactory(email="cto@example.com")]
    UserFactory(email="shopper@example.com")
    receiver.default_status = 500

    with django_capture_on_commit_callbacks(execute=True):
        services.webhook_event_handler(make_event(id="evt_1", type="order.paid"))

    assert len(receiver.requests) == 4  # not 7: the endpoint stopped at the 4th failure
    endpoint.refresh_from_db()
    assert endpoint.is_active is False
    assert endpoint.disabled_at is not None
    assert endpoint.disabled_reason == "4 failed delivery attempts in a row."
    delivery = Delivery.objects.get()
    assert (delivery.status, delivery.attempt) == (DeliveryStatus.DEAD, 4)
    assert sorted(message.to[0] for message in mail.outbox) == sorted(a.email for a in admins)
    message = mail.outbox[0]
    assert endpoint.public_id in message.subject
    assert endpoint.secret not in message.body  # never the secret

    # Disabled: new events make no delivery for it.
    with django_capture_on_commit_callbacks(execute=True):
        services.webhook_event_handler(make_event(id="evt_2", type="order.paid"))
    assert Delivery.objects.count() == 1 and len(receiver.requests) == 4


def test_a_success_resets_the_run(endpoint, receiver, settings, django_capture_on_commit_callbacks):
    settings.WEBHOOK_RETRY_SCHEDULE = [0, 0, 0]
    settings.WEBHOOK_DISABLE_AFTER_FAILURES = 3
    receiver.statuses = [500, 500, 200, 500, 500, 200]

    with django_capture_on_commit_callbacks(execute=True):
        services.webhook_event_handler(make_event(id="evt_a", type="order.paid"))
        services.webhook_event_handler(make_event(id="evt_b", type="order.paid"))

    endpoint.refresh_from_db()
    assert endpoint.is_active and endpoint.consecutive_failures == 0
    assert set(Delivery.objects.values_list("status", flat=True)) == {"succeeded"}
    assert mail.outbox == []


def test_open_deliveries_of_a_disabled_endpoint_die_with_it(endpoint, receiver, settings):
    settings.WEBHOOK_DISABLE_AFTER_FAILURES = 1
    receiver.default_status = 503
    services.webhook_event_handler(make_event(id="evt_x", type="order.paid"))
    services.webhook_event_handler(make_event(id="evt_y", type="order.paid"))
    first = Delivery.objects.get(event_id="evt_x")

    assert services.delivery_attempt(delivery_id=first.pk, attempt=1) == "dead"

    assert set(Delivery.objects.values_list("event_id", "status")) == {("evt_x", "dead"), ("evt_y", "dead")}
    second = Delivery.objects.get(event_id="evt_y")
    assert services.delivery_attempt(delivery_id=second.pk, attempt=1) == "skipped"
    assert len(receiver.requests) == 1


def test_reactivating_clears_the_disabled_state(endpoint, admin_user, auth_client):
    Endpoint.objects.filter(pk=endpoint.pk).update(
        is_active=False, consecutive_failures=50, disabled_reason="50 failed delivery attempts in a row."
    )
    response = auth_client(admin_user).patch(
        f"/api/webhooks/endpoints/{endpoint.public_id}/", {"is_active": True}, format="json"
    )
    assert response.status_code == 200
    body = response.json()
    assert (
        body["is_active"],
        body["consecutive_failures"],
        body["disabled_at"],
        body["disabled_reason"],
    ) == (
        True,
        0,
        None,
        "",
    )
