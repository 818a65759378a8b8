"""Order routes, mounted at ``/api/`` (``orders/process`` belongs to the inventory app)."""

from ecommerce.common.urls import api_path

from .checkout_views import CheckoutCompleteApi, CheckoutCreateApi, CheckoutDetailApi
from .views import OrderCancelApi, OrderDetailApi, OrderListCreateApi

urlpatterns = [
    *api_path("orders/", OrderListCreateApi.as_view(), name="orders"),
    *api_path("orders/<str:order_id>/", OrderDetailApi.as_view(), name="order-detail"),
    *api_path("orders/<str:order_id>/cancel/", OrderCancelApi.as_view(), name="order-cancel"),
    *api_path("checkout/", CheckoutCreateApi.as_view(), name="checkout"),
    *api_path("checkout/<str:checkout_id>/", CheckoutDetailApi.as_view(), name="checkout-detail"),
    *api_path("checkout/<str:checkout_id>/complete", CheckoutCompleteApi.as_view(), name="checkout-complete"),
]
