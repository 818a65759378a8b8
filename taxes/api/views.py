"""Tax rates for admins (``/api/taxes/rates/…``); docs/shop-configuration.md."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.permissions import IsAdmin
from ecommerce.common.api import request_validated, response_created, response_page
from ecommerce.common.pagination import PageNumberPagination
from taxes import selectors, services

from .serializers import TaxRateSerializer, TaxRateWriteSerializer

TAGS = ["taxes"]


class TaxRateListApi(APIView):
    permission_classes = [IsAdmin]
    pagination_class = PageNumberPagination  # the schema's page object

    @extend_schema(
        tags=TAGS,
        summary="List tax rates",
        description="Admins only. By country, region and class, paginated.",
        responses={200: TaxRateSerializer(many=True)},
    )
    def get(self, request: Request) -> Response:
        return response_page(request, self, selectors.tax_rate_list(), TaxRateSerializer)

    @extend_schema(
        tags=TAGS,
        summary="Create a tax rate",
        description="Admins only. One rate per country, region and class (another is a 400 on "
        "`tax_class`); the `zero` class is always 0 (400 on `rate` otherwise).",
        request=TaxRateWriteSerializer,
        responses={201: TaxRateSerializer},
    )
    def post(self, request: Request) -> Response:
        rate = services.tax_rate_create(**request_validated(TaxRateWriteSerializer, request.data))
        return response_created(
            request, TaxRateSerializer(rate).data, "tax-rate-detail", rate_id=rate.public_id
        )


class TaxRateDetailApi(APIView):
    permission_classes = [IsAdmin]

    @extend_schema(tags=TAGS, summary="Get a tax rate", responses={200: TaxRateSerializer})
    def get(self, request: Request, rate_id: str) -> Response:
        return Response(TaxRateSerializer(selectors.tax_rate_get(public_id=rate_id)).data)

    @extend_schema(
        tags=TAGS,
        summary="Change a tax rate",
        description="Admins only. Any of `country`, `region` (null: the whole country), `tax_class`, `rate`.",
        request=TaxRateWriteSerializer(partial=True),
        responses={200: TaxRateSerializer},
    )
    def patch(self, request: Request, rate_id: str) -> Response:
        rate = selectors.tax_rate_get(public_id=rate_id)
        rate = services.tax_rate_update(
            rate=rate, data=request_validated(TaxRateWriteSerializer, request.data, partial=True)
        )
        return Response(TaxRateSerializer(rate).data)

    @extend_schema(
        tags=TAGS,
        summary="Delete a tax rate",
        description="Admins only. Its class is then taxed at the country's rate (for a region's rate) or not at all.",
        responses={204: OpenApiResponse(description="Deleted.")},
    )
    def delete(self, request: Request, rate_id: str) -> Response:
        services.tax_rate_delete(rate=selectors.tax_rate_get(public_id=rate_id))
        return Response(status=status.HTTP_204_NO_CONTENT)
