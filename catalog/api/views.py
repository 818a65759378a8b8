"""Catalog endpoints: anyone reads (through the version-keyed cache), admins write."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from typing import Any

from django.conf import settings
from django.http import (
    HttpResponse,
    HttpResponseBase,
    HttpResponseNotModified,
    QueryDict,
    StreamingHttpResponse,
)
from django.utils.cache import patch_vary_headers
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.parsers import MultiPartParser
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.permissions import IsAdmin, IsAdminOrReadOnly
from catalog import attributes, csv_io, selectors, services
from catalog.cache import cached_read, catalog_version
from catalog.facets import PREFIX as ATTR_PREFIX
from catalog.facets import list_parameters_parse
from catalog.models import Product
from catalog.selectors import ProductFilters
from ecommerce.common.api import request_validated, url_absolute
from ecommerce.common.pagination import CategoryTreePagination, PageNumberPagination

from .openapi import EXPORT_EXAMPLE, PRODUCT
from .serializers import (
    AttributeSerializer,
    AttributeWriteSerializer,
    CategoryNodeSerializer,
    CategoryWriteSerializer,
    ProductImageSerializer,
    ProductImageUploadSerializer,
    ProductImageWriteSerializer,
    ProductImportQuerySerializer,
    ProductImportResultSerializer,
    ProductImportSerializer,
    ProductListQuerySerializer,
    ProductSerializer,
    ProductWriteSerializer,
    VariantSerializer,
    VariantWriteSerializer,
    facets_data,
)

# The query parameters the product list reads (with page and page_size): its cache key.
PRODUCT_LIST_PARAMETERS = frozenset(ProductListQuerySerializer().fields)
PRODUCT_WRITE_EXAMPLE = {
    "name": "Premium Coffee Beans",
    "description": "Single-origin arabica, medium roast.",
    "price": 15.99,
    "quantity": 100,
    "categories": ["cat_Q2b7VfLr83kTMd9x"],
}


def _canonical_query(request: Request, names: Iterable[str] = ()) -> QueryDict:
    """The query string as the view reads it: ``names`` and ``page``/``page_size`` only (the
    last value of each, as DRF reads them), ``page`` and ``page_size`` always, as the numbers
    actually used (400 when invalid, see ``ecommerce.common.pagination``). Empty values count as
    absent and anything else is dropped, so junk parameters neither make new cache keys
    (evicting useful entries) nor reach a cached body shared with other callers."""
    params = request.query_params
    paginator = PageNumberPagination()
    query = QueryDict(mutable=True)
    for name in sorted(names):
        value = params.get(name)
        if value:  # None (absent) and "" (empty) are the same
            query[name] = value
    query["page"] = str(paginator.get_page_number(request, None))
    query["page_size"] = str(paginator.get_page_size(request))
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


# Anonymous reads may be kept by shared caches (a CDN) for a minute; signed-in ones only by the
# caller's own cache. Either revalidates with If-None-Match (docs/api-conventions.md).
PUBLIC_CACHE_CONTROL = "public, max-age=60"
PRIVATE_CACHE_CONTROL = "private, max-age=0, must-revalidate"


def _etag(version: int, key: str) -> str:
    """A strong tag for the body of ``key`` under catalog ``version``: any catalog write changes it."""
    return f'"{version}-{hashlib.sha256(key.encode()).hexdigest()[:16]}"'


def _conditional_json(request: Request, key: str, build: Callable[[], bytes]) -> HttpResponse:
    """The cached body of ``key`` (see :func:`catalog.cache.cached_read`) with ``ETag`` and
    ``Cache-Control``, or a 304 without a body when ``If-None-Match`` names the current tag."""
    version = catalog_version()  # read before the body: a write in between only makes the tag older
    etag = _etag(version, key) if version is not None else None
    if etag is not None and _matches(request.headers.get("If-None-Match", ""), etag):
        response: HttpResponse = HttpResponseNotModified()
    else:
        response = _json(cached_read(key, build))
    if etag is not None:
        response["ETag"] = etag
    signed_in = request.user.is_authenticated
    response["Cache-Control"] = PRIVATE_CACHE_CONTROL if signed_in else PUBLIC_CACHE_CONTROL
    patch_vary_headers(response, ["Authorization"])
    return response


def _matches(if_none_match: str, etag: str) -> bool:
    """Whether an ``If-None-Match`` header names ``etag`` (weak comparison, or ``*``)."""
    tags = {tag.strip().removeprefix("W/") for tag in if_none_match.split(",")}
    return "*" in tags or etag in tags


# --- products ------------------------------------------------------------------------------


class ProductPagination(PageNumberPagination):
    """The product list's page: the contract page, plus ``facets`` when asked for."""

    def get_paginated_response_schema(self, schema: dict[str, Any]) -> dict[str, Any]:
        page = super().get_paginated_response_schema(schema)
        page["properties"]["facets"] = {
            "type": "object",
            "description": "Only with `facets`: for each requested attribute slug, `[{value, count}]` "
            "(most products first); for `price`, `[{min, max, count}]` (non-empty buckets).",
            "additionalProperties": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["count"],
                    "properties": {
                        "value": {"description": "An attribute's value: a string, a number or a boolean."},
                        "min": {
                            "type": "number",
                            "format": "decimal",
                            "multipleOf": 0.01,
                            "minimum": 0,
                            "description": "A price bucket's lower bound (inclusive).",
                        },
                        "max": {
                            "type": "number",
                            "format": "decimal",
                            "multipleOf": 0.01,
                            "minimum": 0,
                            "nullable": True,
                            "description": "A price bucket's upper bound (exclusive); null for the last.",
                        },
                        "count": {"type": "integer", "minimum": 1, "description": "Matching products."},
                    },
                },
            },
        }
        return page


