"""API routes of this app (registered with and without a trailing slash via ``api_path``)."""

from ecommerce.common.urls import api_path

from .views import PromotionDetailApi, PromotionListApi, VoucherDetailApi, VoucherListApi

urlpatterns = [
    *api_path("discounts/vouchers/", VoucherListApi.as_view(), name="voucher-list"),
    *api_path("discounts/vouchers/<str:voucher_id>/", VoucherDetailApi.as_view(), name="voucher-detail"),
    *api_path("discounts/promotions/", PromotionListApi.as_view(), name="promotion-list"),
    *api_path(
        "discounts/promotions/<str:promotion_id>/", PromotionDetailApi.as_view(), name="promotion-detail"
    ),
]
