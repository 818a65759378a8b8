"""API routes of this app (registered with and without a trailing slash via ``api_path``)."""

from ecommerce.common.urls import api_path

from .views import TaxRateDetailApi, TaxRateListApi

urlpatterns = [
    *api_path("taxes/rates/", TaxRateListApi.as_view(), name="tax-rate-list"),
    *api_path("taxes/rates/<str:rate_id>/", TaxRateDetailApi.as_view(), name="tax-rate-detail"),
]
