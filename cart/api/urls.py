"""Cart routes, mounted at ``/api/``."""

from ecommerce.common.urls import api_path

from .views import (
    CartApi,
    CartCreateApi,
    CartItemAddApi,
    CartItemApi,
    CartItemSaveForLaterApi,
    CartMergeApi,
    CartSavedMoveToCartApi,
)

urlpatterns = [
    *api_path("carts/", CartCreateApi.as_view(), name="carts"),
    *api_path("cart/", CartApi.as_view(), name="cart"),
    *api_path("cart/merge/", CartMergeApi.as_view(), name="cart-merge"),
    *api_path("cart/items/", CartItemAddApi.as_view(), name="cart-items"),
    *api_path("cart/items/<str:product_id>/", CartItemApi.as_view(), name="cart-item"),
    *api_path(
        "cart/items/<str:product_id>/save-for-later/",
        CartItemSaveForLaterApi.as_view(),
        name="cart-item-save",
    ),
    *api_path(
        "cart/saved/<str:product_id>/move-to-cart/", CartSavedMoveToCartApi.as_view(), name="cart-saved-move"
    ),
]
