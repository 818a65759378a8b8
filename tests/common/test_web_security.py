"""CORS for configured front-end origins, security headers, admin login throttling, deploy checks."""

import re
from pathlib import Path

import pytest
from django.core.cache import cache

from tests.helpers import manage_py, production_environ

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


@pytest.mark.rate_window
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
    result = manage_py("check", "--deploy", "--fail-level", "WARNING", env=production_environ())
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


# --- Content-Security-Policy, Cache-Control, offline API docs -----------------------------------
# (the headless browser test tests/analytics/test_browser.py checks that the pages satisfy it)

EXTERNAL_REFERENCE = re.compile(r"""(?:src|href|action)\s*=\s*["']?\s*(?:https?:)?//""", re.I)


def _policy(response) -> dict[str, str]:
    directives = (part.strip().split(None, 1) for part in response["Content-Security-Policy"].split(";"))
    return {name: (rest[0] if rest else "") for name, *rest in directives}


def test_html_pages_get_the_strict_policy_and_no_store(client):
    for path in ("/admin/login/", "/api/docs/", "/accounts/password/reset/?key=secret-reset-key"):
        response = client.get(path)
        assert response.status_code == 200 and response["Content-Type"].startswith("text/html"), path
        policy = _policy(response)
        assert policy["script-src"] == "'self'" and policy["style-src"] == "'self'", path
        assert policy["object-src"] == "'none'" and policy["frame-ancestors"] == "'none'", path
        assert "no-store" in response["Cache-Control"], path


def test_static_files_are_cacheable_and_allow_nothing(client):
    response = client.get("/static/admin/css/base.css")  # not HTML: no no-store
    assert "no-store" not in response.get("Cache-Control", "")
    assert _policy(response)["default-src"] == "'none'"


def test_json_responses_get_a_policy_that_allows_nothing(client):
    response = client.get("/api/health/")
    assert (
        response["Content-Security-Policy"] == "default-src 'none'; frame-ancestors 'none'; base-uri 'none'"
    )


def test_redoc_gets_only_what_it_needs(client):
    policy = _policy(client.get("/api/redoc/"))
    assert policy["script-src"] == "'self'"  # never inline scripts
    assert policy["style-src"] == "'self' 'unsafe-inline'" and policy["worker-src"] == "blob:"
    assert policy["img-src"] == "'self' data:" and policy["connect-src"] == "'self'"


@pytest.mark.parametrize("path", ["/api/redoc/", "/api/docs/", "/api/docs/?script="])
def test_api_docs_reference_no_external_host(client, path):
    response = client.get(path)
    assert response.status_code == 200
    text = response.content.decode()
    assert not EXTERNAL_REFERENCE.search(text), text
    assert "fonts.googleapis" not in text and "cdn." not in text
    if path != "/api/docs/?script=":
        assert re.search(r"<script>|<style>| style=", text) is None  # no inline code for the CSP
        for url in re.findall(r"""(?:src|href)="([^"]+)\"""", text):
            assert url.startswith("/"), url  # our own files, served by WhiteNoise
            assert client.get(url).status_code == 200, url
