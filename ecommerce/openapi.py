"""Post-processing of the OpenAPI document: error responses and examples, per operation.

Each app declares, by operationId, in ``<app>/api/openapi.py``:

* ``ERRORS``: the envelope codes the operation can return (the status follows from the code,
  see ``ecommerce.common.schema.ERROR_CODES``); ``INTERNAL_ERROR`` is added to every operation;
* ``REQUEST_BODIES`` (rare): the JSON schema of a body drf-spectacular does not document
  (it documents none on DELETE);
* ``EXAMPLES``: realistic examples of the request body (``"request"``) and of responses (by
  status), each ``{summary: value}``. Error responses get an example per code from
  ``ERROR_CODES`` unless the app gives one.

``document_operations`` (a drf-spectacular ``POSTPROCESSING_HOOKS`` entry) applies them, so the
view decorators stay as they are; anything a decorator already documents (a response's
description, its examples) is kept. An operation without an ``ERRORS`` entry, a code that is not
in ``ERROR_CODES`` or a declaration for an operation that does not exist is a schema warning,
which ``make schema`` (``--fail-on-warn``) turns into an error. See docs/api-schema.md.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from http import HTTPStatus
from typing import Any

from drf_spectacular.drainage import warn

from accounts.api import openapi as accounts_openapi
from analytics.api import openapi as analytics_openapi
from cart.api import openapi as cart_openapi
from catalog.api import openapi as catalog_openapi
from discounts.api import openapi as discounts_openapi
from ecommerce.common import openapi as service_openapi
from ecommerce.common.exceptions import ErrorCode
from ecommerce.common.schema import ERROR_CODES
from inventory.api import openapi as inventory_openapi
from orders.api import openapi as orders_openapi
from shipping.api import openapi as shipping_openapi
from taxes.api import openapi as taxes_openapi
from webhooks.api import openapi as webhooks_openapi

# Every app's declarations (a new app adds its module here).
MODULES = [
    accounts_openapi,
    catalog_openapi,
    cart_openapi,
    shipping_openapi,
    taxes_openapi,
    discounts_openapi,
    orders_openapi,
    inventory_openapi,
    analytics_openapi,
    webhooks_openapi,
    service_openapi,
]
# Codes every operation can return.
ALWAYS = (ErrorCode.INTERNAL_ERROR,)
ENVELOPE_REF = {"$ref": "#/components/schemas/ErrorEnvelope"}
ERROR_BODY_SCHEMA = {
    "type": "object",
    "properties": {
        "code": {"type": "string", "description": "Machine-readable code, e.g. INVALID_REQUEST, NOT_FOUND."},
        "message": {"type": "string", "description": "Human readable sentence."},
        "details": {
            "type": "object",
            "additionalProperties": {},
            "description": "Offending fields (dotted paths for nested fields) → what is wrong. May be empty.",
        },
    },
    "required": ["code", "details", "message"],
}
# --- Response and request headers (one place for every operation, by status and by what the
# operation declares, never by operationId, so renaming an operation keeps them) ---------------
X_REQUEST_ID = {
    "schema": {"type": "string", "minLength": 1},
    "required": True,
    "description": "The request's id: the caller's own `X-Request-ID` when it sent a usable one, else a "
    "new one. It is in the server's log line of the request; quote it when reporting a problem.",
}
RETRY_AFTER = {
    "schema": {"type": "integer", "minimum": 1},
    "required": True,
    "description": "Seconds to wait before retrying.",
}
# Sent on every response of a rate-limited operation once a limiter has counted the request
# (not on a request refused before, e.g. 401 or 415), so not ``required``.
RATE_LIMIT_HEADERS = {
    "RateLimit-Limit": {
        "schema": {"type": "integer", "minimum": 1},
        "description": "Requests allowed in the window of the limit this request met with the fewest "
        "requests left (docs/rate-limits.md).",
    },
    "RateLimit-Remaining": {
        "schema": {"type": "integer", "minimum": 0},
        "description": "Requests left in that window.",
    },
    "RateLimit-Reset": {
        "schema": {"type": "integer", "minimum": 0},
        "description": "Seconds until that window resets (0 while the limiter store is unreachable).",
    },
}
# Operations that read ``Idempotency-Key``: what the server enforces (orders/api/views.py), and
# the header of a replayed answer (200).
IDEMPOTENCY_KEY = "Idempotency-Key"
IDEMPOTENCY_KEY_MAX_LENGTH = 255
IDEMPOTENT_REPLAYED = {
    "schema": {"type": "string", "enum": ["true"]},
    "description": "This is the stored answer to an earlier request with the same Idempotency-Key.",
}
RETRY_STATUSES = ("429", "503")

# Examples of free-form objects (DictField, JSONField), shown in the "Schemas" section.
COMPONENT_EXAMPLES: dict[tuple[str, str], Any] = {
    ("ErrorBody", "details"): {"products.1.quantity": "Ensure this value is greater than or equal to 0."},
    ("Order", "shipping_address"): {
        "name": "Ada Lovelace",
        "line1": "12 Analytical Row",
        "line2": "",
        "city": "London",
        "postal_code": "N1 7AA",
        "country": "GB",
    },
    ("ApiIndex", "docs"): {
        "swagger_ui": "http://127.0.0.1:8000/api/docs/",
        "schema_json": "http://127.0.0.1:8000/api/schema/?format=json",
    },
    ("ApiIndex", "resources"): {"products": "http://127.0.0.1:8000/api/products/"},
    ("ErrorBody", "code"): "INVALID_REQUEST",
    ("Variant", "options"): {"size": "M", "color": "red"},
    ("VariantWriteRequest", "options"): {"size": "M", "color": "red"},
    ("PatchedVariantWriteRequest", "options"): {"size": "M", "color": "red"},
    ("CartVariant", "options"): {"size": "M"},
    ("OrderLine", "options"): {"size": "M"},
    ("CheckoutLine", "options"): {"size": "M"},
    ("CheckoutMessage", "details"): {"discount_codes.0": "min_subtotal"},
    ("Product", "attributes"): {"material": "cotton", "organic": True, "weight": 180},
    ("ProductWriteRequest", "attributes"): {"material": "cotton", "organic": True, "weight": 180},
    ("PatchedProductWriteRequest", "attributes"): {"material": "cotton", "organic": True},
    ("Variant", "attributes"): {"chest_cm": 104},
    ("VariantWriteRequest", "attributes"): {"chest_cm": 104},
    ("PatchedVariantWriteRequest", "attributes"): {"chest_cm": 104},
    ("PaginatedProductList", "facets"): {
        "color": [{"value": "red", "count": 12}, {"value": "blue", "count": 7}],
        "price": [{"min": 10.0, "max": 25.0, "count": 15}, {"min": 25.0, "max": 50.0, "count": 4}],
    },
    ("ErrorBody", "message"): "Invalid value for 'products.1.quantity': Ensure this value is greater than or "
    "equal to 0.",
}


def merged(name: str) -> dict[str, Any]:
    """``ERRORS``, ``EXAMPLES`` or ``REQUEST_BODIES`` of every app in one dict (an operationId
    declared twice warns)."""
    out: dict[str, Any] = {}
    for module in MODULES:
        for operation_id, value in getattr(module, name, {}).items():
            if operation_id in out:
                warn(f"{operation_id} is declared twice in {name}")
            out[operation_id] = value
    return out


def example_key(summary: str) -> str:
    """``"Cart with two lines"`` → ``"CartWithTwoLines"`` (the key style drf-spectacular uses)."""
    return "".join(word[:1].upper() + word[1:] for word in re.findall(r"[A-Za-z0-9_]+", summary)) or "Example"


def _examples(named: Mapping[str, Any]) -> dict[str, Any]:
    return {example_key(summary): {"summary": summary, "value": value} for summary, value in named.items()}


def _error_description(codes: Iterable[str], description: str = "") -> str:
    """The decorator's description (if any) plus each code that it does not name yet."""
    lines = [description] if description else []
    lines += [f"`{code}`: {ERROR_CODES[code].when}." for code in codes if not names_code(description, code)]
    return "\n\n".join(lines)


