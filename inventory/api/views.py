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
parsed ``request.data``) and ids are checked by the one predicate of ``inventory.ids``.
"""

from __future__ import annotations

import codecs
import json
import time
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions as drf_exceptions
from rest_framework import serializers
from rest_framework.authentication import BaseAuthentication
from rest_framework.parsers import JSONParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView
from rest_framework_simplejwt.authentication import JWTAuthentication

from accounts.permissions import is_manager
from ecommerce.common.exceptions import InvalidRequest, RateLimited
from ecommerce.common.http import client_ip  # re-exported: the one client-IP function
from ecommerce.common.ratelimit import rate_limit_hit
from ecommerce.common.schema import ErrorEnvelopeSerializer
from orders.stock import StockLine

from ..exceptions import ManagerAccessDenied
from ..ids import is_external_id
from ..models import ManagerApiKey
from ..selectors import inventory_product_list, store_manager_get_for_user
from ..services import (
    ProductInput,
    audit_event_record,
    inventory_order_process,
    inventory_product_discontinue,
    inventory_products_upsert,
)
from . import examples
from .authentication import ManagerApiKeyAuthentication
from .serializers import (
    InventoryDiscontinueSerializer,
    InventoryOrderProcessResponseSerializer,
    InventoryOrderProcessSerializer,
    InventoryProductsQuerySerializer,
    InventoryProductsResponseSerializer,
    InventoryProductsUpsertSerializer,
)

ACCESS_TRUSTED = "trusted"
ACCESS_TOKEN = "token"  # noqa: S105 - a mode name, not a secret
ACCESS_API_KEY = "api_key"
RATE_LIMIT_SCOPE = "inventory"


def access_mode() -> str:
    """``INVENTORY_ACCESS_MODE`` at request time; an unknown value counts as ``api_key`` (fail closed)."""
    mode = settings.INVENTORY_ACCESS_MODE
    return mode if mode in (ACCESS_TRUSTED, ACCESS_TOKEN) else ACCESS_API_KEY


class DecimalJSONParser(JSONParser):
    """JSON with numbers kept exact: ``15.99`` becomes ``Decimal("15.99")``, never a float."""

    def parse(self, stream: Any, media_type: str | None = None, parser_context: Any = None) -> Any:
        encoding = (parser_context or {}).get("encoding", settings.DEFAULT_CHARSET)
        try:
            return json.load(
                codecs.getreader(encoding)(stream), parse_float=Decimal, parse_constant=_refuse_constant
            )
        except RecursionError:
            raise drf_exceptions.ParseError("JSON parse error - nested too deeply") from None
        except ValueError as exc:
            raise drf_exceptions.ParseError(f"JSON parse error - {exc}") from exc


def _refuse_constant(name: str) -> None:
    raise ValueError(f"{name} is not valid JSON")


def _error_code(response: Response) -> str:
    data = getattr(response, "data", None)
    if response.status_code >= 400 and isinstance(data, dict) and isinstance(data.get("error"), dict):
        return str(data["error"].get("code", ""))
    return ""


class InventoryApiView(APIView):
    """Access mode, rate limit, audit and log context shared by the four endpoints."""

    parser_classes = [DecimalJSONParser]
    permission_classes: list[type] = []  # access is checked in initial(), around the rate limit

    def get_authenticators(self) -> list[BaseAuthentication]:
        mode = access_mode()
        if mode == ACCESS_TOKEN:
            return [JWTAuthentication()]
        if mode == ACCESS_API_KEY:
            return [ManagerApiKeyAuthentication()]
        return []  # trusted: a token, if any, is not looked at

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Response:
        started = time.perf_counter()
        self.audit_manager_id = ""
        self.audit_key_prefix = ""
        self.audit_changes: list[dict[str, Any]] = []
        self.audit_order_id = ""
        self.acting_manager_id: str | None = None  # token / api_key: the authenticated manager
        response: Response = super().dispatch(request, *args, **kwargs)  # type: ignore[assignment]  # APIView's is a Response
        audit_event_record(
            request_id=str(getattr(request, "request_id", "")),
            manager_external_id=self.audit_manager_id,
            api_key_prefix=self.audit_key_prefix,
            client_ip=client_ip(request),
            method=request.method or "",
            path=request.path,
            status_code=response.status_code,
            error_code=_error_code(response),
            duration_ms=(time.perf_counter() - started) * 1000,
            order_public_id=self.audit_order_id,
            changes=self.audit_changes,
        )
        return response

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        manager_id, body_error = self._peek_manager_id(request)
        if manager_id:
            self.audit_manager_id = manager_id
            log_context = getattr(request._request, "log_context", None)
            if isinstance(log_context, dict):
                log_context["manager_id"] = manager_id
        if access_mode() == ACCESS_TRUSTED:
            self._rate_limit(request, manager_id)  # the contract: per manager_id as sent
            super().initial(request, *args, **kwargs)
        else:
            acting, refusal = self._authenticate(request)
            self._rate_limit(request, acting)  # unauthenticated: per client IP only
            super().initial(request, *args, **kwargs)
            if refusal is not None:
                raise refusal
            if manager_id is not None and manager_id != acting:
                raise ManagerAccessDenied()
            self.acting_manager_id = acting
        if body_error is not None:
            raise body_error

    def manager_id_of(self, params: dict[str, Any]) -> str:
        """The validated ``manager_id``; in token/api_key mode it is the authenticated manager's."""
        manager_id: str = params["manager_id"]
        if self.acting_manager_id is not None and manager_id != self.acting_manager_id:
            raise ManagerAccessDenied()  # unreachable after initial(); kept as the last guard
        return manager_id

    @staticmethod
    def _rate_limit(request: Request, manager_id: str | None) -> None:
        """Count the request for ``manager_id`` (or the client IP when ``None``); 429 past the limit."""
        hit = rate_limit_hit(
            scope=RATE_LIMIT_SCOPE,
            key=manager_id or f"ip:{client_ip(request._request) or 'unknown'}",
            limit=settings.INVENTORY_RATE_LIMIT,
            window_seconds=settings.INVENTORY_RATE_WINDOW,
        )
        if not hit.allowed:
            raise RateLimited(
                hit.retry_after,
                f"Rate limit of {hit.limit} requests per {settings.INVENTORY_RATE_WINDOW} seconds exceeded.",
            )

    def _authenticate(self, request: Request) -> tuple[str | None, Exception | None]:
        """token / api_key: ``(the authenticated manager's id, None)`` or ``(None, the refusal)``.

        Never raises, so that the caller can count the request (per manager, or per IP when
        unauthenticated) before answering 401/403.
        """
        try:
            user, auth = request.user, request.auth  # runs the mode's authenticator
        except drf_exceptions.APIException as exc:
            return None, exc
        if isinstance(auth, ManagerApiKey):
            self.audit_key_prefix = auth.prefix
            return auth.manager.external_id, None
        if access_mode() != ACCESS_TOKEN or not user or not user.is_authenticated:
            return None, drf_exceptions.NotAuthenticated()
        if not is_manager(user):
            return None, ManagerAccessDenied("Only store managers may use the inventory API.")
        try:
            return store_manager_get_for_user(user=user).external_id, None
        except ManagerAccessDenied as exc:
            return None, exc

    @staticmethod
    def _peek_manager_id(request: Request) -> tuple[str | None, Exception | None]:
        """The caller's ``manager_id`` when it is well-formed (query for GET, else the body).

        The same predicate as the serializers' (``inventory.ids``): an id refused here is
        refused by validation too, so no request skips the access check and then passes.
        """
        if request.method in ("GET", "HEAD", "OPTIONS", "DELETE"):
            value: Any = request.query_params.get("manager_id")
        else:
            try:
                data = request.data
            except drf_exceptions.ParseError as exc:
                return None, exc
            except drf_exceptions.UnsupportedMediaType:
                return None, None  # raised again when the handler reads the body
            value = data.get("manager_id") if isinstance(data, dict) else None
        return (value, None) if is_external_id(value) else (None, None)

    @staticmethod
    def validated(serializer_class: type[serializers.Serializer], data: Any) -> dict[str, Any]:
        """Validate a JSON object body (anything else is a 400 naming ``body``)."""
        if not isinstance(data, dict):
            raise InvalidRequest(
                "The request body must be a JSON object.", details={"body": "Must be a JSON object."}
            )
        serializer = serializer_class(data=data)
        serializer.is_valid(raise_exception=True)  # the envelope handler names each field
        return dict(serializer.validated_data)


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
        operation_id="inventory_products_list",
        summary="List a manager's products, optionally by status",
        parameters=[
            OpenApiParameter("manager_id", str, required=True, description="The store manager's id."),
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
        operation_id="inventory_products_upsert",
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
        examples=[examples.UPSERT_REQUEST, examples.UPSERT_RESPONSE, examples.ERROR_PRICE],
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
        operation_id="inventory_discontinue",
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
        operation_id="inventory_orders_process",
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
