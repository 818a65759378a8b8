"""Shipping zones and methods for admins (``/api/shipping/zones/…``); docs/shop-configuration.md."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.permissions import IsAdmin
from ecommerce.common.api import request_validated, response_created, response_page
from ecommerce.common.pagination import PageNumberPagination
from shipping import selectors, services

from .serializers import (
    ShippingMethodSerializer,
    ShippingMethodWriteSerializer,
    ShippingZoneSerializer,
    ShippingZoneUpdateSerializer,
    ShippingZoneWriteSerializer,
)

TAGS = ["shipping"]


class ShippingZoneListApi(APIView):
    permission_classes = [IsAdmin]
    pagination_class = PageNumberPagination  # the schema's page object

    @extend_schema(
        tags=TAGS,
        summary="List shipping zones",
        description="Admins only. By name, paginated, each with its countries and methods.",
        responses={200: ShippingZoneSerializer(many=True)},
    )
    def get(self, request: Request) -> Response:
        return response_page(request, self, selectors.shipping_zone_list(), ShippingZoneSerializer)

    @extend_schema(
        tags=TAGS,
        summary="Create a shipping zone",
        description='Admins only. `countries`: ISO 3166-1 alpha-2 codes, or `["*"]` for the rest of '
        "the world; a country already in another zone (or a second rest-of-world zone) is a 400 on "
        "`countries.<i>`. `methods` (optional) are created with it; a tiered method needs ascending "
        "tiers (400 on e.g. `methods.0.tiers.1.from`).",
        request=ShippingZoneWriteSerializer,
        responses={201: ShippingZoneSerializer},
    )
    def post(self, request: Request) -> Response:
        data = request_validated(ShippingZoneWriteSerializer, request.data)
        zone = services.shipping_zone_create(**data)
        zone = selectors.shipping_zone_get(public_id=zone.public_id)
        return response_created(
            request, ShippingZoneSerializer(zone).data, "shipping-zone-detail", zone_id=zone.public_id
        )


class ShippingZoneDetailApi(APIView):
    permission_classes = [IsAdmin]

    @extend_schema(tags=TAGS, summary="Get a shipping zone", responses={200: ShippingZoneSerializer})
    def get(self, request: Request, zone_id: str) -> Response:
        return Response(ShippingZoneSerializer(selectors.shipping_zone_get(public_id=zone_id)).data)

    @extend_schema(
        tags=TAGS,
        summary="Change a shipping zone",
        description="Admins only. Any of `name`, `countries` and `methods`. `methods` is the zone's "
        "whole list: an entry with an `id` changes that method, one without adds a method, and the "
        "zone's methods left out are deleted.",
        request=ShippingZoneUpdateSerializer(partial=True),
        responses={200: ShippingZoneSerializer},
    )
    def patch(self, request: Request, zone_id: str) -> Response:
        zone = selectors.shipping_zone_get(public_id=zone_id)
        data = request_validated(ShippingZoneUpdateSerializer, request.data, partial=True)
        services.shipping_zone_update(zone=zone, data=data)
        return Response(ShippingZoneSerializer(selectors.shipping_zone_get(public_id=zone_id)).data)

    @extend_schema(
        tags=TAGS,
        summary="Delete a shipping zone",
        description="Admins only. Its countries and methods go with it.",
        responses={204: OpenApiResponse(description="Deleted.")},
    )
    def delete(self, request: Request, zone_id: str) -> Response:
        services.shipping_zone_delete(zone=selectors.shipping_zone_get(public_id=zone_id))
        return Response(status=status.HTTP_204_NO_CONTENT)


class ShippingMethodListApi(APIView):
    permission_classes = [IsAdmin]
    pagination_class = PageNumberPagination  # the schema's page object

    @extend_schema(
        tags=TAGS,
        summary="List a zone's shipping methods",
        description="Admins only. By name, paginated.",
        responses={200: ShippingMethodSerializer(many=True)},
    )
    def get(self, request: Request, zone_id: str) -> Response:
        zone = selectors.shipping_zone_get(public_id=zone_id)
        return response_page(
            request, self, selectors.shipping_method_list(zone=zone), ShippingMethodSerializer
        )

    @extend_schema(
        tags=TAGS,
        summary="Add a shipping method to a zone",
        description="Admins only. `name`, `price`, `min_days` and `max_days` are required. A flat rate "
        "has no tiers; `subtotal_tiers` and `weight_tiers` need at least one, in ascending `from` "
        "(whole grams for weight). `max_days` ≥ `min_days`.",
        request=ShippingMethodWriteSerializer,
        responses={201: ShippingMethodSerializer},
    )
    def post(self, request: Request, zone_id: str) -> Response:
        zone = selectors.shipping_zone_get(public_id=zone_id)
        data = request_validated(ShippingMethodWriteSerializer, request.data)
        method = services.shipping_method_create(zone=zone, data=data)
        return response_created(
            request,
            ShippingMethodSerializer(method).data,
            "shipping-method-detail",
            zone_id=zone.public_id,
            method_id=method.public_id,
        )


class ShippingMethodDetailApi(APIView):
    permission_classes = [IsAdmin]

    @extend_schema(tags=TAGS, summary="Get a shipping method", responses={200: ShippingMethodSerializer})
    def get(self, request: Request, zone_id: str, method_id: str) -> Response:
        zone = selectors.shipping_zone_get(public_id=zone_id)
        return Response(
            ShippingMethodSerializer(selectors.shipping_method_get(zone=zone, public_id=method_id)).data
        )

    @extend_schema(
        tags=TAGS,
        summary="Change a shipping method",
        description="Admins only. Any subset of its fields; the result is checked whole (a tiered rate "
        "without tiers, `max_days` below `min_days`: 400).",
        request=ShippingMethodWriteSerializer(partial=True),
        responses={200: ShippingMethodSerializer},
    )
    def patch(self, request: Request, zone_id: str, method_id: str) -> Response:
        zone = selectors.shipping_zone_get(public_id=zone_id)
        method = selectors.shipping_method_get(zone=zone, public_id=method_id)
        data = request_validated(ShippingMethodWriteSerializer, request.data, partial=True)
        return Response(
            ShippingMethodSerializer(services.shipping_method_update(method=method, data=data)).data
        )

    @extend_schema(
        tags=TAGS,
        summary="Delete a shipping method",
        description="Admins only. Orders keep their own copy of its name and price.",
        responses={204: OpenApiResponse(description="Deleted.")},
    )
    def delete(self, request: Request, zone_id: str, method_id: str) -> Response:
        zone = selectors.shipping_zone_get(public_id=zone_id)
        services.shipping_method_delete(method=selectors.shipping_method_get(zone=zone, public_id=method_id))
        return Response(status=status.HTTP_204_NO_CONTENT)