def names_code(text: str, code: str) -> bool:
    """Whether ``text`` names ``code`` as a word (``NOT_FOUND`` is not in ``PRODUCT_NOT_FOUND``)."""
    return re.search(rf"(?<![A-Z_]){code}(?![A-Z_])", text) is not None


def _invalid_field(operation: dict[str, Any], schemas: Mapping[str, Any]) -> tuple[str, str] | None:
    """A field of this operation to show in its INVALID_REQUEST example, with its message."""
    media = operation.get("requestBody", {}).get("content", {}).get("application/json")
    if media is not None:
        schema = media.get("schema", {})
        if "$ref" in schema:
            schema = schemas.get(schema["$ref"].rsplit("/", 1)[-1], {})
        required = schema.get("required") or list(schema.get("properties", {}))
        if required:
            return required[0], "This field is required."
    for parameter in operation.get("parameters", []):
        if parameter.get("in") == "query" and parameter["name"] not in ("page", "page_size"):
            return parameter["name"], "Enter a valid value."
    return None


def _error_example(code: str, operation: dict[str, Any], schemas: Mapping[str, Any]) -> dict[str, Any]:
    doc = ERROR_CODES[code]
    message, details = doc.message, dict(doc.details)
    field = _invalid_field(operation, schemas) if code == ErrorCode.INVALID_REQUEST else None
    if field is not None:
        message, details = f"Invalid value for '{field[0]}': {field[1]}", {field[0]: field[1]}
    return {"error": {"code": code, "message": message, "details": details}}