class ProductListApi(APIView):
    permission_classes = [IsAdminOrReadOnly]
    pagination_class = ProductPagination  # the schema's page object

    @extend_schema(
        summary="List products",
        description="Anyone. Paginated; cached and invalidated by every catalog write. "
        "Unknown filter or ordering values and `min_price > max_price` are a 400 naming the field.\n\n"
        "**Attribute filters** (not listed below: their names carry the attribute's slug): "
        "`attr.<slug>=<value>` keeps products whose attributes, or an active variant's, have the "
        "value (`a,b`: any of them); a number attribute also takes `attr.<slug>__gte`, `__lte`, "
        "`__gt`, `__lt`, together one range that one value of the product or of one active "
        "variant must fall in. An unknown or unfilterable slug or a bad value is a 400 naming the "
        "parameter. With `facets`, the page adds `facets`.",
        parameters=[ProductListQuerySerializer],
        responses={200: ProductSerializer(many=True)},
        tags=["catalog"],
    )
    def get(self, request: Request) -> HttpResponse:
        names = PRODUCT_LIST_PARAMETERS | {
            name for name in request.query_params if name.startswith(ATTR_PREFIX)
        }
        canonical = _canonical_query(request, names)

        def build() -> bytes:
            query = request_validated(ProductListQuerySerializer, canonical)  # 400s are never cached
            attribute_filters, facet_request = list_parameters_parse(canonical, query.pop("facets", None))
            filters = ProductFilters(**query, attributes=attribute_filters)
            products = selectors.product_list(filters=filters)
            paginator = ProductPagination()
            page = paginator.paginate_queryset(
                products,
                _CanonicalRequest(request, canonical),  # type: ignore[arg-type]  # duck-types the Request the paginator reads
                view=self,
            )
            if filters.category and paginator.page.paginator.count == 0:  # type: ignore[union-attr]  # set by paginate_queryset()
                # Only an empty result can come from an unknown category: check it then,
                # so the common path stays at three queries.
                selectors.category_check_exists(id_or_slug=filters.category)
            body = paginator.get_paginated_response(ProductSerializer(page, many=True).data).data
            if facet_request.attributes or facet_request.price:
                body["facets"] = facets_data(
                    selectors.product_facet_counts(filters=filters, request=facet_request)
                )
            return _render(body)

        return _conditional_json(request, _cache_key(request, "products:list", canonical), build)

    @extend_schema(
        summary="Create a product",
        description="Admins only. Unknown category ids or manager id are a 400 naming the field.",
        request=ProductWriteSerializer,
        responses={201: ProductSerializer},
        examples=[
            OpenApiExample("Create", value=PRODUCT_WRITE_EXAMPLE, request_only=True),
            OpenApiExample("Created", value=PRODUCT, response_only=True, status_codes=["201"]),
        ],
        tags=["catalog"],
    )
    def post(self, request: Request) -> Response:
        data = request_validated(ProductWriteSerializer, request.data)
        product = services.product_create(**data)
        return Response(
            ProductSerializer(selectors.product_get(public_id=product.public_id)).data,
            status=201,
            headers={"Location": url_absolute(request, "product-detail", product_id=product.public_id)},
        )


