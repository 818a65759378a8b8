"""Catalog endpoints: anyone reads (through the version-keyed cache), admins write."""

from __future__ import annotations

import hashlib
from typing import Any

from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.permissions import IsAdminOrReadOnly
from catalog import selectors, services
from catalog.cache import cached_read
from catalog.models import Product
from catalog.selectors import ProductFilters
from ecommerce.common.pagination import PageNumberPagination

from .serializers import (
    CategoryNodeSerializer,
    CategoryPageSerializer,
    CategoryWriteSerializer,
    ProductListQuerySerializer,
    ProductPageSerializer,
    ProductSerializer,
    ProductWriteSerializer,
)

PAGE_PARAMETERS = [
    OpenApiParameter("page", OpenApiTypes.INT, description="Page number (from 1)."),
    OpenApiParameter(
        "page_size", OpenApiTypes.INT, description="Items per page, default 20; above 100 is clamped."
    ),
]
PRODUCT_EXAMPLE = {
    "id": "prod_3kTMd9xQ2b7VfLr8",
    "name": "Premium Coffee Beans",
    "slug": "premium-coffee-beans",
    "description": "Single-origin arabica, medium roast.",
    "price": 15.99,
    "quantity": 100,
    "status": "in_stock",
    "categories": [{"id": "cat_Q2b7VfLr83kTMd9x", "name": "Coffee", "slug": "coffee"}],
    "image_url": "https://cdn.example.com/coffee.jpg",
    "manager_id": "mgr_123",
    "created_at": "2026-01-05T10:00:00Z",
    "updated_at": "2026-01-05T10:00:00Z",
}
PRODUCT_WRITE_EXAMPLE = {
    "name": "Premium Coffee Beans",
    "description": "Single-origin arabica, medium roast.",
    "price": 15.99,
    "quantity": 100,
    "categories": ["cat_Q2b7VfLr83kTMd9x"],
}


def _cache_key(request: Request, kind: str) -> str:
    """One key per host, path and (sorted) query string: pagination links stay right."""
    params = sorted((key, values) for key, values in request.query_params.lists())
    raw = f"{request.get_host()}|{request.path}|{params}"
    return f"{kind}:{hashlib.sha256(raw.encode()).hexdigest()}"


def _render(data: Any) -> bytes:
    """The JSON body DRF would send; cached as bytes so a cache hit is not rendered again."""
    return JSONRenderer().render(data)


def _json(body: bytes) -> HttpResponse:
    return HttpResponse(body, content_type="application/json")


def _validated(serializer_class: type, data: Any, *, partial: bool = False) -> dict[str, Any]:
    serializer = serializer_class(data=data, partial=partial)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


# --- products ------------------------------------------------------------------------------


class ProductListApi(APIView):
    permission_classes = [IsAdminOrReadOnly]

    @extend_schema(
        operation_id="products_list",
        summary="List products",
        description="Anyone. Paginated; cached and invalidated by every catalog write. "
        "Unknown filter or ordering values and `min_price > max_price` are a 400 naming the field.",
        parameters=[ProductListQuerySerializer, *PAGE_PARAMETERS],
        responses={200: ProductPageSerializer},
        tags=["catalog"],
    )
    def get(self, request: Request) -> HttpResponse:
        def build() -> bytes:
            query = _validated(ProductListQuerySerializer, request.query_params)  # 400s are never cached
            filters = ProductFilters(**query)
            paginator = PageNumberPagination()
            page = paginator.paginate_queryset(selectors.product_list(filters=filters), request, view=self)
            if filters.category and paginator.page.paginator.count == 0:
                # Only an empty result can come from an unknown category: check it then,
                # so the common path stays at three queries.
                selectors.category_check_exists(id_or_slug=filters.category)
            return _render(paginator.get_paginated_response(ProductSerializer(page, many=True).data).data)

        return _json(cached_read(_cache_key(request, "products:list"), build))

    @extend_schema(
        operation_id="products_create",
        summary="Create a product",
        description="Admins only. Unknown category ids or manager id are a 400 naming the field.",
        request=ProductWriteSerializer,
        responses={201: ProductSerializer},
        examples=[
            OpenApiExample("Create", value=PRODUCT_WRITE_EXAMPLE, request_only=True),
            OpenApiExample("Created", value=PRODUCT_EXAMPLE, response_only=True, status_codes=["201"]),
        ],
        tags=["catalog"],
    )
    def post(self, request: Request) -> Response:
        data = _validated(ProductWriteSerializer, request.data)
        product = services.product_create(**data)
        return Response(
            ProductSerializer(selectors.product_get(public_id=product.public_id)).data, status=201
        )


