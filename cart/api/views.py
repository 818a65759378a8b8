"""Cart endpoints: each signed-in user sees and changes only their own cart."""

from __future__ import annotations

from django.urls import reverse
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.permissions import IsCustomer, authenticated_user
from cart import services
from cart.selectors import cart_get_for_user

from .serializers import CartItemAddSerializer, CartItemUpdateSerializer, CartSerializer


def _cart_response(request: Request, status_code: int = status.HTTP_200_OK) -> Response:
    # A 201 (an item added) points at the cart, where the new line lives.
    headers = {"Location": request.build_absolute_uri(reverse("cart"))} if status_code == 201 else None
    return Response(
        CartSerializer(cart_get_for_user(user=authenticated_user(request))).data,
        status=status_code,
        headers=headers,
    )


class CartApi(APIView):
    permission_classes = [IsCustomer]

    @extend_schema(tags=["cart"], summary="The signed-in user's cart", responses={200: CartSerializer})
    def get(self, request: Request) -> Response:
        return _cart_response(request)

    @extend_schema(tags=["cart"], summary="Empty the cart (saved-for-later is kept)", responses={204: None})
    def delete(self, request: Request) -> Response:
        services.cart_clear(user=authenticated_user(request))
        return Response(status=status.HTTP_204_NO_CONTENT)


class CartItemAddApi(APIView):
    permission_classes = [IsCustomer]

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
        services.cart_item_add(
            user=authenticated_user(request),
            product_public_id=data.validated_data.get("variant_id") or data.validated_data["product_id"],
            quantity=data.validated_data["quantity"],
        )
        return _cart_response(request, status.HTTP_201_CREATED)


class CartItemApi(APIView):
    patch_is_partial = False  # PATCH validates the whole body: quantity is required (schema)
    permission_classes = [IsCustomer]

    @extend_schema(
        tags=["cart"],
        summary="Set a line's quantity (0 removes it)",
        request=CartItemUpdateSerializer,
        responses={200: CartSerializer},
    )
    def patch(self, request: Request, product_id: str) -> Response:
        data = CartItemUpdateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.cart_item_update(
            user=authenticated_user(request),
            product_public_id=product_id,
            quantity=data.validated_data["quantity"],
        )
        return _cart_response(request)

    @extend_schema(tags=["cart"], summary="Remove a product", responses={200: CartSerializer})
    def delete(self, request: Request, product_id: str) -> Response:
        services.cart_item_remove(user=authenticated_user(request), product_public_id=product_id)
        return _cart_response(request)


class CartItemSaveForLaterApi(APIView):
    permission_classes = [IsCustomer]

    @extend_schema(
        tags=["cart"], summary="Move a line to saved-for-later", request=None, responses={200: CartSerializer}
    )
    def post(self, request: Request, product_id: str) -> Response:
        services.cart_item_save_for_later(user=authenticated_user(request), product_public_id=product_id)
        return _cart_response(request)


class CartSavedMoveToCartApi(APIView):
    permission_classes = [IsCustomer]

    @extend_schema(
        tags=["cart"],
        summary="Move a saved line back to the cart",
        request=None,
        responses={200: CartSerializer},
    )
    def post(self, request: Request, product_id: str) -> Response:
        services.cart_item_move_to_cart(user=authenticated_user(request), product_public_id=product_id)
        return _cart_response(request)
