"""Root URLs. Every API route is registered with and without a trailing slash (no redirects);
unknown ``/api/`` paths answer a 404 with the error envelope."""

from django.conf import settings
from django.contrib import admin
from django.urls import URLPattern, URLResolver, include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerSplitView

from accounts.admin_login import admin_login_throttled
from ecommerce.common.front_door import ApiIndexApi, landing_page, quickstart
from ecommerce.common.media import media_urlpatterns
from ecommerce.common.middleware import content_security_policy
from ecommerce.common.urls import api_path
from ecommerce.common.views import HealthApi, api_not_found

api_patterns: list[URLPattern | URLResolver] = [
    path("", ApiIndexApi.as_view(), name="api-index"),  # /api/ ("/api" below)
    *api_path("health/", HealthApi.as_view(), name="health"),
    *api_path("schema/", SpectacularAPIView.as_view(), name="schema"),
    # the split view serves Swagger UI's init script as a file (?script): no inline script for the CSP
    *api_path("docs/", SpectacularSwaggerSplitView.as_view(url_name="schema"), name="swagger-ui"),
    *api_path(
        "redoc/",
        content_security_policy(settings.REDOC_CONTENT_SECURITY_POLICY)(
            SpectacularRedocView.as_view(url_name="schema")
        ),
        name="redoc",
    ),
    path("auth/", include("accounts.api.urls")),
    path("", include("catalog.api.urls")),
    path("", include("cart.api.urls")),
    path("", include("shipping.api.urls")),
    path("", include("taxes.api.urls")),
    path("", include("discounts.api.urls")),
    # inventory before orders: it owns /api/orders/process
    path("", include("inventory.api.urls")),
    path("", include("orders.api.urls")),
    path("", include("analytics.api.urls")),
    path("", include("webhooks.api.urls")),
    re_path(r"^.*$", api_not_found),
]

urlpatterns = [
    path("", landing_page, name="landing"),
    path("quickstart/", quickstart, name="quickstart"),
    path("api", ApiIndexApi.as_view()),  # the index without its trailing slash, no redirect
    path("admin/login/", admin_login_throttled, name="admin-login"),
    path("admin/", admin.site.urls),
    path("api/", include(api_patterns)),
    path("accounts/", include("accounts.urls")),  # pages behind the links in account emails
    *media_urlpatterns(),  # uploaded product images, when SERVE_MEDIA (make run)
]

# Errors Django raises outside DRF (a bad Host, a failing middleware) are the envelope under /api/.
handler400 = "ecommerce.common.views.bad_request"
handler403 = "ecommerce.common.views.permission_denied"
handler404 = "ecommerce.common.views.page_not_found"
handler500 = "ecommerce.common.views.server_error"
