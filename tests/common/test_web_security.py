"""CORS for configured front-end origins, security headers, admin login throttling, deploy checks."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.cache import cache

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()


def test_cors_allows_configured_origin_only(client, settings):
    settings.CORS_ALLOWED_ORIGINS = ["https://shop.example.com"]
    preflight = client.options(
        "/api/cart/",
        HTTP_ORIGIN="https://shop.example.com",
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="POST",
        HTTP_ACCESS_CONTROL_REQUEST_HEADERS="authorization, idempotency-key",
    )
    assert preflight["Access-Control-Allow-Origin"] == "https://shop.example.com"
    assert "idempotency-key" in preflight["Access-Control-Allow-Headers"]
    response = client.get("/api/health/", HTTP_ORIGIN="https://shop.example.com")
    assert "x-request-id" in response["Access-Control-Expose-Headers"]
    other = client.get("/api/health/", HTTP_ORIGIN="https://evil.example.net")
    assert "Access-Control-Allow-Origin" not in other


def test_security_headers(client):
    response = client.get("/api/health/")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"


def test_admin_login_is_throttled_per_ip(client, settings):
    settings.ADMIN_LOGIN_LIMIT = (3, 300)
    codes = [
        client.post("/admin/login/", {"username": "x@example.com", "password": "wrong"}).status_code
        for _ in range(4)
    ]
    assert codes == [200, 200, 200, 429]
    assert int(client.post("/admin/login/", {"username": "a", "password": "b"})["Retry-After"]) >= 1
    assert client.get("/admin/login/").status_code == 200  # the form itself still shows


def test_admin_login_still_logs_in(client, admin_user):
    response = client.post(
        "/admin/login/?next=/admin/", {"username": admin_user.email, "password": "correct-horse-battery-9"}
    )
    assert response.status_code == 302 and response["Location"] == "/admin/"


def test_check_deploy_is_clean_with_production_values():
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "ecommerce.settings.production",
        "SECRET_KEY": "x" * 60 + "-production-secret-for-the-deploy-check",
        "ALLOWED_HOSTS": "shop.example.com",
        "PAYMENT_GATEWAY": "orders.payments_http.HttpPaymentGateway",  # required in production
        "EMAIL_URL": "smtp+tls://mailer:secret@smtp.example.com:587",  # README production values (accounts.W001)
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout
