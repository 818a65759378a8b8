"""The admin API of ``../shared/api-contract.md`` ("Webhooks (admins)"): permissions, the secret
shown once, rotation, ping, the delivery log, redelivery."""

from __future__ import annotations

import pytest
from standardwebhooks import Webhook
from standardwebhooks.webhooks import WebhookVerificationError

from tests.helpers.webhooks import make_event
from webhooks import services
from webhooks.models import Delivery, Endpoint

ROUTES = [
    ("get", "/api/webhooks/endpoints/", 200),
    ("post", "/api/webhooks/endpoints/", 201),
    ("get", "/api/webhooks/endpoints/{e}/", 200),
    ("patch", "/api/webhooks/endpoints/{e}/", 200),
    ("delete", "/api/webhooks/endpoints/{e}/", 204),
    ("post", "/api/webhooks/endpoints/{e}/rotate-secret", 200),
    ("post", "/api/webhooks/endpoints/{e}/test", 202),
    ("get", "/api/webhooks/endpoints/{e}/deliveries/", 200),
    ("post", "/api/webhooks/deliveries/{d}/redeliver", 202),
]


@pytest.fixture
def delivery(endpoint) -> Delivery:
    services.webhook_event_handler(make_event(id="evt_api", type="order.paid", data={"id": "ord_1"}))
    return Delivery.objects.get(endpoint=endpoint)


def _body(method: str, receiver_url: str) -> dict | None:
    if method == "post":
        return {"url": receiver_url, "events": ["order.paid"]}
    if method == "patch":
        return {"description": "changed"}
    return None


@pytest.mark.parametrize(("method", "path", "ok"), ROUTES)
def test_admins_only(
    method, path, ok, api_client, auth_client, user, admin_user, endpoint, delivery, receiver
):
    url = path.format(e=endpoint.public_id, d=delivery.public_id)
    body = _body(method, receiver.url)

    anonymous = getattr(api_client, method)(url, body, format="json")
    assert anonymous.status_code == 401
    assert anonymous.json()["error"]["code"] == "AUTHENTICATION_REQUIRED"
    customer = getattr(auth_client(user), method)(url, body, format="json")
    assert customer.status_code == 403
    assert customer.json()["error"]["code"] == "PERMISSION_DENIED"
    assert getattr(auth_client(admin_user), method)(url, body, format="json").status_code == ok


def test_the_secret_is_shown_on_creation_only(admin_user, auth_client, receiver, db):
    client = auth_client(admin_user)
    created = client.post(
        "/api/webhooks/endpoints",  # no trailing slash works too
        {"url": receiver.url, "events": ["order.paid", "order.paid", "stock.low"], "description": "ERP"},
        format="json",
    )
    assert created.status_code == 201
    body = created.json()
    assert body["secret"].startswith("whsec_") and len(body["secret"]) > 40
    assert body["id"].startswith("whe_")
    assert body["events"] == ["order.paid", "stock.low"]  # repeats dropped
    assert (body["url"], body["description"], body["is_active"]) == (receiver.url, "ERP", True)
    assert created["Location"].endswith(f"/api/webhooks/endpoints/{body['id']}/")
    assert Endpoint.objects.get(public_id=body["id"]).secret == body["secret"]

    shown = [
        client.get(f"/api/webhooks/endpoints/{body['id']}/").json(),
        client.get("/api/webhooks/endpoints/").json()["results"][0],
        client.patch(f"/api/webhooks/endpoints/{body['id']}/", {"is_active": False}, format="json").json(),
    ]
    for representation in shown:
        assert "secret" not in representation
        assert body["secret"] not in str(representation)


def test_rotation_changes_the_signature(
    admin_user, auth_client, endpoint, receiver, django_capture_on_commit_callbacks
):
    client = auth_client(admin_user)
    old_secret = endpoint.secret

    rotated = client.post(f"/api/webhooks/endpoints/{endpoint.public_id}/rotate-secret/")
    assert rotated.status_code == 200
    new_secret = rotated.json()["secret"]
    assert set(rotated.json()) == {"secret"}
    assert new_secret.startswith("whsec_") and new_secret != old_secret

    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(f"/api/webhooks/endpoints/{endpoint.public_id}/test/").status_code == 202
    request = receiver.requests[-1]
    assert Webhook(new_secret).verify(request.body, request.headers)["type"] == "ping"
    with pytest.raises(WebhookVerificationError):
        Webhook(old_secret).verify(request.body, request.headers)


def test_ping_is_delivered_to_that_endpoint_only(
    admin_user, auth_client, endpoint, receiver, django_capture_on_commit_callbacks
):
    other = services.endpoint_create(url=receiver.url + "&other=1", events=["*"])
    with django_capture_on_commit_callbacks(execute=True):
        response = auth_client(admin_user).post(f"/api/webhooks/endpoints/{endpoint.public_id}/test")

    assert response.status_code == 202
    body = response.json()
    assert body["delivery_id"].startswith("whd_") and body["event_id"].startswith("evt_")
    assert len(receiver.requests) == 1
    payload = Webhook(endpoint.secret).verify(receiver.requests[0].body, receiver.requests[0].headers)
    assert payload["type"] == "ping"
    assert payload["data"]["endpoint_id"] == endpoint.public_id
    assert receiver.requests[0].headers["webhook-id"] == body["event_id"]
    assert not Delivery.objects.filter(endpoint=other).exists()


def test_ping_and_redelivery_to_an_inactive_endpoint_are_409(admin_user, auth_client, endpoint, delivery):
    client = auth_client(admin_user)
    client.patch(f"/api/webhooks/endpoints/{endpoint.public_id}/", {"is_active": False}, format="json")

    for url in (
        f"/api/webhooks/endpoints/{endpoint.public_id}/test/",
        f"/api/webhooks/deliveries/{delivery.public_id}/redeliver/",
    ):
        response = client.post(url)
        assert response.status_code == 409
        assert response.json()["error"]["code"] == "INVALID_STATE"


