"""The four endpoints of the store-manager inventory API.

Every request, in this order (``docs/inventory.md``, "Access modes"):

* ``trusted``: the rate limit per ``manager_id`` as sent (else per client IP), then validation,
  then one service or selector (the contract's behaviour, kept for demos and tests);
* ``token`` / ``api_key``: authentication first (a JWT of the linked manager user, or a
  manager's API key), then the rate limit per *authenticated* manager (unauthenticated
  requests count per client IP only, so nobody can lock a manager out), then 401 / 403 when
  the caller is not the request's manager, then validation, then the service or selector.

Whatever the outcome, one ``AuditEvent`` row is written after the response is built, and the
``manager_id`` goes into the request's JSON log line. The body is parsed once (DRF keeps the
parsed ``request.data``) and ids are checked by the one predicate of ``accounts.ids``.
"""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.ids import EXTERNAL_ID_SCHEMA_PATTERN
from catalog.stock import StockLine
from ecommerce.common.schema import ErrorEnvelopeSerializer

from ..selectors import inventory_product_list
from ..services import (
    ProductInput,
    inventory_order_process,
    inventory_product_discontinue,
    inventory_products_upsert,
)
from . import examples
from .base import (  # noqa: F401 - re-exported: the base view and the access modes
    ACCESS_API_KEY,
    ACCESS_TOKEN,
    ACCESS_TRUSTED,
    RATE_LIMIT_SCOPE,
    InventoryApiView,
    access_mode,
)
from .serializers import (
    InventoryDiscontinueSerializer,
    InventoryOrderProcessResponseSerializer,
    InventoryOrderProcessSerializer,
    InventoryProductsQuerySerializer,
    InventoryProductsResponseSerializer,
    InventoryProductsUpsertSerializer,
)

_COMMON_ERRORS = {
    "400": "INVALID_REQUEST: malformed JSON, not an object, missing/invalid field (named in details).",
    "401": "token / api_key modes: AUTHENTICATION_REQUIRED (no JWT / API key) or TOKEN_INVALID (bad, expired or revoked).",
    "403": "token / api_key modes: PERMISSION_DENIED (manager_id is not the JWT's / API key's manager).",
    "429": (
        "RATE_LIMITED: more than INVENTORY_RATE_LIMIT requests per window for this manager "
        "(token / api_key: the authenticated one; unauthenticated requests count per client IP); see Retry-After."
    ),
}


def _error_responses(**extra: str) -> dict[int, OpenApiResponse]:
    codes = {**_COMMON_ERRORS, **extra}
    return {
        int(status): OpenApiResponse(ErrorEnvelopeSerializer, description=text)
        for status, text in codes.items()
    }


class InventoryProductsApi(InventoryApiView):
    """``GET`` / ``POST /api/inventory/products``."""

    @extend_schema(
        tags=["inventory"],
        summary="List a manager's products, optionally by status",
        parameters=[
            OpenApiParameter(
                "manager_id",
                {"type": "string", "minLength": 1, "maxLength": 64, "pattern": EXTERNAL_ID_SCHEMA_PATTERN},
                required=True,
                description="The store manager's id: 1–64 characters of A-Za-z0-9_-.",
            ),
            OpenApiParameter(
                "status",
                str,
                enum=["in_stock", "out_of_stock", "discontinued"],
                required=False,
                description="Absent: all of the manager's products.",
            ),
        ],
        responses={200: InventoryProductsResponseSerializer, **_error_responses()},
        examples=[examples.LIST_RESPONSE, examples.ERROR_STATUS],
    )
    def get(self, request: Request) -> Response:
        query = request.query_params.dict()  # the last value of a repeated parameter
        if query.get("status") == "":
            del query["status"]  # "?status=" means no filter, like an absent status
        params = self.validated(InventoryProductsQuerySerializer, query)
        products = inventory_product_list(
            manager_external_id=self.manager_id_of(params), status=params.get("status")
        )
        return Response({"products": products})

    @extend_schema(
        tags=["inventory"],
        summary="Add or update several products at once (atomic)",
        description=(
            "Each item updates this manager's product with its `id`, else this manager's product "
            "with exactly the same `name`, else creates a product. All or nothing; at most 1,000 items."
        ),
        request=InventoryProductsUpsertSerializer,
        responses={
            201: InventoryProductsResponseSerializer,
            **_error_responses(
                **{"404": "PRODUCT_NOT_FOUND: an item's `id` is not one of this manager's products."}
            ),
        },
        examples=[
            examples.UPSERT_REQUEST,
            examples.UPSERT_RESPONSE,
            examples.ERROR_PRICE,
            examples.ERROR_UPSERT_VARIANT_REQUIRED,
        ],
    )
    def post(self, request: Request) -> Response:
        body = self.validated(InventoryProductsUpsertSerializer, request.data)
        result = inventory_products_upsert(
            manager_external_id=self.manager_id_of(body),
            items=[
                ProductInput(
                    name=item["name"],
                    price=item["price"],
                    quantity=item["quantity"],
                    public_id=item.get("id") or None,
                )
                for item in body["products"]
            ],
        )
        self.audit_changes = result.changes
        products = [
            {"id": p.public_id, "name": p.name, "price": p.price, "quantity": p.quantity}
            for p in result.products
        ]
        return Response({"products": products}, status=201)


