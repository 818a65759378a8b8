"""Vouchers and promotions for admins (``/api/discounts/…``); docs/shop-configuration.md."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.permissions import IsAdmin
from discounts import selectors, services
from ecommerce.common.api import request_validated, response_created, response_page
from ecommerce.common.pagination import PageNumberPagination

from .serializers import (
    PromotionSerializer,
    PromotionWriteSerializer,
    VoucherSerializer,
    VoucherWriteSerializer,
)

TAGS = ["discounts"]


class VoucherListApi(APIView):
    permission_classes = [IsAdmin]
    pagination_class = PageNumberPagination  # the schema's page object

    @extend_schema(
        tags=TAGS,
        summary="List vouchers",
        description="Admins only. Newest first, paginated.",
        responses={200: VoucherSerializer(many=True)},
    )
    def get(self, request: Request) -> Response:
        return response_page(request, self, selectors.voucher_list(), VoucherSerializer)

    @extend_schema(
        tags=TAGS,
        summary="Create a voucher",
        description="Admins only. The code is stored upper case and is unique case-insensitively "
        "(a taken one is a 400 on `code`); `value` is a percentage in (0, 100] or an amount above 0 "
        "(400 on `value`); unknown ids in `applies_to` are a 400 naming them "
        "(`applies_to.products.0`); `ends_at` must be after `starts_at`.",
        request=VoucherWriteSerializer,
        responses={201: VoucherSerializer},
    )
    def post(self, request: Request) -> Response:
        voucher = services.voucher_create(data=request_validated(VoucherWriteSerializer, request.data))
        return response_created(
            request, VoucherSerializer(voucher).data, "voucher-detail", voucher_id=voucher.public_id
        )


class VoucherDetailApi(APIView):
    permission_classes = [IsAdmin]

    @extend_schema(tags=TAGS, summary="Get a voucher", responses={200: VoucherSerializer})
    def get(self, request: Request, voucher_id: str) -> Response:
        return Response(VoucherSerializer(selectors.voucher_get(public_id=voucher_id)).data)

    @extend_schema(
        tags=TAGS,
        summary="Change a voucher",
        description="Admins only. Any subset of the fields; `applies_to` replaces the scope. "
        "`used_count` is read-only (only orders change it).",
        request=VoucherWriteSerializer(partial=True),
        responses={200: VoucherSerializer},
    )
    def patch(self, request: Request, voucher_id: str) -> Response:
        voucher = selectors.voucher_get(public_id=voucher_id)
        data = request_validated(VoucherWriteSerializer, request.data, partial=True)
        return Response(VoucherSerializer(services.voucher_update(voucher=voucher, data=data)).data)

    @extend_schema(
        tags=TAGS,
        summary="Delete a voucher",
        description="Admins only. A voucher that orders used stays for their records: 409 "
        "`INVALID_STATE` (set `is_active` false instead).",
        responses={204: OpenApiResponse(description="Deleted.")},
    )
    def delete(self, request: Request, voucher_id: str) -> Response:
        services.voucher_delete(voucher=selectors.voucher_get(public_id=voucher_id))
        return Response(status=status.HTTP_204_NO_CONTENT)


class PromotionListApi(APIView):
    permission_classes = [IsAdmin]
    pagination_class = PageNumberPagination  # the schema's page object

    @extend_schema(
        tags=TAGS,
        summary="List promotions",
        description="Admins only. Newest first, paginated.",
        responses={200: PromotionSerializer(many=True)},
    )
    def get(self, request: Request) -> Response:
        return response_page(request, self, selectors.promotion_list(), PromotionSerializer)

    @extend_schema(
        tags=TAGS,
        summary="Create a promotion",
        description="Admins only. An automatic discount for every order from `starts_at` until "
        "`ends_at`: a percentage off (its `applies_to`, or the whole order) or free shipping (e.g. "
        "with `min_subtotal`). `value` in (0, 100] for a percentage (400 on `value`).",
        request=PromotionWriteSerializer,
        responses={201: PromotionSerializer},
    )
    def post(self, request: Request) -> Response:
        promotion = services.promotion_create(data=request_validated(PromotionWriteSerializer, request.data))
        return response_created(
            request, PromotionSerializer(promotion).data, "promotion-detail", promotion_id=promotion.public_id
        )


class PromotionDetailApi(APIView):
    permission_classes = [IsAdmin]

    @extend_schema(tags=TAGS, summary="Get a promotion", responses={200: PromotionSerializer})
    def get(self, request: Request, promotion_id: str) -> Response:
        return Response(PromotionSerializer(selectors.promotion_get(public_id=promotion_id)).data)

    @extend_schema(
        tags=TAGS,
        summary="Change a promotion",
        description="Admins only. Any subset of the fields; `applies_to` replaces the scope.",
        request=PromotionWriteSerializer(partial=True),
        responses={200: PromotionSerializer},
    )
    def patch(self, request: Request, promotion_id: str) -> Response:
        promotion = selectors.promotion_get(public_id=promotion_id)
        data = request_validated(PromotionWriteSerializer, request.data, partial=True)
        return Response(PromotionSerializer(services.promotion_update(promotion=promotion, data=data)).data)

    @extend_schema(
        tags=TAGS,
        summary="Delete a promotion",
        description="Admins only.",
        responses={204: OpenApiResponse(description="Deleted.")},
    )
    def delete(self, request: Request, promotion_id: str) -> Response:
        services.promotion_delete(promotion=selectors.promotion_get(public_id=promotion_id))
        return Response(status=status.HTTP_204_NO_CONTENT)
