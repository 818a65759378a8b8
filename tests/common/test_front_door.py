"""The front doors: ``/`` (landing page), ``GET /api/`` (JSON index), ``/quickstart/``, and the
admin's "View site" link."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest
from django.urls import resolve

import ecommerce
from ecommerce.common.views import api_not_found

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("path", ["/api/", "/api"])
def test_api_index_lists_resources_and_docs_with_and_without_slash(client, path):
    response = client.get(path)

    assert response.status_code == 200 and response["Content-Type"] == "application/json"
    body = response.json()
    assert set(body) == {"name", "version", "api_version", "docs", "resources"}
    assert body["version"] == ecommerce.__version__
    assert body["docs"] == {
        "schema": "http://testserver/api/schema/",
        "schema_json": "http://testserver/api/schema/?format=json",
        "swagger_ui": "http://testserver/api/docs/",
        "redoc": "http://testserver/api/redoc/",
        "quickstart": "http://testserver/quickstart/",
    }
    resources = body["resources"]
    assert resources["products"] == "http://testserver/api/products/"
    assert resources["inventory_products"] == "http://testserver/api/inventory/products/"
    assert resources["orders_process"] == "http://testserver/api/orders/process/"


def test_api_index_links_all_resolve_to_real_views(client):
    body = client.get("/api/").json()
    for url in [*body["resources"].values(), *body["docs"].values()]:
        path = url.removeprefix("http://testserver").split("?")[0]
        assert resolve(path).func is not api_not_found, url


def test_api_index_names_every_area_of_the_api(client):
    """Each first path segment the API serves (auth, products, cart, …) has an entry."""
    from tests.helpers.urls import resolver_endpoints

    listed = " ".join(client.get("/api/").json()["resources"].values())
    for area in {route.split("/")[0] for _, route in resolver_endpoints() if route}:
        assert f"/api/{area}/" in listed, f"/api/{area}/… has no entry in API_RESOURCES (front_door.py)"


def test_api_index_ignores_tokens_and_refuses_writes(client):
    assert client.get("/api/", HTTP_AUTHORIZATION="Bearer not-a-jwt").status_code == 200
    response = client.post("/api/", data="{}", content_type="application/json")
    assert response.status_code == 405 and response.json()["error"]["code"] == "METHOD_NOT_ALLOWED"


def test_api_index_is_in_the_openapi_schema_and_the_landing_page_is_not(client):
    paths = client.get("/api/schema/?format=json").json()["paths"]
    assert "get" in paths["/api/"] and "/api" not in paths
    assert "/" not in paths and "/quickstart/" not in paths


def test_landing_page_links_everywhere_without_inline_script_or_style(client):
    response = client.get("/")

    assert response.status_code == 200 and response["Content-Type"].startswith("text/html")
    html = response.content.decode()
    assert "E-commerce backend" in html and f"version {ecommerce.__version__}" in html
    hrefs = re.findall(r'href="([^"]+)"', html)
    for target in (
        "/api/docs/",
        "/api/redoc/",
        "/api/schema/?format=json",
        "/api/",
        "/admin/",
        "/admin/analytics/",
        "/api/health/",
        "/quickstart/",
    ):
        assert target in hrefs, target
    # a strict Content-Security-Policy forbids inline code: only a stylesheet link
    assert "<script" not in html and "<style" not in html and " style=" not in html
    assert not re.search(r"\son\w+=", html)
    stylesheet = next(href for href in hrefs if href.endswith(".css"))
    css = client.get(stylesheet)
    assert css.status_code == 200 and b".links" in b"".join(css.streaming_content)


@pytest.mark.django_db
def test_admin_view_site_link_opens_the_landing_page(admin_client):
    index = admin_client.get("/admin/").content.decode()
    view_site = re.search(r'<a href="([^"]+)">View site</a>', index)
    assert view_site is not None
    landing = admin_client.get(view_site.group(1))
    assert landing.status_code == 200 and b"Swagger UI" in landing.content


def test_quickstart_is_served_as_plain_text(client):
    response = client.get("/quickstart/")

    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert b"".join(response.streaming_content) == (ROOT / "docs" / "quickstart.md").read_bytes()


def test_version_matches_pyproject():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert ecommerce.__version__ == project["version"]


def test_pages_answer_only_get_and_head(client):
    for path in ("/", "/quickstart/"):
        assert client.head(path).status_code == 200
        assert client.post(path).status_code == 405


def test_unknown_pages_outside_the_api_are_still_404(client):
    assert client.get("/no-such-page/").status_code == 404
    assert client.get("/api/no-such-endpoint/").json()["error"]["code"] == "NOT_FOUND"
