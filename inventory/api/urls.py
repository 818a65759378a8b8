"""Routes of the store-manager inventory API, mounted at ``/api/`` before the orders app (this
app owns ``/api/orders/process``). Each works with and without a trailing slash."""

from ecommerce.common.urls import api_path

from .views import InventoryDiscontinueApi, InventoryOrderProcessApi, InventoryProductsApi

urlpatterns = [
    *api_path("inventory/products/", InventoryProductsApi.as_view(), name="inventory-products"),
    *api_path("inventory/discontinue/", InventoryDiscontinueApi.as_view(), name="inventory-discontinue"),
    *api_path("orders/process/", InventoryOrderProcessApi.as_view(), name="inventory-orders-process"),
]
