"""Checkout session endpoints: ``/api/checkout/`` (a signed-in buyer, or a guest with
``X-Cart-Token``)."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from cart.api.access import CART_AUTHENTICATION, IsCustomerOrGuest, cart_owner
from ecommerce.common.api import url_absolute
from ecommerce.common.schema import ErrorEnvelopeSerializer
from orders import services
from orders.selectors import CheckoutOwner, checkout_get, checkout_view
from orders.services.sessions import (
    CheckoutChanges,
    checkout_cancel,
    checkout_create,
    checkout_update,
)

from .checkout_serializers import (
    CheckoutCompleteSerializer,
    CheckoutSessionSerializer,
    CheckoutUpdateSerializer,
)
from .serializers import OrderSerializer
from .views import IDEMPOTENCY_HEADER, checkout_throttle, idempotency_key_of, request_hash_of


def checkout_owner(request: Request) -> CheckoutOwner:
    """The signed-in user, else the guest whose ``X-Cart-Token`` names a live cart (401
    otherwise: ``cart.api.access``)."""
    owner = cart_owner(request)
    return CheckoutOwner(user=owner.user, cart_id=owner.cart.pk if owner.cart is not None else None)


class _CheckoutApi(APIView):
    """A signed-in buyer (JWT) or a guest (``X-Cart-Token``), as the cart endpoints."""

    authentication_classes = CART_AUTHENTICATION
    permission_classes = [IsCustomerOrGuest]


class CheckoutCreateApi(_CheckoutApi):
    @extend_schema(
        tags=["checkout"],
        summary="Open a checkout session for the caller's cart",
        request=None,
        responses={201: CheckoutSessionSerializer},
        description="From the signed-in user's cart, or a guest cart named by X-Cart-Token. "
        "400 CART_EMPTY when there is nothing to buy.",
    )
    def post(self, request: Request) -> Response:
        session = checkout_create(owner=checkout_owner(request))
        return Response(
            CheckoutSessionSerializer(checkout_view(session)).data,
            status=status.HTTP_201_CREATED,
            headers={"Location": url_absolute(request, "checkout-detail", checkout_id=session.public_id)},
        )


class CheckoutDetailApi(_CheckoutApi):
    @extend_schema(
        tags=["checkout"],
        summary="A checkout session, priced now",
        responses={200: CheckoutSessionSerializer},
    )
    def get(self, request: Request, checkout_id: str) -> Response:
        view = checkout_get(public_id=checkout_id, owner=checkout_owner(request))
        return Response(CheckoutSessionSerializer(view).data)

    @extend_schema(
        tags=["checkout"],
        summary="Set the email, addresses, shipping method or discount codes",
        request=CheckoutUpdateSerializer,
        responses={200: CheckoutSessionSerializer},
        description="All or nothing. 400 VOUCHER_INVALID for an unknown or expired code; 409 "
        "SHIPPING_UNAVAILABLE for a method the address cannot have; 409 CHECKOUT_EXPIRED.",
    )
    def patch(self, request: Request, checkout_id: str) -> Response:
        body = CheckoutUpdateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        owner = checkout_owner(request)
        session = checkout_update(
            public_id=checkout_id, owner=owner, changes=CheckoutChanges(**body.validated_data)
        )
        return Response(CheckoutSessionSerializer(checkout_view(session)).data)

    @extend_schema(
        tags=["checkout"],
        summary="Cancel a checkout session",
        responses={204: None},
    )
    def delete(self, request: Request, checkout_id: str) -> Response:
        checkout_cancel(public_id=checkout_id, owner=checkout_owner(request))
        return Response(status=status.HTTP_204_NO_CONTENT)


class CheckoutCompleteApi(_CheckoutApi):
    @extend_schema(
        tags=["checkout"],
        summary="Complete a checkout session: place the order and take the payment",
        parameters=[IDEMPOTENCY_HEADER],
        request=CheckoutCompleteSerializer,
        responses={
            201: OrderSerializer,
            200: OpenApiResponse(
                OrderSerializer, description="Replay of an earlier request with the same Idempotency-Key."
            ),
            402: OpenApiResponse(
                ErrorEnvelopeSerializer, description="PAYMENT_FAILED: nothing kept, cart restored."
            ),
        },
        description="409 PRICE_CHANGED (new totals in details.totals) when expected_total is not the total; "
        "409 INSUFFICIENT_STOCK; 409 VOUCHER_EXHAUSTED; 409 SHIPPING_UNAVAILABLE; 409 CHECKOUT_EXPIRED; "
        "400 without an address, a shipping method or (guests) an email. Nothing is taken on any of these.",
    )
    def post(self, request: Request, checkout_id: str) -> Response:
        owner = checkout_owner(request)
        checkout_throttle(request, principal=None if owner.user is not None else f"cart:{owner.cart_id}")
        body = CheckoutCompleteSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        key = idempotency_key_of(request)
        order, created = services.checkout_complete(
            public_id=checkout_id,
            owner=owner,
            payment=services.PaymentDetails(**body.validated_data["payment"]),
            expected_total=body.validated_data.get("expected_total"),
            idempotency_key=key,
            request_hash=request_hash_of(request.data),
        )
        location = url_absolute(request, "order-detail", order_id=order.public_id)
        return Response(
            OrderSerializer(order, context={"guest": owner.user is None}).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
            headers={"Location": location} if created else {"Idempotent-Replayed": "true"},
        )
