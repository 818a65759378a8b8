"""Catalog endpoints: anyone reads (through the version-keyed cache), admins write."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from typing import Any

from django.http import HttpResponse, QueryDict
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
# The query parameters the product list reads (with page and page_size): its cache key.
PRODUCT_LIST_PARAMETERS = frozenset(ProductListQuerySerializer().fields)
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


def _canonical_query(request: Request, names: Iterable[str] = ()) -> QueryDict:
    """The query string as the view reads it: ``names`` and ``page``/``page_size`` only (the
    last value of each, as DRF reads them), ``page`` as a plain number and ``page_size`` as the
    size actually used. Anything else is dropped, so junk parameters neither make new cache
    keys (evicting useful entries) nor reach a cached body shared with other callers."""
    params = request.query_params
    query = QueryDict(mutable=True)
    for name in sorted({*names, "page", "page_size"}):
        value = params.get(name)
        if value is None:
            continue
        if name == "page_size":
            value = str(PageNumberPagination().get_page_size(request))
        elif name == "page":
            try:
                value = str(int(value))
            except ValueError:
                pass  # "last", or garbage that answers 404 (never cached)
        query[name] = value
    return query


class _CanonicalRequest:
    """The request as the paginator sees it: the canonical query, so the ``next``/``previous``
    links of a cached page carry only what its cache key holds."""

    def __init__(self, request: Request, query: QueryDict) -> None:
        self._request = request
        self.query_params = query

    def build_absolute_uri(self, location: str | None = None) -> str:
        query = self.query_params.urlencode()
        return self._request.build_absolute_uri(
            location or (f"{self._request.path}?{query}" if query else self._request.path)
        )


def _cache_key(request: Request, kind: str, query: QueryDict) -> str:
    """One key per host, path and canonical query string (see :func:`_canonical_query`)."""
    raw = f"{request.get_host()}|{request.path}|{query.urlencode()}"
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
        canonical = _canonical_query(request, PRODUCT_LIST_PARAMETERS)

        def build() -> bytes:
            query = _validated(ProductListQuerySerializer, canonical)  # 400s are never cached
            filters = ProductFilters(**query)
            paginator = PageNumberPagination()
            page = paginator.paginate_queryset(
                selectors.product_list(filters=filters),
                _CanonicalRequest(request, canonical),  # type: ignore[arg-type]  # duck-types the Request the paginator reads
                view=self,
            )
            if filters.category and paginator.page.paginator.count == 0:  # type: ignore[union-attr]  # set by paginate_queryset()
                # Only an empty result can come from an unknown category: check it then,
                # so the common path stays at three queries.
                selectors.category_check_exists(id_or_slug=filters.category)
            return _render(paginator.get_paginated_response(ProductSerializer(page, many=True).data).data)

        return _json(cached_read(_cache_key(request, "products:list", canonical), build))

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
        canonical = _canonical_query(request)

        def build() -> bytes:
            paginator = PageNumberPagination()
            page = paginator.paginate_queryset(
                selectors.category_tree(),
                _CanonicalRequest(request, canonical),  # type: ignore[arg-type]  # duck-types the Request the paginator reads
                view=self,
            )
            return _render(
                paginator.get_paginated_response(CategoryNodeSerializer(page, many=True).data).data
            )

        return _json(cached_read(_cache_key(request, "categories:list", canonical), build))

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
