"""Order endpoints: checkout, history, detail, cancel, admin status changes."""

from __future__ import annotations

import hashlib
import json

from django.conf import settings
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.permissions import IsAdmin, IsCustomer, authenticated_user
from ecommerce.common.api import response_page, url_absolute
from ecommerce.common.exceptions import InvalidRequest
from ecommerce.common.http import client_ip
from ecommerce.common.pagination import PageNumberPagination
from ecommerce.common.ratelimit import rate_limit_enforce
from ecommerce.common.schema import ErrorEnvelopeSerializer
from orders import services
from orders.models import OrderStatus
from orders.selectors import order_get_for_guest, order_get_for_user, order_list_for_user

from .serializers import (
    CheckoutSerializer,
    OrderListQuerySerializer,
    OrderSerializer,
    OrderStatusUpdateSerializer,
)

IDEMPOTENCY_HEADER = OpenApiParameter(
    "Idempotency-Key",
    str,
    OpenApiParameter.HEADER,
    required=False,
    description="Any unique string (max 255 chars). A retry with the same key returns the same order "
    "(201 first, 200 after) and never charges or takes stock twice; the same key with another body is "
    "409 IDEMPOTENCY_CONFLICT. Kept at least 24 hours.",
)

CHECKOUT_EXAMPLE = OpenApiExample(
    "Checkout",
    request_only=True,
    value={
        "shipping_address": {
            "name": "Ada Lovelace",
            "line1": "12 Analytical Row",
            "city": "London",
            "postal_code": "N1 7AA",
            "country": "GB",
        },
        "payment": {"method": "card", "token": "tok_ok"},
    },
)


def checkout_throttle(request: Request, *, principal: str | None = None) -> None:
    """Checkout attempts per user (a guest: per cart, ``principal``) and per client IP (card
    testing: many declined cards in a row). Fails open when the store is down; ``RateLimited``
    (429) past the limit."""
    rate_limit_enforce(
        [
            (
                "checkout-user",
                principal or str(authenticated_user(request).public_id),
                settings.CHECKOUT_LIMIT_PER_USER,
            ),
            ("checkout-ip", client_ip(request._request) or "unknown", settings.CHECKOUT_LIMIT_PER_IP),
        ],
        message="Too many checkout attempts. Try again later.",
    )


def idempotency_key_of(request: Request) -> str | None:
    """The request's ``Idempotency-Key`` (None without one); 400 past 255 characters."""
    key = request.headers.get("Idempotency-Key") or None
    if key is not None and len(key) > 255:
        raise InvalidRequest(details={"Idempotency-Key": "at most 255 characters"})
    return key


def request_hash_of(data: object) -> str:
    """What an ``Idempotency-Key`` is bound to: a hash of the request body (keys sorted)."""
    return hashlib.sha256(json.dumps(data, sort_keys=True, default=str).encode()).hexdigest()


