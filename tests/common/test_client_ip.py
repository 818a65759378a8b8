"""One client IP for every limiter, the audit log and the request log: the socket peer, or
behind ``TRUSTED_PROXIES`` the right-most untrusted ``X-Forwarded-For`` address."""

from __future__ import annotations

import json
import logging

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import RequestFactory

from ecommerce.common.http import client_ip
from inventory.models import AuditEvent

pytestmark = [pytest.mark.django_db, pytest.mark.rate_window]
PROXIES = ["10.0.0.0/8", "fd00::/8"]


def _ip(remote_addr: str, forwarded: str | None = None) -> str | None:
    extra = {"HTTP_X_FORWARDED_FOR": forwarded} if forwarded is not None else {}
    return client_ip(RequestFactory().get("/", REMOTE_ADDR=remote_addr, **extra))


def test_without_trusted_proxies_forwarded_for_is_ignored(settings):
    settings.TRUSTED_PROXIES = []
    assert _ip("203.0.113.7", "198.51.100.1") == "203.0.113.7"
    assert _ip("10.0.0.2", "198.51.100.1, 10.0.0.3") == "10.0.0.2"


@pytest.mark.parametrize(
    ("forwarded", "expected"),
    [
        ("203.0.113.7", "203.0.113.7"),
        # the client wrote a fake left part: only what our proxies appended counts
        ("6.6.6.6, 203.0.113.7", "203.0.113.7"),
        ("6.6.6.6, 203.0.113.7, 10.0.0.5", "203.0.113.7"),
        ("10.9.9.9, 10.0.0.5", "10.9.9.9"),  # everyone trusted: the farthest hop
        ("", "10.0.0.2"),
        ("not-an-ip, 10.0.0.5", "10.0.0.5"),  # garbage ends the walk at the last good hop
        ("203.0.113.7:51000", "203.0.113.7"),
        ("[2001:db8::1]:443, fd00::1", "2001:db8::1"),
        ("::ffff:198.51.100.4", "198.51.100.4"),
    ],
)
def test_behind_trusted_proxies_the_rightmost_untrusted_address(settings, forwarded, expected):
    settings.TRUSTED_PROXIES = PROXIES
    assert _ip("10.0.0.2", forwarded) == expected


def test_a_peer_outside_the_trusted_proxies_is_the_client_whatever_it_forwards(settings):
    settings.TRUSTED_PROXIES = PROXIES
    assert _ip("198.51.100.9", "10.0.0.1, 203.0.113.7") == "198.51.100.9"


def test_invalid_remote_addr_is_none_and_bad_cidr_is_refused(settings):
    settings.TRUSTED_PROXIES = []
    assert _ip("not-an-ip", "203.0.113.7") is None
    settings.TRUSTED_PROXIES = ["10.0.0.0/33"]
    with pytest.raises(ImproperlyConfigured):
        _ip("10.0.0.2", "203.0.113.7")


def _login(client, ip_header: dict, email: str = "nobody@example.com"):
    return client.post("/api/auth/login", {"email": email, "password": "wrong"}, format="json", **ip_header)


def test_spoofed_forwarded_for_does_not_escape_the_login_limit(api_client, settings):
    settings.TRUSTED_PROXIES = []
    settings.ACCOUNTS_LOGIN_LIMIT_PER_IP = (3, 300)
    codes = [
        _login(api_client, {"HTTP_X_FORWARDED_FOR": f"198.51.100.{n}"}, f"u{n}@example.com").status_code
        for n in range(4)
    ]
    assert codes == [401, 401, 401, 429]


def test_behind_the_proxy_each_client_has_its_own_login_budget(api_client, settings):
    settings.TRUSTED_PROXIES = PROXIES
    settings.ACCOUNTS_LOGIN_LIMIT_PER_IP = (3, 300)
    proxy = {"REMOTE_ADDR": "10.0.0.2"}
    first = [
        _login(api_client, {**proxy, "HTTP_X_FORWARDED_FOR": "198.51.100.1"}, f"a{n}@example.com").status_code
        for n in range(4)
    ]
    assert first == [401, 401, 401, 429]
    # Another shopper behind the same proxy is not throttled with the first one …
    other = {**proxy, "HTTP_X_FORWARDED_FOR": "198.51.100.2"}
    assert _login(api_client, other, "b@example.com").status_code == 401
    # … and the first cannot escape by prepending a fake address.
    spoofed = {**proxy, "HTTP_X_FORWARDED_FOR": "192.0.2.55, 198.51.100.1"}
    assert _login(api_client, spoofed, "c@example.com").status_code == 429


def test_audit_log_and_request_log_use_the_same_client_ip(api_client, settings, caplog):
    settings.TRUSTED_PROXIES = PROXIES
    with caplog.at_level(logging.INFO, logger="ecommerce.request"):
        api_client.get(
            "/api/inventory/products?manager_id=mgr_1",
            REMOTE_ADDR="10.0.0.2",
            HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.7",
        )
    assert AuditEvent.objects.get().client_ip == "203.0.113.7"
    line = next(r for r in caplog.records if r.name == "ecommerce.request")
    assert line.client_ip == "203.0.113.7"
    assert json.dumps(line.client_ip)  # a plain string in the JSON line


def test_admin_login_limit_counts_the_forwarded_client(client, settings):
    settings.TRUSTED_PROXIES = PROXIES
    settings.ADMIN_LOGIN_LIMIT = (2, 300)
    proxy = {"REMOTE_ADDR": "10.0.0.2"}

    def post(forwarded: str) -> int:
        return client.post(
            "/admin/login/",
            {"username": "x@example.com", "password": "wrong"},
            HTTP_X_FORWARDED_FOR=forwarded,
            **proxy,
        ).status_code

    assert [post("198.51.100.1") for _ in range(3)] == [200, 200, 429]
    assert post("198.51.100.2") == 200
