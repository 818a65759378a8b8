"""The Django admin: create (secret shown once), rotate, send a test event, the delivery log with
redelivery."""

from __future__ import annotations

import pytest
from django.test import Client
from standardwebhooks import Webhook

from tests.helpers.webhooks import make_event
from webhooks import services
from webhooks.models import Delivery, Endpoint


@pytest.fixture
def admin_client_(admin_user) -> Client:
    client = Client()
    client.force_login(admin_user)
    return client


def test_adding_an_endpoint_shows_its_secret_once(admin_client_, receiver, db):
    response = admin_client_.post(
        "/admin/webhooks/endpoint/add/",
        {
            "url": receiver.url,
            "events": ["order.paid", "order.cancelled"],
            "description": "ERP",
            "is_active": "on",
        },
    )
    assert response.status_code == 200
    endpoint = Endpoint.objects.get()
    assert endpoint.events == ["order.paid", "order.cancelled"]
    assert endpoint.secret in response.content.decode()
    assert "no-store" in response["Cache-Control"]

    page = admin_client_.get(f"/admin/webhooks/endpoint/{endpoint.pk}/change/")
    assert page.status_code == 200
    assert endpoint.secret not in page.content.decode()


def test_the_admin_form_refuses_a_private_address_and_bad_event_sets(admin_client_, settings, db):
    settings.WEBHOOK_ALLOW_PRIVATE_TARGETS = False
    response = admin_client_.post(
        "/admin/webhooks/endpoint/add/", {"url": "http://169.254.169.254/", "events": ["*", "order.paid"]}
    )
    assert response.status_code == 200  # the form again, with its errors
    errors = response.context["adminform"].form.errors
    assert "not a public address" in errors["url"][0]
    assert "cannot be combined" in errors["events"][0]
    assert not Endpoint.objects.exists()


def test_rotate_action_shows_the_new_secret(admin_client_, endpoint):
    old = endpoint.secret
    response = admin_client_.post(
        "/admin/webhooks/endpoint/", {"action": "rotate_secret", "_selected_action": [endpoint.pk]}
    )
    endpoint.refresh_from_db()
    assert endpoint.secret != old
    assert endpoint.secret in response.content.decode()


def test_send_test_event_action(admin_client_, endpoint, receiver, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client_.post(
            "/admin/webhooks/endpoint/", {"action": "send_test_event", "_selected_action": [endpoint.pk]}
        )
    assert response.status_code == 302
    assert (
        Webhook(endpoint.secret).verify(receiver.requests[0].body, receiver.requests[0].headers)["type"]
        == "ping"
    )


def test_delivery_log_and_redeliver_action(
    admin_client_, endpoint, receiver, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.webhook_event_handler(make_event(id="evt_admin", type="order.paid"))
    delivery = Delivery.objects.get()
    assert admin_client_.get("/admin/webhooks/delivery/").status_code == 200
    page = admin_client_.get(f"/admin/webhooks/delivery/{delivery.pk}/change/")
    assert page.status_code == 200 and "evt_admin" in page.content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        admin_client_.post(
            "/admin/webhooks/delivery/", {"action": "redeliver", "_selected_action": [delivery.pk]}
        )

    delivery.refresh_from_db()
    assert (delivery.attempt, delivery.status) == (2, "succeeded")
    assert [r.headers["webhook-id"] for r in receiver.requests] == ["evt_admin", "evt_admin"]