def _document_errors(
    operation: dict[str, Any], codes: Iterable[str], examples: Mapping[str, Any], schemas: Mapping[str, Any]
) -> None:
    by_status: dict[str, list[str]] = {}
    for code in [*codes, *ALWAYS]:
        if code not in ERROR_CODES:
            warn(f"{operation['operationId']}: unknown error code {code!r} (see ERROR_CODES)")
            continue
        status_codes = by_status.setdefault(str(ERROR_CODES[code].status), [])
        if code not in status_codes:
            status_codes.append(code)
    responses = operation["responses"]
    for status, status_codes in sorted(by_status.items()):
        response = responses.setdefault(status, {})
        response["description"] = _error_description(status_codes, response.get("description", ""))
        response["x-error-codes"] = status_codes
        content = response.setdefault("content", {}).setdefault("application/json", {"schema": ENVELOPE_REF})
        if status in examples:
            content["examples"] = _examples(examples[status])
        elif not content.get("examples"):
            content["examples"] = _examples(
                {code: _error_example(code, operation, schemas) for code in status_codes}
            )
    for status, response in responses.items():
        if status >= "400" and status not in by_status:
            warn(
                f"{operation['operationId']}: the view documents {status}, but ERRORS declares no "
                f"code with that status"
            )
            response.setdefault("x-error-codes", [])
    operation["responses"] = dict(sorted(responses.items()))


def _document_headers(operation: dict[str, Any], codes: Iterable[str]) -> None:
    """``X-Request-ID`` on every response, ``Retry-After`` on 429/503, ``RateLimit-*`` on every
    response of an operation that declares ``RATE_LIMITED``, the ``Idempotency-Key`` constraints
    and ``Idempotent-Replayed`` on the 200 of an operation that reads that header."""
    rate_limited = ErrorCode.RATE_LIMITED in codes
    idempotent = False
    for parameter in operation.get("parameters", []):
        if parameter.get("in") == "header" and parameter["name"] == IDEMPOTENCY_KEY:
            idempotent = True
            parameter["schema"] = {
                **parameter.get("schema", {}),
                "type": "string",
                "maxLength": IDEMPOTENCY_KEY_MAX_LENGTH,
            }
    for status, response in operation["responses"].items():
        headers = response.setdefault("headers", {})
        headers["X-Request-ID"] = X_REQUEST_ID
        if status in RETRY_STATUSES:
            headers["Retry-After"] = RETRY_AFTER
        if rate_limited:
            headers.update(RATE_LIMIT_HEADERS)
        if idempotent and status == "200":
            headers.setdefault("Idempotent-Replayed", IDEMPOTENT_REPLAYED)


def _document_components_declared(schemas: dict[str, Any], declared: Mapping[str, Any]) -> None:
    """``COMPONENTS`` of the apps: JSON Schema keywords drf-spectacular cannot derive (a list's
    ``minItems``/``maxItems``, a ``oneOf`` between fields), merged into the named component;
    ``properties`` are merged per property."""
    for name, patch in declared.items():
        component = schemas.get(name)
        if component is None:
            warn(f"COMPONENTS names {name!r}, which is not a component of the schema")
            continue
        for key, value in patch.items():
            if key != "properties":
                component[key] = value
                continue
            for prop, keywords in value.items():
                if prop not in component.get("properties", {}):
                    warn(f"COMPONENTS names {name}.{prop}, which is not a property of {name}")
                    continue
                component["properties"][prop].update(keywords)


