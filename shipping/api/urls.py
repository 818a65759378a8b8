"""API routes of this app (registered with and without a trailing slash via ``api_path``)."""

from ecommerce.common.urls import api_path

from .views import ShippingMethodDetailApi, ShippingMethodListApi, ShippingZoneDetailApi, ShippingZoneListApi

urlpatterns = [
    *api_path("shipping/zones/", ShippingZoneListApi.as_view(), name="shipping-zone-list"),
    *api_path("shipping/zones/<str:zone_id>/", ShippingZoneDetailApi.as_view(), name="shipping-zone-detail"),
    *api_path(
        "shipping/zones/<str:zone_id>/methods/", ShippingMethodListApi.as_view(), name="shipping-method-list"
    ),
    *api_path(
        "shipping/zones/<str:zone_id>/methods/<str:method_id>/",
        ShippingMethodDetailApi.as_view(),
        name="shipping-method-detail",
    ),
]