class OrderListCreateApi(APIView):
    permission_classes = [IsCustomer]
    pagination_class = PageNumberPagination  # so the schema documents GET's paginated body

    @extend_schema(
        tags=["orders"],
        summary="Order history (own orders; admins: all, with filters)",
        parameters=[OrderListQuerySerializer],
        responses={200: OrderSerializer(many=True)},
    )
    def get(self, request: Request) -> Response:
        query = OrderListQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        orders = order_list_for_user(
            user=authenticated_user(request),
            user_public_id=query.validated_data.get("user"),
            status=query.validated_data.get("status"),
        )
        return response_page(request, self, orders, OrderSerializer)

    @extend_schema(
        tags=["orders"],
        summary="Check out the whole cart",
        parameters=[IDEMPOTENCY_HEADER],
        request=CheckoutSerializer,
        examples=[CHECKOUT_EXAMPLE],
        responses={
            201: OrderSerializer,
            200: OpenApiResponse(
                OrderSerializer, description="Replay of an earlier request with the same Idempotency-Key."
            ),
            402: OpenApiResponse(
                ErrorEnvelopeSerializer,
                description="PAYMENT_FAILED: declined or gateway unavailable; order kept as payment_failed, stock returned, cart restored.",
            ),
            503: OpenApiResponse(
                ErrorEnvelopeSerializer,
                description="SERVICE_UNAVAILABLE (Retry-After): the gateway could not confirm the payment; the "
                "order stays pending; retry with the same Idempotency-Key (see docs/checkout.md).",
            ),
        },
        description="400 CART_EMPTY for an empty cart; 404 PRODUCT_NOT_FOUND / 409 PRODUCT_DISCONTINUED / "
        "409 INSUFFICIENT_STOCK naming each product in details (nothing changes). "
        "409 INVALID_STATE when another request cancelled the order while its payment was being "
        "taken: it stays cancelled and a captured payment is refunded. 429 RATE_LIMITED (with "
        "Retry-After) after too many checkout attempts by one user or from one IP.",
    )
    def post(self, request: Request) -> Response:
        checkout_throttle(request)
        body = CheckoutSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        key = idempotency_key_of(request)
        user = authenticated_user(request)
        order, created = services.order_place(
            user=user,
            shipping_address=body.validated_data["shipping_address"],
            payment=services.PaymentDetails(**body.validated_data["payment"]),
            idempotency_key=key,
            request_hash=request_hash_of(request.data),
        )
        location = url_absolute(request, "order-detail", order_id=order.public_id)
        return Response(
            OrderSerializer(order).data,  # the order, lines and timeline the service wrote
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
            # 201: where the new order lives; 200: a replay of an earlier request with this key
            headers={"Location": location} if created else {"Idempotent-Replayed": "true"},
        )


class OrderDetailApi(APIView):
    permission_classes = [IsCustomer]
    patch_is_partial = False  # PATCH validates the whole body: status is required (schema)

    def get_permissions(self):
        if self.request.method == "PATCH":
            return [IsAdmin()]
        if self.request.method == "GET" and "token" in self.request.query_params:
            return [AllowAny()]  # a guest's order, opened by its link's token
        return super().get_permissions()

    @extend_schema(
        tags=["orders"],
        summary="One order (another user's is 404); a guest's with ?token=",
        parameters=[
            OpenApiParameter(
                "token",
                str,
                OpenApiParameter.QUERY,
                required=False,
                description="A guest order's access_token (from the checkout's response or the "
                "confirmation email's link): reads the order without a JWT. A wrong token is 404.",
            )
        ],
        responses={200: OrderSerializer},
    )
    def get(self, request: Request, order_id: str) -> Response:
        if "token" in request.query_params:
            order = order_get_for_guest(order_public_id=order_id, token=request.query_params["token"])
            return Response(OrderSerializer(order, context={"guest": True}).data)
        user = authenticated_user(request)
        return Response(OrderSerializer(order_get_for_user(user=user, order_public_id=order_id)).data)

    @extend_schema(
        tags=["orders"],
        summary="Admins: change the status along the state machine",
        request=OrderStatusUpdateSerializer,
        responses={200: OrderSerializer},
        description="pending → paid → shipped → delivered, or cancelled from pending/paid; other moves are 409 INVALID_STATE.",
    )
    def patch(self, request: Request, order_id: str) -> Response:
        user = authenticated_user(request)
        body = OrderStatusUpdateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        order = services.order_transition(
            order_public_id=order_id, to_status=body.validated_data["status"], actor=user
        )
        return Response(OrderSerializer(order).data)


class OrderCancelApi(APIView):
    permission_classes = [IsCustomer]

    @extend_schema(
        tags=["orders"],
        summary="Cancel an order (pending or paid): stock returned, payment refunded",
        request=None,
        responses={200: OrderSerializer},
    )
    def post(self, request: Request, order_id: str) -> Response:
        user = authenticated_user(request)
        # another user's order is 404 (the service reads the order once, under its lock)
        order = services.order_transition(
            order_public_id=order_id, to_status=OrderStatus.CANCELLED, actor=user
        )
        return Response(OrderSerializer(order).data)
