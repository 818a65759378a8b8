"""OpenAPI building blocks shared by every app: the error envelope and the catalogue of its codes.

Which error codes an operation can return is declared per operation (by operationId) in
``<app>/api/openapi.py`` (``ERRORS``); ``ecommerce.openapi.document_operations`` turns those
declarations into the operation's error responses, using :data:`ERROR_CODES` below for the
status, the description and a realistic example of each code. See docs/api-schema.md.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from rest_framework import serializers
from rest_framework.settings import api_settings

from .exceptions import ErrorCode


class ErrorBodySerializer(serializers.Serializer):
    code = serializers.CharField(help_text="Machine-readable code, e.g. INVALID_REQUEST, NOT_FOUND.")
    message = serializers.CharField(help_text="Human readable sentence.")
    details = serializers.DictField(
        child=serializers.JSONField(),
        help_text="Offending fields (dotted paths for nested fields) → what is wrong. May be empty.",
    )


class ErrorEnvelopeSerializer(serializers.Serializer):
    error = ErrorBodySerializer()

    class Meta:
        ref_name = "ErrorEnvelope"


@dataclass(frozen=True)
class ErrorDoc:
    """One envelope code: its HTTP status, when it happens, and an example body."""

    status: int
    when: str
    message: str
    details: dict[str, Any] = field(default_factory=dict)


# Every code of ``ErrorCode``. A code's status never varies, so an operation declares codes only.
ERROR_CODES: dict[str, ErrorDoc] = {
    ErrorCode.INVALID_REQUEST: ErrorDoc(
        400,
        "malformed JSON, or a missing or invalid field (named in `details`)",
        "Invalid value for 'quantity': Ensure this value is greater than or equal to 1.",
        {"quantity": "Ensure this value is greater than or equal to 1."},
    ),
    ErrorCode.CART_EMPTY: ErrorDoc(400, "checkout with an empty cart", "The cart is empty."),
    ErrorCode.AUTHENTICATION_REQUIRED: ErrorDoc(
        401, "no bearer token", "Authentication credentials were not provided."
    ),
    ErrorCode.INVALID_CREDENTIALS: ErrorDoc(
        401, "wrong email or password", "The email or password is wrong."
    ),
    ErrorCode.TOKEN_INVALID: ErrorDoc(
        401, "the token is malformed, expired or revoked", "The token is invalid or expired."
    ),
    ErrorCode.PAYMENT_FAILED: ErrorDoc(
        402,
        "the payment gateway declined or could not be reached; nothing is charged",
        "The payment was declined.",
        {"payment": "declined", "order_id": "ord_Hx82kQm1Zr0Tb7Yd"},
    ),
    ErrorCode.PERMISSION_DENIED: ErrorDoc(
        403, "signed in, but this role may not do this", "You do not have permission to perform this action."
    ),
    ErrorCode.EMAIL_NOT_VERIFIED: ErrorDoc(
        403, "the email address is not verified yet", "Verify your email address before signing in."
    ),
    ErrorCode.NOT_FOUND: ErrorDoc(404, "no such resource, or not yours", "Not found."),
    ErrorCode.PRODUCT_NOT_FOUND: ErrorDoc(
        404,
        "unknown product id (named in `details`)",
        "One or more products do not exist.",
        {"prod_3kTMd9xQ2b7VfLr8": "product not found"},
    ),
    ErrorCode.ORDER_NOT_FOUND: ErrorDoc(404, "unknown order id, or another user's order", "Order not found."),
    ErrorCode.METHOD_NOT_ALLOWED: ErrorDoc(
        405, "method not offered on this path", 'Method "PUT" not allowed.'
    ),
    ErrorCode.NOT_ACCEPTABLE: ErrorDoc(
        406, "the Accept header excludes application/json", "Could not satisfy the request Accept header."
    ),
    ErrorCode.INSUFFICIENT_STOCK: ErrorDoc(
        409,
        "not enough stock (each product named in `details`)",
        "Not enough stock for one or more products.",
        {"prod_3kTMd9xQ2b7VfLr8": "requested 3, available 2"},
    ),
    ErrorCode.PRODUCT_DISCONTINUED: ErrorDoc(
        409,
        "a product is discontinued (named in `details`)",
        "One or more products are discontinued.",
        {"prod_Q8wmZ1xL0pT4sV2c": "product is discontinued"},
    ),
    ErrorCode.VARIANT_REQUIRED: ErrorDoc(
        400,
        "a product with several variants was named where one variant is meant (its variant ids in `details`)",
        "This product has several variants: name one by its variant id.",
        {"prod_3kTMd9xQ2b7VfLr8": ["var_7HqTn2LpX9cVw4Rz", "var_K2mWq8ZtYb3Hn5Lc"]},
    ),
    ErrorCode.VOUCHER_INVALID: ErrorDoc(
        400,
        "a discount code is unknown, inactive, not started yet or ended (each named in `details` by its "
        "position)",
        "One or more discount codes cannot be used.",
        {"discount_codes.0": "ended"},
    ),
    ErrorCode.VOUCHER_EXHAUSTED: ErrorDoc(
        409,
        "a voucher has no uses left, in all or for this customer (its code named in `details`)",
        "A voucher has no uses left.",
        {"SPRING10": "usage limit reached"},
    ),
    ErrorCode.PRICE_CHANGED: ErrorDoc(
        409,
        "the total at completion is not the `expected_total` the buyer saw (new `totals` in `details`); "
        "nothing was taken",
        "The total has changed since it was shown; review the new totals.",
        {
            "totals": {
                "subtotal": "70.00",
                "discount": "0.00",
                "shipping": "4.90",
                "tax": "9.43",
                "total": "84.33",
                "currency": "USD",
            },
            "expected_total": "79.00",
        },
    ),
    ErrorCode.SHIPPING_UNAVAILABLE: ErrorDoc(
        409,
        "the chosen shipping method is not available for the address and cart",
        "The chosen shipping method is not available for this address and cart.",
        {"shipping_method_id": "shm_4Lq2Wm8RtY6Zp0Xc", "available": ["shm_9KdT3vBn5Qw1Hs7J"]},
    ),
    ErrorCode.CHECKOUT_EXPIRED: ErrorDoc(
        409,
        "the checkout session expired or was cancelled",
        "This checkout session has expired or was cancelled; start a new one.",
        {"status": "expired"},
    ),
    ErrorCode.INVALID_STATE: ErrorDoc(
        409,
        "the resource's state does not allow this change",
        "An order that is delivered cannot become cancelled.",
        {"status": "not allowed from delivered"},
    ),
    ErrorCode.IDEMPOTENCY_CONFLICT: ErrorDoc(
        409,
        "the Idempotency-Key was used with another body",
        "This Idempotency-Key was used with a different request.",
        {"Idempotency-Key": "already used with a different request body"},
    ),
    ErrorCode.PAYLOAD_TOO_LARGE: ErrorDoc(
        413,
        "the body is larger than DATA_UPLOAD_MAX_MEMORY_SIZE",
        "The request body is larger than 2097152 bytes.",
        {"body": "at most 2097152 bytes"},
    ),
    ErrorCode.UNSUPPORTED_MEDIA_TYPE: ErrorDoc(
        415,
        "the body is not sent as application/json",
        'Unsupported media type "text/plain" in request.',
    ),
    ErrorCode.RATE_LIMITED: ErrorDoc(
        429,
        "too many requests; wait for `Retry-After` seconds",
        "Too many requests. Try again later.",
    ),
    ErrorCode.INTERNAL_ERROR: ErrorDoc(
        500, "an unexpected failure (logged with the request id)", "An internal error occurred."
    ),
    ErrorCode.SERVICE_UNAVAILABLE: ErrorDoc(
        503,
        "the database or another required dependency is unreachable",
        "Unavailable: database.",
        {"database": "unavailable"},
    ),
}


# Groups of codes that many operations share (an operation's ``ERRORS`` entry spells them out).
SIGNED_IN = (ErrorCode.AUTHENTICATION_REQUIRED, ErrorCode.TOKEN_INVALID)  # needs a bearer JWT
JSON_BODY = (  # reads a JSON body
    ErrorCode.INVALID_REQUEST,
    ErrorCode.PAYLOAD_TOO_LARGE,
    ErrorCode.UNSUPPORTED_MEDIA_TYPE,
)


def drop_slashless_duplicates(endpoints: list[tuple[str, str, str, Any]], **_: Any) -> list[Any]:
    """Every route is registered with and without a trailing slash; document it once."""
    paths = {path for path, *_rest in endpoints}
    return [endpoint for endpoint in endpoints if endpoint[0].endswith("/") or f"{endpoint[0]}/" not in paths]


class DecimalFieldExtension(OpenApiSerializerFieldExtension):
    """Every ``DecimalField`` (money) as the server really handles it: a JSON number with at most
    ``decimal_places`` decimals (``multipleOf: 0.01``), ``format: decimal``, the largest value its
    ``max_digits`` allow (``9999999999.99`` for 12 digits) and a minimum only where the field has
    one (prices ≥ 0), instead of drf-spectacular's ``±10^n`` bounds. See docs/api-schema.md."""

    target_class = "rest_framework.fields.DecimalField"
    match_subclasses = True

    def map_serializer_field(self, auto_schema: Any, direction: Any) -> dict[str, Any]:
        field = self.target
        as_string = getattr(field, "coerce_to_string", None)
        if as_string is None:
            as_string = api_settings.COERCE_DECIMAL_TO_STRING
        schema: dict[str, Any] = {"type": "string" if as_string else "number", "format": "decimal"}
        if as_string:
            return schema
        places = field.decimal_places
        if places is not None:
            schema["multipleOf"] = float(Decimal(1).scaleb(-places))
        if field.max_digits is not None and places is not None:
            schema["maximum"] = float(Decimal(10) ** (field.max_digits - places) - Decimal(1).scaleb(-places))
        if field.max_value is not None:
            schema["maximum"] = min(schema.get("maximum", float("inf")), float(field.max_value))
        if field.min_value is not None:
            schema["minimum"] = float(field.min_value)
        return schema
