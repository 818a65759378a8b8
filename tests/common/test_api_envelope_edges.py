"""Responses under /api/ that Django (not DRF) produces are the envelope too: a POST to an unknown
path (it was Django's HTML CSRF page), a ``Host`` not in ALLOWED_HOSTS (DisallowedHost), a CSRF
failure, an error in a middleware. Pages outside /api/ keep Django's HTML error pages.

gunicorn's own errors (a request line too long) are tested against real gunicorn in
test_production_start.py."""

import json

import pytest
from django.http import HttpResponse
from django.test import Client, RequestFactory

from ecommerce.common import views
from tests.helpers import assert_envelope


@pytest.fixture
def browser_client() -> Client:
    """A client that enforces CSRF like a browser does, and returns 500s instead of raising."""
    return Client(enforce_csrf_checks=True, raise_request_exception=False)


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
@pytest.mark.parametrize("path", ["/api/no-such-thing", "/api/no-such-thing/", "/api/orders/x/y/z/"])
def test_unsafe_method_to_unknown_api_path_is_404_envelope(browser_client, method, path):
    response = getattr(browser_client, method)(path, data="{}", content_type="application/json")
    assert_envelope(response, 404, "NOT_FOUND")


def test_disallowed_host_under_api_is_400_envelope(browser_client):
    response = browser_client.get("/api/health/", HTTP_HOST="evil.example.net")
    assert_envelope(response, 400, "INVALID_REQUEST")
    assert "evil" not in response.content.decode()


def test_disallowed_host_outside_api_keeps_the_html_page(browser_client):
    response = browser_client.get("/admin/login/", HTTP_HOST="evil.example.net")
    assert response.status_code == 400 and response["Content-Type"].startswith("text/html")


def test_unknown_page_outside_api_keeps_the_html_404(db, browser_client):
    response = browser_client.get("/no-such-page/")
    assert response.status_code == 404 and response["Content-Type"].startswith("text/html")


def _parsed(response: HttpResponse) -> HttpResponse:
    """A view's response, readable by ``assert_envelope`` like a test client's."""
    response.json = lambda: json.loads(response.content)  # type: ignore[attr-defined]
    return response


@pytest.mark.parametrize(
    ("view", "status", "code"),
    [
        (views.bad_request, 400, "INVALID_REQUEST"),
        (views.permission_denied, 403, "PERMISSION_DENIED"),
        (views.page_not_found, 404, "NOT_FOUND"),
        (views.csrf_failure, 403, "PERMISSION_DENIED"),
    ],
)
def test_django_error_views_answer_the_envelope_under_api(view, status, code):
    api = RequestFactory().post("/api/anything/")
    error = assert_envelope(_parsed(view(api, Exception("detail that must not leak"))), status, code)
    assert "leak" not in error["message"]
    page = RequestFactory().post("/admin/anything/")
    html = view(page, Exception("x"))
    assert html.status_code == status and html["Content-Type"].startswith("text/html")


def test_server_error_view_answers_the_envelope_under_api():
    assert_envelope(_parsed(views.server_error(RequestFactory().get("/api/x/"))), 500, "INTERNAL_ERROR")
    page = views.server_error(RequestFactory().get("/admin/"))
    assert page.status_code == 500 and page["Content-Type"].startswith("text/html")


def test_csrf_failure_setting_points_at_our_view(settings):
    assert settings.CSRF_FAILURE_VIEW == "ecommerce.common.views.csrf_failure"
