"""The front doors: ``/`` (a small HTML landing page), ``GET /api/`` (a JSON index of the API)
and ``/quickstart/`` (docs/quickstart.md as plain text), so the first URL a newcomer opens
answers with where to go next instead of a 404."""

from __future__ import annotations

from django.conf import settings
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_safe
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

import ecommerce

QUICKSTART = settings.BASE_DIR / "docs" / "quickstart.md"

# (key, URL name, what it is): the collections a client starts from, in reading order.
API_RESOURCES: tuple[tuple[str, str, str], ...] = (
    ("health", "health", "Health of the service, its database and its cache"),
    ("auth_register", "auth-register", "Create a customer account"),
    ("auth_login", "auth-login", "Sign in: a JWT access and refresh token"),
    ("auth_token_refresh", "auth-token-refresh", "Rotate a refresh token"),
    ("auth_me", "auth-me", "The signed-in user's profile"),
    ("auth_addresses", "auth-addresses", "The signed-in user's address book"),
    ("auth_providers", "auth-providers", "Configured OAuth2 / OpenID Connect providers"),
    ("categories", "category-list", "Category tree"),
    ("products", "product-list", "Products: search, filters, ordering, facets"),
    ("attributes", "attribute-list", "Product attributes: what the list filters and facets by"),
    ("carts", "carts", "Make a guest cart (no account): its X-Cart-Token"),
    ("cart", "cart", "The caller's cart (signed-in user, or guest with X-Cart-Token)"),
    ("cart_items", "cart-items", "Add a product to the cart"),
    ("cart_merge", "cart-merge", "Merge a guest cart into the signed-in user's cart"),
    ("orders", "orders", "Checkout (POST) and order history (GET)"),
    ("checkout", "checkout", "Checkout sessions: shipping, tax and discount codes, then complete"),
    ("inventory_products", "inventory-products", "Store managers: upsert and list their products"),
    ("inventory_discontinue", "inventory-discontinue", "Store managers: discontinue a product"),
    ("orders_process", "inventory-orders-process", "Store managers: process an order"),
    ("analytics_summary", "analytics-summary", "Admins: sales figures for a date range"),
    ("shipping_zones", "shipping-zone-list", "Admins: shipping zones and their methods"),
    ("tax_rates", "tax-rate-list", "Admins: tax rates per country and tax class"),
    ("vouchers", "voucher-list", "Admins: discount codes"),
    ("promotions", "promotion-list", "Admins: automatic promotions"),
    ("webhook_endpoints", "webhook-endpoint-list", "Admins: webhook endpoints (signed event deliveries)"),
)
API_DOCS: tuple[tuple[str, str], ...] = (
    ("schema", "schema"),
    ("swagger_ui", "swagger-ui"),
    ("redoc", "redoc"),
)


def _docs_links(request: HttpRequest) -> dict[str, str]:
    links = {key: request.build_absolute_uri(reverse(name)) for key, name in API_DOCS}
    links["schema_json"] = links["schema"] + "?format=json"
    links["quickstart"] = request.build_absolute_uri(reverse("quickstart"))
    return links


_ApiIndexSerializer = inline_serializer(
    "ApiIndex",
    {
        "name": serializers.CharField(),
        "version": serializers.CharField(help_text="Version of the shop backend."),
        "api_version": serializers.CharField(help_text="Version of this OpenAPI document."),
        "docs": serializers.DictField(
            child=serializers.URLField(),
            help_text="schema, schema_json, swagger_ui, redoc, quickstart → absolute URL.",
        ),
        "resources": serializers.DictField(
            child=serializers.URLField(), help_text="Resource name → absolute URL of its collection."
        ),
    },
)


class ApiIndexApi(APIView):
    """``GET /api/``: the API's resources and documentation, as absolute URLs."""

    authentication_classes: list[type] = []
    permission_classes: list[type] = []

    @extend_schema(
        tags=["service"],
        summary="Index of the API: its resources and documentation links",
        description="Anonymous. The same index answers at `/api` (without the trailing slash).",
        responses={200: _ApiIndexSerializer},
    )
    def get(self, request: Request) -> Response:
        return Response(
            {
                "name": settings.SPECTACULAR_SETTINGS["TITLE"],
                "version": ecommerce.__version__,
                "api_version": settings.SPECTACULAR_SETTINGS["VERSION"],
                "docs": _docs_links(request),
                "resources": {
                    key: request.build_absolute_uri(reverse(name)) for key, name, _ in API_RESOURCES
                },
            }
        )


@require_safe
def landing_page(request: HttpRequest) -> HttpResponse:
    """``/``: the project's name and version and links to everything a newcomer looks for."""
    links = [
        ("Swagger UI", reverse("swagger-ui"), "try every API call in the browser"),
        ("ReDoc", reverse("redoc"), "the API reference"),
        ("OpenAPI schema", reverse("schema") + "?format=json", "for client generators"),
        ("API index", reverse("api-index"), "the API's resources as JSON"),
        ("Django admin", reverse("admin:index"), "orders, products, users, audit log"),
        ("Analytics dashboard", reverse("admin:analytics_dashboard"), "sales figures (admins)"),
        ("Health", reverse("health"), "database and cache status"),
        (
            "Quick start",
            reverse("quickstart"),
            "a shopper's, an integrator's and a store manager's first calls",
        ),
    ]
    context = {
        "name": settings.SPECTACULAR_SETTINGS["TITLE"].removesuffix(" API"),  # type: ignore[attr-defined]  # TITLE is a str
        "version": ecommerce.__version__,
        "links": links,
    }
    return render(request, "pages/landing.html", context)


@require_safe
def quickstart(request: HttpRequest) -> FileResponse:
    """``/quickstart/``: docs/quickstart.md as UTF-8 plain text (readable in any browser)."""
    if not QUICKSTART.is_file():
        raise Http404("docs/quickstart.md is not shipped with this installation.")
    return FileResponse(QUICKSTART.open("rb"), content_type="text/plain; charset=utf-8")
