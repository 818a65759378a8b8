"""Where deliveries may go (docs/webhooks.md): with WEBHOOK_ALLOW_PRIVATE_TARGETS off, no
loopback, private, link-local, multicast, reserved or unspecified address, in IPv4 or IPv6, when an
endpoint is saved (400 naming ``url``) and again at delivery time; only http and https."""

from __future__ import annotations

import ipaddress

import pytest

from tests.helpers.webhooks import make_event
from webhooks import services
from webhooks.models import Delivery, DeliveryAttempt, Endpoint
from webhooks.targets import address_is_public

REFUSED_URLS = [
    "http://127.0.0.1/hooks",
    "http://127.1.2.3:8080/hooks",
    "http://10.1.2.3/hooks",
    "http://172.16.0.5/hooks",
    "http://192.168.1.10/hooks",
    "http://169.254.169.254/latest/meta-data/",
    "http://100.64.0.1/hooks",
    "http://0.0.0.0/hooks",
    "http://224.0.0.1/hooks",
    "http://240.0.0.1/hooks",
    "http://[::1]/hooks",
    "http://[::]/hooks",
    "http://[::ffff:127.0.0.1]/hooks",
    "http://[::ffff:a9fe:a9fe]/hooks",
    "http://[fe80::1]/hooks",
    "http://[fc00::1]/hooks",
    "http://[ff02::1]/hooks",
    "http://[2002:7f00:1::]/hooks",  # 6to4 of 127.0.0.1
    "http://[64:ff9b::a00:1]/hooks",  # NAT64 of 10.0.0.1
    "http://localhost/hooks",  # a name that resolves to 127.0.0.1
    "http://localhost.:9000/hooks",
]


@pytest.fixture
def ssrf_on(settings):
    settings.WEBHOOK_ALLOW_PRIVATE_TARGETS = False


@pytest.mark.parametrize("url", REFUSED_URLS)
def test_creating_an_endpoint_on_a_non_public_address_is_a_400_on_url(ssrf_on, admin_user, auth_client, url):
    response = auth_client(admin_user).post(
        "/api/webhooks/endpoints/", {"url": url, "events": ["*"]}, format="json"
    )

    assert response.status_code == 400, response.content
    error = response.json()["error"]
    assert error["code"] == "INVALID_REQUEST"
    assert set(error["details"]) == {"url"}
    assert not Endpoint.objects.exists()


@pytest.mark.parametrize(
    ("url", "problem"),
    [
        ("ftp://example.com/hooks", "Only http and https"),
        ("file:///etc/passwd", "Only http and https"),
        ("gopher://93.184.215.14/", "Only http and https"),
        ("http://user:pass@93.184.215.14/hooks", "Credentials"),
        ("http:///hooks", "no host"),
        ("http://93.184.215.14:99999/", "valid"),
        ("not a url", "valid URL"),
        ("http://93.184.215.14/a\nHost: evil", "valid URL"),
    ],
)
def test_only_http_and_https_urls_without_credentials(admin_user, auth_client, url, problem):
    """These hold even with private targets allowed (the test settings)."""
    response = auth_client(admin_user).post(
        "/api/webhooks/endpoints/", {"url": url, "events": ["*"]}, format="json"
    )

    assert response.status_code == 400
    assert problem in response.json()["error"]["details"]["url"]


def test_a_public_address_is_accepted(ssrf_on, admin_user, auth_client):
    response = auth_client(admin_user).post(
        "/api/webhooks/endpoints/", {"url": "https://93.184.215.14/hooks", "events": ["*"]}, format="json"
    )
    assert response.status_code == 201, response.content


def test_changing_the_url_to_a_private_address_is_refused(ssrf_on, admin_user, auth_client):
    endpoint = services.endpoint_create(url="https://93.184.215.14/hooks", events=["*"])
    response = auth_client(admin_user).patch(
        f"/api/webhooks/endpoints/{endpoint.public_id}/", {"url": "http://[::ffff:10.0.0.1]/"}, format="json"
    )
    assert response.status_code == 400
    assert "not a public address" in response.json()["error"]["details"]["url"]
    endpoint.refresh_from_db()
    assert endpoint.url == "https://93.184.215.14/hooks"


def test_delivery_time_checks_again(settings, receiver, db):
    """Saved while allowed (or DNS changed since): the attempt is refused before connecting."""
    endpoint = services.endpoint_create(url=f"http://localhost:{receiver.port}/hooks", events=["*"])
    services.webhook_event_handler(make_event(id="evt_ssrf", type="order.paid"))
    settings.WEBHOOK_ALLOW_PRIVATE_TARGETS = False

    delivery = Delivery.objects.get(endpoint=endpoint)
    assert services.delivery_attempt(delivery_id=delivery.pk, attempt=1) == "failed"

    assert receiver.requests == []
    log = DeliveryAttempt.objects.get(delivery=delivery)
    assert log.error.startswith("refused: The host 'localhost' resolves to 127.0.0.1")
    assert log.response_status is None


def test_a_host_name_is_sent_in_host_while_the_checked_address_is_dialled(
    receiver, db, django_capture_on_commit_callbacks
):
    services.endpoint_create(url=f"http://localhost:{receiver.port}/hooks", events=["*"])
    with django_capture_on_commit_callbacks(execute=True):
        services.webhook_event_handler(make_event(id="evt_host", type="order.paid"))
    assert receiver.requests[0].headers["host"] == f"localhost:{receiver.port}"


@pytest.mark.parametrize(
    ("address", "public"),
    [
        ("8.8.8.8", True),
        ("93.184.215.14", True),
        ("2001:4860:4860::8888", True),
        ("::ffff:8.8.8.8", True),
        ("127.0.0.1", False),
        ("10.0.0.1", False),
        ("172.31.255.255", False),
        ("192.168.0.1", False),
        ("169.254.169.254", False),
        ("100.64.0.1", False),
        ("0.0.0.0", False),  # noqa: S104 - an address under test, not a bind
        ("255.255.255.255", False),
        ("224.0.0.251", False),
        ("192.0.2.1", False),  # documentation
        ("::1", False),
        ("::", False),
        ("::ffff:127.0.0.1", False),
        ("::ffff:192.168.1.1", False),
        ("::127.0.0.1", False),  # IPv4-compatible
        ("fe80::1", False),
        ("fd12:3456::1", False),
        ("ff02::1", False),
        ("2001:db8::1", False),  # documentation
        ("2002:0a00:0001::1", False),  # 6to4 of 10.0.0.1
        ("64:ff9b::7f00:1", False),  # NAT64 of 127.0.0.1
        ("2001:0:4136:e378:8000:63bf:3fff:fdd2", False),  # Teredo
    ],
)
def test_address_rule(address, public):
    assert address_is_public(ipaddress.ip_address(address)) is public
