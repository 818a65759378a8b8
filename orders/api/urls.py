"""Order routes, mounted at ``/api/`` (``orders/process`` belongs to the inventory app)."""

from ecommerce.common.urls import api_path

from .views import OrderCancelApi, OrderDetailApi, OrderListCreateApi

urlpatterns = [
    *api_path("orders/", OrderListCreateApi.as_view(), name="orders"),
    *api_path("orders/<str:order_id>/", OrderDetailApi.as_view(), name="order-detail"),
    *api_path("orders/<str:order_id>/cancel/", OrderCancelApi.as_view(), name="order-cancel"),
]
