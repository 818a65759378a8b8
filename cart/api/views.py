"""Cart endpoints: each signed-in user sees and changes only their own cart; a guest (no account)
only the cart of the ``X-Cart-Token`` it holds (``cart.api.access``)."""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.exceptions import NotAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.permissions import IsCustomer, authenticated_user
from cart import services
from cart.selectors import CartView, cart_get, cart_get_for_user
from ecommerce.common.http import client_ip
from ecommerce.common.ratelimit import rate_limit_enforce

from .access import CART_AUTHENTICATION, CartOwner, IsCustomerOrGuest, cart_owner
from .serializers import (
    CartItemAddSerializer,
    CartItemUpdateSerializer,
    CartMergeSerializer,
    CartSerializer,
    GuestCartSerializer,
)

GUEST = (
    " A guest (no account) sends its cart's `X-Cart-Token` instead of a bearer JWT; with a JWT the "
    "user's own cart is used."
)


def _cart_view(owner: CartOwner) -> CartView:
    if owner.cart is not None:
        return cart_get(cart=owner.cart)
    if owner.user is None:  # cart_owner returns one of the two
        raise NotAuthenticated()
    return cart_get_for_user(user=owner.user)


def _cart_response(request: Request, status_code: int = status.HTTP_200_OK) -> Response:
    # A 201 (an item added) points at the cart, where the new line lives.
    headers = {"Location": request.build_absolute_uri(reverse("cart"))} if status_code == 201 else None
    return Response(CartSerializer(_cart_view(cart_owner(request))).data, status=status_code, headers=headers)


class CartOwnerApi(APIView):
    """The caller's own cart: the signed-in user's, or the guest cart of ``X-Cart-Token``."""

    authentication_classes = CART_AUTHENTICATION
    permission_classes = [IsCustomerOrGuest]


class CartApi(CartOwnerApi):
    @extend_schema(
        tags=["cart"], summary="The caller's cart", description=GUEST.strip(), responses={200: CartSerializer}
    )
    def get(self, request: Request) -> Response:
        return _cart_response(request)

    @extend_schema(tags=["cart"], summary="Empty the cart (saved-for-later is kept)", responses={204: None})
    def delete(self, request: Request) -> Response:
        owner = cart_owner(request)
        services.cart_clear(user=owner.user, cart=owner.cart)
        return Response(status=status.HTTP_204_NO_CONTENT)


class CartItemAddApi(CartOwnerApi):
    @extend_schema(
        tags=["cart"],
        summary="Add a product (adds to an existing line)",
        request=CartItemAddSerializer,
        responses={201: CartSerializer},
        description="404 PRODUCT_NOT_FOUND for an unknown product; 409 PRODUCT_DISCONTINUED or "
        "INSUFFICIENT_STOCK when it cannot be bought in that quantity now.",
    )
    def post(self, request: Request) -> Response:
        data = CartItemAddSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        owner = cart_owner(request)
        services.cart_item_add(
            user=owner.user,
            cart=owner.cart,
            product_public_id=data.validated_data.get("variant_id") or data.validated_data["product_id"],
            quantity=data.validated_data["quantity"],
        )
        return _cart_response(request, status.HTTP_201_CREATED)


class CartItemApi(CartOwnerApi):
    patch_is_partial = False  # PATCH validates the whole body: quantity is required (schema)

    @extend_schema(
        tags=["cart"],
        summary="Set a line's quantity (0 removes it)",
        request=CartItemUpdateSerializer,
        responses={200: CartSerializer},
    )
    def patch(self, request: Request, product_id: str) -> Response:
        data = CartItemUpdateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        owner = cart_owner(request)
        services.cart_item_update(
            user=owner.user,
            cart=owner.cart,
            product_public_id=product_id,
            quantity=data.validated_data["quantity"],
        )
        return _cart_response(request)

    @extend_schema(tags=["cart"], summary="Remove a product", responses={200: CartSerializer})
    def delete(self, request: Request, product_id: str) -> Response:
        owner = cart_owner(request)
        services.cart_item_remove(user=owner.user, cart=owner.cart, product_public_id=product_id)
        return _cart_response(request)


class CartItemSaveForLaterApi(CartOwnerApi):
    @extend_schema(
        tags=["cart"], summary="Move a line to saved-for-later", request=None, responses={200: CartSerializer}
    )
    def post(self, request: Request, product_id: str) -> Response:
        owner = cart_owner(request)
        services.cart_item_save_for_later(user=owner.user, cart=owner.cart, product_public_id=product_id)
        return _cart_response(request)


class CartSavedMoveToCartApi(CartOwnerApi):
    @extend_schema(
        tags=["cart"],
        summary="Move a saved line back to the cart",
        request=None,
        responses={200: CartSerializer},
    )
    def post(self, request: Request, product_id: str) -> Response:
        owner = cart_owner(request)
        services.cart_item_move_to_cart(user=owner.user, cart=owner.cart, product_public_id=product_id)
        return _cart_response(request)


class CartCreateApi(APIView):
    """``POST /api/carts/``: a guest cart for a client without an account."""

    authentication_classes: list[type] = []  # anyone; a bearer token is not looked at
    permission_classes: list[type] = []

    @extend_schema(
        tags=["cart"],
        summary="Make a guest cart (no account needed)",
        description=(
            "Returns the new cart's `id` and its `token` (`ct_…`, shown only here): send it as "
            "`X-Cart-Token` on the `/api/cart/…` endpoints, and at sign-in (`POST /api/auth/login` with "
            "the header), or to `POST /api/cart/merge`, to move the guest cart into the account's cart. "
            "A guest cart expires GUEST_CART_TTL_DAYS (30) days after its last change. Limited per client "
            "IP (GUEST_CART_LIMIT_PER_IP, 60 an hour): 429 RATE_LIMITED with Retry-After."
        ),
        request=None,
        responses={201: GuestCartSerializer},
    )
    def post(self, request: Request) -> Response:
        rate_limit_enforce(
            [("guest-cart-ip", client_ip(request._request) or "unknown", settings.GUEST_CART_LIMIT_PER_IP)],
            message="Too many new carts from this address. Try again later.",
        )
        cart, token = services.cart_guest_create()
        view = cart_get(cart=cart)
        body = GuestCartSerializer(
            {
                "public_id": cart.public_id,
                "token": token,
                "items": view.items,
                "saved_for_later": view.saved_for_later,
                "subtotal": view.subtotal,
                "item_count": view.item_count,
                "currency": view.currency,
            }
        ).data
        location = request.build_absolute_uri(reverse("cart"))
        return Response(body, status=status.HTTP_201_CREATED, headers={"Location": location})


class CartMergeApi(APIView):
    permission_classes = [IsCustomer]

    @extend_schema(
        tags=["cart"],
        summary="Merge a guest cart into my cart",
        description=(
            "Moves the guest cart of `token` into the signed-in user's cart and empties it (the token stays "
            "valid). Same variant: quantities added, capped by the current stock; a variant no longer "
            "buyable is dropped; saved-for-later lines join the saved list unless the variant is already "
            "in the cart or the list. Merging again changes nothing more. 404 NOT_FOUND for a token that "
            "names no guest cart (unknown or expired). Signing in with `X-Cart-Token` does the same."
        ),
        request=CartMergeSerializer,
        responses={200: CartSerializer},
    )
    def post(self, request: Request) -> Response:
        data = CartMergeSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        user = authenticated_user(request)
        services.cart_merge(user=user, token=data.validated_data["token"])
        return Response(CartSerializer(cart_get_for_user(user=user)).data)
