"""API routes of this app (registered with and without a trailing slash via ``api_path``)."""

from ecommerce.common.urls import api_path

from .views import AnalyticsSummaryApi

urlpatterns = [
    *api_path("analytics/summary/", AnalyticsSummaryApi.as_view(), name="analytics-summary"),
]