def _document_request_body(operation: dict[str, Any], schema: Mapping[str, Any] | None) -> None:
    """A JSON body drf-spectacular leaves out (it documents none on DELETE)."""
    if schema is not None and "requestBody" not in operation:
        operation["requestBody"] = {
            "content": {"application/json": {"schema": dict(schema)}},
            "required": True,
        }


def _describe_success(operation: dict[str, Any]) -> None:
    """A success response without a description gets the status's reason phrase."""
    for status, response in operation["responses"].items():
        if status < "400" and not response.get("description"):
            response["description"] = HTTPStatus(int(status)).phrase


def _document_examples(operation: dict[str, Any], examples: Mapping[str, Any]) -> None:
    operation_id = operation["operationId"]
    body = operation.get("requestBody", {}).get("content", {})
    for media in body.values():
        if "request" in examples:
            media["examples"] = _examples(examples["request"])
    for status, response in operation["responses"].items():
        if status < "400" and status in examples:
            media = response.get("content", {}).get("application/json")
            if media is None:
                warn(f"{operation_id}: an example for {status}, which has no JSON body")
                continue
            media["examples"] = _examples(examples[status])
    unknown = set(examples) - {"request", *operation["responses"]}
    if unknown:
        warn(f"{operation_id}: examples for {sorted(unknown)}, which the operation does not have")


def _document_components(components: dict[str, Any]) -> None:
    schemas = components.setdefault("schemas", {})
    schemas.setdefault("ErrorBody", ERROR_BODY_SCHEMA)
    schemas.setdefault(
        "ErrorEnvelope",
        {
            "type": "object",
            "properties": {"error": {"$ref": "#/components/schemas/ErrorBody"}},
            "required": ["error"],
        },
    )
    for (component, prop), value in COMPONENT_EXAMPLES.items():
        if component in schemas:
            schemas[component]["properties"][prop]["example"] = value


def document_operations(result: dict[str, Any], generator: Any, **_: Any) -> dict[str, Any]:
    """drf-spectacular hook: error responses and examples for every operation."""
    errors, examples, bodies = merged("ERRORS"), merged("EXAMPLES"), merged("REQUEST_BODIES")
    schemas = result.get("components", {}).get("schemas", {})
    seen: set[str] = set()
    for operations in result.get("paths", {}).values():
        for operation in operations.values():
            operation_id = operation["operationId"]
            seen.add(operation_id)
            if operation_id not in errors:
                warn(
                    f"{operation_id}: no ERRORS entry. Declare the codes it can return in its "
                    f"app's api/openapi.py (docs/api-schema.md)."
                )
            operation_examples = examples.get(operation_id, {})
            _document_request_body(operation, bodies.get(operation_id))
            _describe_success(operation)
            _document_errors(operation, errors.get(operation_id, ()), operation_examples, schemas)
            _document_examples(operation, operation_examples)
    for operation_id in sorted((errors.keys() | examples.keys() | bodies.keys()) - seen):
        warn(f"{operation_id}: declared in ERRORS/EXAMPLES, but there is no such operation")
    _document_components(result.setdefault("components", {}))
    _document_components_declared(result["components"]["schemas"], merged("COMPONENTS"))
    _require_bodies_with_alternatives(result)
    return result


def document_headers(result: dict[str, Any], generator: Any, **_: Any) -> dict[str, Any]:
    """drf-spectacular hook, the last one: the headers of every response (``_document_headers``),
    including responses that earlier hooks added (a 304, say)."""
    errors = merged("ERRORS")
    for operations in result.get("paths", {}).values():
        for operation in operations.values():
            _document_headers(operation, errors.get(operation["operationId"], ()))
    return result


def _require_bodies_with_alternatives(result: dict[str, Any]) -> None:
    """A body whose schema is a ``oneOf`` or a ``not`` (one of several fields must come) cannot
    be left out."""
    schemas = result["components"]["schemas"]
    for operations in result.get("paths", {}).values():
        for operation in operations.values():
            body = operation.get("requestBody")
            ref = (
                (body or {}).get("content", {}).get("application/json", {}).get("schema", {}).get("$ref", "")
            )
            if ref and {"oneOf", "not"} & set(schemas.get(ref.rsplit("/", 1)[-1], {})):
                body["required"] = True