def test_the_delivery_log_and_redelivery(
    admin_user, auth_client, endpoint, receiver, settings, django_capture_on_commit_callbacks
):
    settings.WEBHOOK_RETRY_SCHEDULE = [0]
    receiver.default_status = 500
    client = auth_client(admin_user)
    with django_capture_on_commit_callbacks(execute=True):
        services.webhook_event_handler(make_event(id="evt_log", type="order.shipped", data={"id": "ord_2"}))

    page = client.get(f"/api/webhooks/endpoints/{endpoint.public_id}/deliveries/").json()
    assert set(page) == {"count", "next", "previous", "page", "page_size", "total_pages", "results"}
    assert page["count"] == 1
    entry = page["results"][0]
    assert {
        "id",
        "event_id",
        "event_type",
        "attempt",
        "status",
        "response_status",
        "duration_ms",
        "next_attempt_at",
        "created_at",
    } <= set(entry)
    assert (entry["event_id"], entry["event_type"], entry["attempt"], entry["status"]) == (
        "evt_log",
        "order.shipped",
        2,
        "dead",
    )
    assert entry["response_status"] == 500 and entry["next_attempt_at"] is None
    assert entry["response_excerpt"].startswith("receiver says no")

    receiver.default_status = 204
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/api/webhooks/deliveries/{entry['id']}/redeliver")
    assert response.status_code == 202
    assert response.json()["event_id"] == "evt_log"

    entry = client.get(f"/api/webhooks/endpoints/{endpoint.public_id}/deliveries").json()["results"][0]
    assert (entry["attempt"], entry["status"], entry["response_status"]) == (3, "succeeded", 204)
    assert {r.headers["webhook-id"] for r in receiver.requests} == {"evt_log"}
    assert len(receiver.requests) == 3


def test_delivery_log_pages(admin_user, auth_client, endpoint):
    for number in range(3):
        services.webhook_event_handler(make_event(id=f"evt_{number}", type="order.paid"))
    page = (
        auth_client(admin_user)
        .get(f"/api/webhooks/endpoints/{endpoint.public_id}/deliveries/?page_size=2")
        .json()
    )
    assert (page["count"], page["page_size"], page["total_pages"], len(page["results"])) == (3, 2, 2, 2)
    assert [d["event_id"] for d in page["results"]] == ["evt_2", "evt_1"]  # newest first
    assert "page_size=2" in page["next"] and "page=2" in page["next"]
    client = auth_client(admin_user)
    bad = client.get(f"/api/webhooks/endpoints/{endpoint.public_id}/deliveries/?page_size=0")
    assert bad.status_code == 400 and "page_size" in bad.json()["error"]["details"]
    assert client.get(f"/api/webhooks/endpoints/{endpoint.public_id}/deliveries/?page=3").status_code == 404


@pytest.mark.parametrize(
    ("events", "problem"),
    [
        ([], "at least 1"),
        (["order.paid", "order.exploded"], "not a valid choice"),
        (["*", "order.paid"], "cannot be combined"),
        ("order.paid", "list"),
    ],
)
def test_event_types_are_checked(admin_user, auth_client, receiver, db, events, problem):
    response = auth_client(admin_user).post(
        "/api/webhooks/endpoints/", {"url": receiver.url, "events": events}, format="json"
    )
    assert response.status_code == 400
    details = response.json()["error"]["details"]
    assert any(key.startswith("events") for key in details)
    assert problem in " ".join(details.values())


def test_unknown_ids_are_404(admin_user, auth_client, db):
    client = auth_client(admin_user)
    for method, url in [
        ("get", "/api/webhooks/endpoints/whe_nope/"),
        ("patch", "/api/webhooks/endpoints/whe_nope/"),
        ("delete", "/api/webhooks/endpoints/whe_nope/"),
        ("post", "/api/webhooks/endpoints/whe_nope/rotate-secret/"),
        ("post", "/api/webhooks/endpoints/whe_nope/test/"),
        ("get", "/api/webhooks/endpoints/whe_nope/deliveries/"),
        ("post", "/api/webhooks/deliveries/whd_nope/redeliver/"),
    ]:
        response = getattr(client, method)(url, {}, format="json")
        assert response.status_code == 404, url
        assert response.json()["error"]["code"] == "NOT_FOUND"


def test_deleting_an_endpoint_deletes_its_log(admin_user, auth_client, endpoint, delivery):
    assert auth_client(admin_user).delete(f"/api/webhooks/endpoints/{endpoint.public_id}").status_code == 204
    assert not Endpoint.objects.exists() and not Delivery.objects.exists()


def test_endpoint_list_pages_and_refuses_bad_page_numbers(admin_user, auth_client, receiver, db):
    for number in range(3):
        services.endpoint_create(url=f"{receiver.url}&n={number}", events=["*"])
    client = auth_client(admin_user)
    page = client.get("/api/webhooks/endpoints/?page_size=2&page=2").json()
    assert (page["count"], page["page"], page["page_size"], page["total_pages"], len(page["results"])) == (
        3,
        2,
        2,
        2,
        1,
    )
    assert page["next"] is None and "page_size=2" in page["previous"]
    assert client.get("/api/webhooks/endpoints/?page_size=500").json()["page_size"] == 100
    for bad in ("0", "last", "1.5"):
        response = client.get(f"/api/webhooks/endpoints/?page={bad}")
        assert response.status_code == 400 and "page" in response.json()["error"]["details"]
    assert client.get("/api/webhooks/endpoints/?page=9").status_code == 404