class ProductDetailApi(APIView):
    permission_classes = [IsAdminOrReadOnly]

    @extend_schema(
        summary="Get a product",
        description="Anyone; discontinued products too. Unknown id → 404 `PRODUCT_NOT_FOUND`.",
        responses={200: ProductSerializer},
        examples=[OpenApiExample("Product", value=PRODUCT, response_only=True)],
        tags=["catalog"],
    )
    def get(self, request: Request, product_id: str) -> HttpResponse:
        def build() -> bytes:
            return _render(ProductSerializer(selectors.product_get(public_id=product_id)).data)

        return _conditional_json(request, f"products:detail:{product_id}", build)

    def _update(self, request: Request, product_id: str, *, partial: bool) -> Response:
        product = selectors.product_get(public_id=product_id)
        data = request_validated(ProductWriteSerializer, request.data, partial=partial)
        if not partial:  # PUT replaces: optional fields left out go back to their defaults
            data = {"description": "", "categories": [], "image_url": "", "manager_id": None, **data}
        services.product_update(product=product, data=data, partial=partial)
        return Response(ProductSerializer(selectors.product_get(public_id=product_id)).data)

    @extend_schema(
        summary="Replace a product",
        description="Admins only. Optional fields left out return to their defaults.",
        request=ProductWriteSerializer,
        responses={200: ProductSerializer},
        tags=["catalog"],
    )
    def put(self, request: Request, product_id: str) -> Response:
        return self._update(request, product_id, partial=False)

    @extend_schema(
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


# --- variants ------------------------------------------------------------------------------


class VariantListApi(APIView):
    permission_classes = [IsAdminOrReadOnly]

    @extend_schema(
        summary="List a product's variants",
        description="Anyone. Every variant, inactive ones too (`status: discontinued`), in position order.",
        responses={200: VariantSerializer(many=True)},
        tags=["catalog"],
    )
    def get(self, request: Request, product_id: str) -> Response:
        product = selectors.product_get(public_id=product_id)
        return Response(VariantSerializer(selectors.product_variants(product=product), many=True).data)

    @extend_schema(
        summary="Add a variant",
        description="Admins only. Needs `price` and a value for each of the product's options; a "
        "duplicate SKU or option combination is a 400 naming `variants.0.sku` / `variants.0.options`.",
        request=VariantWriteSerializer,
        responses={201: VariantSerializer},
        tags=["catalog"],
    )
    def post(self, request: Request, product_id: str) -> Response:
        product = selectors.product_get(public_id=product_id)
        data = request_validated(VariantWriteSerializer, request.data)
        data.pop("id", None)
        variant = services.variant_create(product=product, data=data)
        return Response(
            VariantSerializer(variant).data,
            status=201,
            headers={
                "Location": url_absolute(
                    request, "variant-detail", product_id=product_id, variant_id=variant.public_id
                )
            },
        )


class VariantDetailApi(APIView):
    permission_classes = [IsAdminOrReadOnly]

    @extend_schema(
        summary="Get a variant",
        description="Anyone. Unknown product → 404 `PRODUCT_NOT_FOUND`; unknown variant → 404 `NOT_FOUND`.",
        responses={200: VariantSerializer},
        tags=["catalog"],
    )
    def get(self, request: Request, product_id: str, variant_id: str) -> Response:
        product = selectors.product_get(public_id=product_id)
        return Response(VariantSerializer(services.variant_get(product=product, public_id=variant_id)).data)

    @extend_schema(
        summary="Change a variant",
        description="Admins only. Any subset of the fields; a stock change goes to the ledger as an adjustment.",
        request=VariantWriteSerializer(partial=True),
        responses={200: VariantSerializer},
        tags=["catalog"],
    )
    def patch(self, request: Request, product_id: str, variant_id: str) -> Response:
        product = selectors.product_get(public_id=product_id)
        variant = services.variant_get(product=product, public_id=variant_id)
        data = request_validated(VariantWriteSerializer, request.data, partial=True)
        data.pop("id", None)
        updated = services.variant_update(variant=variant, data=data)
        return Response(VariantSerializer(updated).data)

    @extend_schema(
        summary="Delete a variant",
        description="Admins only. A variant that orders reference is deactivated instead (still 204). "
        "A product keeps at least one variant (400).",
        responses={204: OpenApiResponse(description="Deleted, or deactivated when orders reference it.")},
        tags=["catalog"],
    )
    def delete(self, request: Request, product_id: str, variant_id: str) -> Response:
        product = selectors.product_get(public_id=product_id)
        services.variant_delete(variant=services.variant_get(product=product, public_id=variant_id))
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- CSV export and import ----------------------------------------------------------------


class ProductExportApi(APIView):
    """The catalog as CSV, streamed (``catalog.csv_io``)."""

    permission_classes = [IsAdmin]

    def perform_content_negotiation(self, request: Request, force: bool = False) -> Any:
        # the body is CSV whatever the Accept header; errors are the JSON envelope
        return super().perform_content_negotiation(request, force=True)

    @extend_schema(
        summary="Export products as CSV",
        description="Admins only. One row per variant with its product's fields repeated: "
        "`product_id, product_name, product_slug, description, categories` (slugs joined by `|`), "
        "`options` (names joined by `|`), `variant_id, sku, option_values` (`size=M|color=red`), "
        "`price, compare_at_price, quantity, weight_grams, tax_class, is_active, discontinued`. "
        "Streamed in product order; text cells starting with `= + - @` carry a leading `'` (CSV "
        "injection). Importing the file unchanged changes nothing (docs/catalog.md). A catalog read: "
        "`ETag`, and 304 for a current `If-None-Match`.",
        responses={
            (200, "text/csv"): OpenApiResponse(
                response=OpenApiTypes.STR,
                description="The CSV (`Content-Disposition: attachment`).",
                examples=[
                    OpenApiExample(
                        "Two variants",
                        value=EXPORT_EXAMPLE,
                        media_type="text/csv",
                    )
                ],
            )
        },
        tags=["catalog"],
    )
    def get(self, request: Request) -> HttpResponseBase:
        # a catalog read like the others: its ETag changes with every catalog write (stock too)
        version = catalog_version()
        etag = _etag(version, "products.csv") if version is not None else None
        response: HttpResponseBase
        if etag is not None and _matches(request.headers.get("If-None-Match", ""), etag):
            response = HttpResponseNotModified()
        else:
            response = StreamingHttpResponse(
                csv_io.export_rows(selectors.products_for_export()), content_type="text/csv; charset=utf-8"
            )
            response["Content-Disposition"] = 'attachment; filename="products.csv"'
        if etag is not None:
            response["ETag"] = etag
        response["Cache-Control"] = PRIVATE_CACHE_CONTROL
        patch_vary_headers(response, ["Authorization"])
        return response


class ProductImportApi(APIView):
    """A CSV of products and variants: preview (default) or commit."""

    permission_classes = [IsAdmin]
    parser_classes = [MultiPartParser]

    @classmethod
    def request_body_limit(cls) -> int:
        """The largest body this view reads (``RequestIdMiddleware`` refuses larger ones with 413)."""
        limit: int = settings.CATALOG_IMPORT_MAX_BYTES
        return limit + MULTIPART_OVERHEAD_BYTES

    @extend_schema(
        summary="Import products from CSV (preview or commit)",
        description="Admins only. `multipart/form-data` with the CSV in `file` (the export's columns; "
        "`product_name`, `sku` and `price` required). The whole file is checked first. "
        "`commit=false` (default; form field or query parameter): a preview, nothing written: "
        "`valid`, what would happen (`summary`) and every error by line (`errors`, the header being "
        "line 1). `commit=true`: all or nothing in one transaction; any error is a 400 "
        "`INVALID_REQUEST` with the same `errors` in `details.errors`. Products are matched by "
        "`product_id`, else `product_slug`; variants by `variant_id`, else `sku`. Stock changes "
        "are written to the stock ledger with reason `import`. Over `CATALOG_IMPORT_MAX_BYTES`: "
        "413 `PAYLOAD_TOO_LARGE`.",
        parameters=[ProductImportQuerySerializer],
        request={"multipart/form-data": ProductImportSerializer},
        responses={
            200: ProductImportResultSerializer,
            400: OpenApiResponse(
                description="`INVALID_REQUEST`: `file` missing or empty, not UTF-8, an invalid `commit`, "
                "or (commit) a file with errors: `details.errors` lists them `[{line, field, message}]`; "
                "nothing is written."
            ),
            413: OpenApiResponse(
                description="`PAYLOAD_TOO_LARGE`: the file is larger than `CATALOG_IMPORT_MAX_BYTES`."
            ),
            415: OpenApiResponse(
                description="`UNSUPPORTED_MEDIA_TYPE`: the body is not `multipart/form-data`."
            ),
        },
        tags=["catalog"],
    )
    def post(self, request: Request) -> Response:
        query = request_validated(ProductImportQuerySerializer, request.query_params)
        data = request_validated(ProductImportSerializer, request.data)
        commit = bool(data.get("commit", query.get("commit", False)))
        # the size rule is the service's (413 ImportTooLarge); the middleware already refused a
        # body much larger (request_body_limit), so reading the file is bounded
        plan = services.products_csv_import(content=data["file"].read(), commit=commit)
        body = {
            "valid": plan.valid,
            "committed": commit,
            "summary": plan.summary(),
            "errors": [error.as_dict() for error in plan.errors],
        }
        return Response(ProductImportResultSerializer(body).data)


# --- product images ------------------------------------------------------------------------

# Room for the multipart framing and the small form fields around the file.
MULTIPART_OVERHEAD_BYTES = 64 * 1024


class ProductImageListApi(APIView):
    """Reads ``multipart/form-data`` (as the CSV import does; every other body is JSON)."""

    permission_classes = [IsAdminOrReadOnly]
    parser_classes = [MultiPartParser]

    @classmethod
    def request_body_limit(cls) -> int:
        """The largest body this view reads (``RequestIdMiddleware`` refuses larger ones with 413)."""
        limit: int = settings.IMAGE_MAX_BYTES
        return limit + MULTIPART_OVERHEAD_BYTES

    @extend_schema(
        summary="Upload a product image",
        description="Admins only. `multipart/form-data` with the picture in `file`. JPEG, PNG and WebP "
        "only, judged by the content (`UNSUPPORTED_MEDIA_TYPE` otherwise); at most `IMAGE_MAX_BYTES` "
        "(`PAYLOAD_TOO_LARGE`) and `IMAGE_MAX_PIXELS` pixels (`INVALID_REQUEST`). The stored original is "
        "upright (EXIF orientation applied) and carries no EXIF/GPS/XMP metadata. Renditions are made "
        "in the background: the response lists those that exist (usually none yet); product responses "
        "list them once made.",
        request={"multipart/form-data": ProductImageUploadSerializer},
        responses={
            201: ProductImageSerializer,
            400: OpenApiResponse(
                description="`INVALID_REQUEST`: `file` missing or empty, an invalid field (named in "
                "`details`), a picture of more than `IMAGE_MAX_PIXELS` pixels (a decompression bomb) or "
                "one that cannot be decoded, or an unknown `variant_id`."
            ),
            413: OpenApiResponse(
                description="`PAYLOAD_TOO_LARGE`: the file is larger than `IMAGE_MAX_BYTES`."
            ),
            415: OpenApiResponse(
                description="`UNSUPPORTED_MEDIA_TYPE`: the body is not `multipart/form-data`, or the file "
                "is not a JPEG, PNG or WebP image."
            ),
        },
        tags=["catalog"],
    )
    def post(self, request: Request, product_id: str) -> Response:
        product = selectors.product_get_for_update(public_id=product_id)
        data = request_validated(ProductImageUploadSerializer, request.data)
        upload = data.pop("file")
        image = services.product_image_add(product=product, upload=upload, size=upload.size, **data)
        return Response(
            ProductImageSerializer(image).data,
            status=201,
            headers={
                "Location": url_absolute(
                    request, "product-image-detail", product_id=product.public_id, image_id=image.public_id
                )
            },
        )


class ProductImageDetailApi(APIView):
    permission_classes = [IsAdminOrReadOnly]

    @extend_schema(
        summary="Change a product image",
        description="Admins only. Any subset of `alt`, `position`, `variant_id`.",
        request=ProductImageWriteSerializer,
        responses={200: ProductImageSerializer},
        examples=[OpenApiExample("Move first", value={"position": 0}, request_only=True)],
        tags=["catalog"],
    )
    def patch(self, request: Request, product_id: str, image_id: str) -> Response:
        product = selectors.product_get_for_update(public_id=product_id)
        image = selectors.product_image_get(product=product, public_id=image_id)
        data = request_validated(ProductImageWriteSerializer, request.data, partial=True)
        services.product_image_update(image=image, data=data)
        return Response(ProductImageSerializer(image).data)

    @extend_schema(
        summary="Delete a product image",
        description="Admins only. Its files (original and renditions) are deleted after the commit.",
        responses={204: OpenApiResponse(description="Deleted.")},
        tags=["catalog"],
    )
    def delete(self, request: Request, product_id: str, image_id: str) -> Response:
        product = selectors.product_get_for_update(public_id=product_id)
        services.product_image_delete(image=selectors.product_image_get(product=product, public_id=image_id))
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- categories ----------------------------------------------------------------------------


class CategoryListApi(APIView):
    permission_classes = [IsAdminOrReadOnly]
    pagination_class = CategoryTreePagination  # the schema's page object

    @extend_schema(
        summary="The category tree",
        description="Anyone. Root categories (paginated), each with its whole sub-tree in `children`.",
        responses={200: CategoryNodeSerializer(many=True)},
        tags=["catalog"],
    )
    def get(self, request: Request) -> HttpResponse:
        canonical = _canonical_query(request)

        def build() -> bytes:
            paginator = CategoryTreePagination()
            page = paginator.paginate_queryset(
                selectors.category_tree(),
                _CanonicalRequest(request, canonical),  # type: ignore[arg-type]  # duck-types the Request the paginator reads
                view=self,
            )
            return _render(
                paginator.get_paginated_response(CategoryNodeSerializer(page, many=True).data).data
            )

        return _conditional_json(request, _cache_key(request, "categories:list", canonical), build)

    @extend_schema(
        summary="Create a category",
        description="Admins only. `parent` is a category public id (null or absent: a root).",
        request=CategoryWriteSerializer,
        responses={201: CategoryNodeSerializer},
        examples=[OpenApiExample("Create", value={"name": "Coffee", "parent": None}, request_only=True)],
        tags=["catalog"],
    )
    def post(self, request: Request) -> Response:
        data = request_validated(CategoryWriteSerializer, request.data)
        category = services.category_create(**data)
        return Response(
            CategoryNodeSerializer(selectors.category_get(public_id=category.public_id)).data,
            status=201,
            headers={"Location": url_absolute(request, "category-detail", category_id=category.public_id)},
        )


class CategoryDetailApi(APIView):
    permission_classes = [IsAdminOrReadOnly]

    @extend_schema(
        summary="Get a category with its sub-tree",
        responses={200: CategoryNodeSerializer},
        tags=["catalog"],
    )
    def get(self, request: Request, category_id: str) -> HttpResponse:
        def build() -> bytes:
            return _render(CategoryNodeSerializer(selectors.category_get(public_id=category_id)).data)

        return _conditional_json(request, f"categories:detail:{category_id}", build)

    @extend_schema(
        summary="Change a category",
        description="Admins only. Moving a category under itself or a descendant is a 400 on `parent`.",
        request=CategoryWriteSerializer(partial=True),
        responses={200: CategoryNodeSerializer},
        tags=["catalog"],
    )
    def patch(self, request: Request, category_id: str) -> Response:
        category = selectors.category_get_for_update(public_id=category_id)
        data = request_validated(CategoryWriteSerializer, request.data, partial=True)
        services.category_update(category=category, data=data)
        return Response(CategoryNodeSerializer(selectors.category_get(public_id=category_id)).data)

    @extend_schema(
        summary="Delete a category",
        description="Admins only. Its children move up to its parent; no product is deleted.",
        responses={204: OpenApiResponse(description="Deleted.")},
        tags=["catalog"],
    )
    def delete(self, request: Request, category_id: str) -> Response:
        services.category_delete(category=selectors.category_get_for_update(public_id=category_id))
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- attributes ----------------------------------------------------------------------------


class AttributeListApi(APIView):
    permission_classes = [IsAdminOrReadOnly]

    @extend_schema(
        summary="List attributes",
        description="Anyone. Every attribute definition (not paginated: a shop has dozens).",
        responses={200: AttributeSerializer(many=True)},
        tags=["catalog"],
    )
    def get(self, request: Request) -> Response:
        return Response(AttributeSerializer(selectors.attribute_list(), many=True).data)

    @extend_schema(
        summary="Define an attribute",
        description="Admins only. `choices` for `choice` attributes only, `unit` for `number` ones; "
        "a taken slug is a 400 on `slug`.",
        request=AttributeWriteSerializer,
        responses={201: AttributeSerializer},
        examples=[
            OpenApiExample(
                "Colour",
                value={"slug": "color", "name": "Colour", "type": "choice", "choices": ["red", "blue"]},
                request_only=True,
            )
        ],
        tags=["catalog"],
    )
    def post(self, request: Request) -> Response:
        data = request_validated(AttributeWriteSerializer, request.data)
        attribute = attributes.attribute_create(**data)
        return Response(
            AttributeSerializer(attribute).data,
            status=201,
            headers={"Location": url_absolute(request, "attribute-detail", attribute_id=attribute.public_id)},
        )


class AttributeDetailApi(APIView):
    permission_classes = [IsAdminOrReadOnly]

    @extend_schema(summary="Get an attribute", responses={200: AttributeSerializer}, tags=["catalog"])
    def get(self, request: Request, attribute_id: str) -> Response:
        return Response(AttributeSerializer(selectors.attribute_get(public_id=attribute_id)).data)

    @extend_schema(
        summary="Change an attribute",
        description="Admins only. `slug` and `type` cannot change while products use the attribute, "
        "nor can a choice in use be removed (400 naming the field).",
        request=AttributeWriteSerializer(partial=True),
        responses={200: AttributeSerializer},
        tags=["catalog"],
    )
    def patch(self, request: Request, attribute_id: str) -> Response:
        attribute = selectors.attribute_get(public_id=attribute_id)
        data = request_validated(AttributeWriteSerializer, request.data, partial=True)
        return Response(AttributeSerializer(attributes.attribute_update(attribute=attribute, data=data)).data)

    @extend_schema(
        summary="Delete an attribute",
        description="Admins only. Its values are removed from every product and variant.",
        responses={204: OpenApiResponse(description="Deleted.")},
        tags=["catalog"],
    )
    def delete(self, request: Request, attribute_id: str) -> Response:
        attributes.attribute_delete(attribute=selectors.attribute_get(public_id=attribute_id))
        return Response(status=status.HTTP_204_NO_CONTENT)
