"""API routes of this app (registered with and without a trailing slash via ``api_path``)."""

from ecommerce.common.urls import api_path

from .views import (
    DeliveryRedeliverApi,
    EndpointDeliveryListApi,
    EndpointDetailApi,
    EndpointListApi,
    EndpointRotateSecretApi,
    EndpointTestApi,
)

urlpatterns = [
    *api_path("webhooks/endpoints/", EndpointListApi.as_view(), name="webhook-endpoint-list"),
    *api_path(
        "webhooks/endpoints/<str:endpoint_id>/", EndpointDetailApi.as_view(), name="webhook-endpoint-detail"
    ),
    *api_path("webhooks/endpoints/<str:endpoint_id>/rotate-secret/", EndpointRotateSecretApi.as_view()),
    *api_path("webhooks/endpoints/<str:endpoint_id>/test/", EndpointTestApi.as_view()),
    *api_path("webhooks/endpoints/<str:endpoint_id>/deliveries/", EndpointDeliveryListApi.as_view()),
    *api_path("webhooks/deliveries/<str:delivery_id>/redeliver/", DeliveryRedeliverApi.as_view()),
]