class InventoryDiscontinueApi(InventoryApiView):
    """``POST /api/inventory/discontinue``."""

    @extend_schema(
        tags=["inventory"],
        summary="Discontinue one of the manager's products (idempotent)",
        request=InventoryDiscontinueSerializer,
        responses={
            204: OpenApiResponse(description="Discontinued (also when it already was)."),
            **_error_responses(**{"404": "PRODUCT_NOT_FOUND: unknown product, or another manager's."}),
        },
        examples=[examples.DISCONTINUE_REQUEST, examples.ERROR_NOT_FOUND],
    )
    def post(self, request: Request) -> Response:
        body = self.validated(InventoryDiscontinueSerializer, request.data)
        self.audit_changes = inventory_product_discontinue(
            manager_external_id=self.manager_id_of(body), product_public_id=body["product_id"]
        )
        return Response(status=204)


class InventoryOrderProcessApi(InventoryApiView):
    """``POST /api/orders/process``."""

    @extend_schema(
        tags=["inventory"],
        summary="Process an order of the manager's products (all or nothing)",
        description=(
            "Processed only if every product exists and belongs to the manager, none is "
            "discontinued and every quantity is available; then stock is taken in one "
            "transaction. Repeated product ids are summed. The order is stored with status "
            "`paid` (payment happens outside this system)."
        ),
        request=InventoryOrderProcessSerializer,
        responses={
            200: InventoryOrderProcessResponseSerializer,
            **_error_responses(
                **{
                    "404": "PRODUCT_NOT_FOUND: products unknown or not this manager's, named in details.",
                    "409": "INSUFFICIENT_STOCK or PRODUCT_DISCONTINUED, the products named in details.",
                }
            ),
        },
        examples=[
            examples.PROCESS_REQUEST,
            examples.PROCESS_RESPONSE,
            examples.ERROR_PRODUCT_NOT_FOUND,
            examples.ERROR_LINE,
            examples.ERROR_VARIANT_REQUIRED,
            examples.ERROR_INSUFFICIENT_STOCK,
            examples.ERROR_DISCONTINUED,
        ],
    )
    def post(self, request: Request) -> Response:
        body = self.validated(InventoryOrderProcessSerializer, request.data)
        result = inventory_order_process(
            manager_external_id=self.manager_id_of(body),
            customer_ref=body["customer"]["id"],
            customer_email=body["customer"]["email"],
            lines=[StockLine(line["product_id"], line["quantity"]) for line in body["products"]],
        )
        self.audit_changes = result.changes
        self.audit_order_id = result.order.public_id
        return Response(
            {
                "order_id": result.order.public_id,
                "status": "processed",
                "total_amount": result.order.total_amount,
            }
        )