class ProductDetailApi(APIView):
    permission_classes = [IsAdminOrReadOnly]

    @extend_schema(
        operation_id="products_retrieve",
        summary="Get a product",
        description="Anyone; discontinued products too. Unknown id → 404 `PRODUCT_NOT_FOUND`.",
        responses={200: ProductSerializer},
        examples=[OpenApiExample("Product", value=PRODUCT_EXAMPLE, response_only=True)],
        tags=["catalog"],
    )
    def get(self, request: Request, product_id: str) -> HttpResponse:
        def build() -> bytes:
            return _render(ProductSerializer(selectors.product_get(public_id=product_id)).data)

        return _json(cached_read(f"products:detail:{product_id}", build))

    def _update(self, request: Request, product_id: str, *, partial: bool) -> Response:
        product = selectors.product_get(public_id=product_id)
        data = _validated(ProductWriteSerializer, request.data, partial=partial)
        if not partial:  # PUT replaces: optional fields left out go back to their defaults
            data = {"description": "", "categories": [], "image_url": "", "manager_id": None, **data}
        services.product_update(product=product, data=data)
        return Response(ProductSerializer(selectors.product_get(public_id=product_id)).data)

    @extend_schema(
        operation_id="products_update",
        summary="Replace a product",
        description="Admins only. Optional fields left out return to their defaults.",
        request=ProductWriteSerializer,
        responses={200: ProductSerializer},
        tags=["catalog"],
    )
    def put(self, request: Request, product_id: str) -> Response:
        return self._update(request, product_id, partial=False)

    @extend_schema(
        operation_id="products_partial_update",
        summary="Change a product",
        description="Admins only. Any subset of the fields.",
        request=ProductWriteSerializer(partial=True),
        responses={200: ProductSerializer},
        examples=[OpenApiExample("Price change", value={"price": 13.49}, request_only=True)],
        tags=["catalog"],
    )
    def patch(self, request: Request, product_id: str) -> Response:
        return self._update(request, product_id, partial=True)

    @extend_schema(
        operation_id="products_destroy",
        summary="Delete a product",
        description="Admins only. A product that orders reference is discontinued instead "
        "(still 204; it then shows `status: discontinued`).",
        responses={204: OpenApiResponse(description="Deleted, or discontinued when orders reference it.")},
        tags=["catalog"],
    )
    def delete(self, request: Request, product_id: str) -> Response:
        product: Product = selectors.product_get(public_id=product_id)
        services.product_delete(product=product)
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- categories ----------------------------------------------------------------------------


class CategoryListApi(APIView):
    permission_classes = [IsAdminOrReadOnly]

    @extend_schema(
        operation_id="categories_list",
        summary="The category tree",
        description="Anyone. Root categories (paginated), each with its whole sub-tree in `children`.",
        parameters=PAGE_PARAMETERS,
        responses={200: CategoryPageSerializer},
        tags=["catalog"],
    )
    def get(self, request: Request) -> HttpResponse:
        def build() -> bytes:
            paginator = PageNumberPagination()
            page = paginator.paginate_queryset(selectors.category_tree(), request, view=self)  # type: ignore[arg-type]
            return _render(
                paginator.get_paginated_response(CategoryNodeSerializer(page, many=True).data).data
            )

        return _json(cached_read(_cache_key(request, "categories:list"), build))

    @extend_schema(
        operation_id="categories_create",
        summary="Create a category",
        description="Admins only. `parent` is a category public id (null or absent: a root).",
        request=CategoryWriteSerializer,
        responses={201: CategoryNodeSerializer},
        examples=[OpenApiExample("Create", value={"name": "Coffee", "parent": None}, request_only=True)],
        tags=["catalog"],
    )
    def post(self, request: Request) -> Response:
        data = _validated(CategoryWriteSerializer, request.data)
        category = services.category_create(**data)
        return Response(
            CategoryNodeSerializer(selectors.category_get(public_id=category.public_id)).data, status=201
        )


class CategoryDetailApi(APIView):
    permission_classes = [IsAdminOrReadOnly]

    @extend_schema(
        operation_id="categories_retrieve",
        summary="Get a category with its sub-tree",
        responses={200: CategoryNodeSerializer},
        tags=["catalog"],
    )
    def get(self, request: Request, category_id: str) -> HttpResponse:
        def build() -> bytes:
            return _render(CategoryNodeSerializer(selectors.category_get(public_id=category_id)).data)

        return _json(cached_read(f"categories:detail:{category_id}", build))

    @extend_schema(
        operation_id="categories_partial_update",
        summary="Change a category",
        description="Admins only. Moving a category under itself or a descendant is a 400 on `parent`.",
        request=CategoryWriteSerializer(partial=True),
        responses={200: CategoryNodeSerializer},
        tags=["catalog"],
    )
    def patch(self, request: Request, category_id: str) -> Response:
        category = selectors.category_get_for_update(public_id=category_id)
        data = _validated(CategoryWriteSerializer, request.data, partial=True)
        services.category_update(category=category, data=data)
        return Response(CategoryNodeSerializer(selectors.category_get(public_id=category_id)).data)

    @extend_schema(
        operation_id="categories_destroy",
        summary="Delete a category",
        description="Admins only. Its children move up to its parent; no product is deleted.",
        responses={204: OpenApiResponse(description="Deleted.")},
        tags=["catalog"],
    )
    def delete(self, request: Request, category_id: str) -> Response:
        services.category_delete(category=selectors.category_get_for_update(public_id=category_id))
        return Response(status=status.HTTP_204_NO_CONTENT)
