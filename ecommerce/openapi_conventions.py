"""Post-processing of the OpenAPI document: the response headers of the API's conventions
(docs/api-conventions.md), by path and method, so they hold whatever an operation is called.

- every **201 Created** carries ``Location`` (the new resource's URL), except the inventory
  API's upsert, whose contract names no resource URL;
- the **catalog reads** (GET ``/api/products/…``, ``/api/categories/…``) carry ``ETag``,
  ``Cache-Control`` and ``Vary``, read ``If-None-Match`` and may answer **304**;
- a **replayed checkout** (200 of ``POST /api/orders/``) carries ``Idempotent-Replayed: true``;
- on **lists** (the paginated ones and the inventory list), an empty optional query parameter
  (``status=``) counts as absent: ``allowEmptyValue`` and a sentence on each.
"""

from __future__ import annotations

from typing import Any

NO_LOCATION = ("/api/inventory/", "/api/orders/process")
CATALOG_READS = ("/api/products/", "/api/categories/")
IDEMPOTENT = {("/api/orders/", "post")}
LISTS_NOT_PAGINATED = ("/api/inventory/products/",)
EMPTY_IS_ABSENT = "An empty value (`{name}=`) is the same as leaving the parameter out."

LOCATION = {
    "Location": {
        "schema": {"type": "string", "format": "uri"},
        "required": True,
        "description": "The new resource's URL.",
    }
}
ETAG = {
    "schema": {"type": "string"},
    "description": "Tag of this body; changes with every catalog write. Send it back in "
    "`If-None-Match` to get a 304 while it is current. Absent while the cache is unreachable.",
}
CACHE_CONTROL = {
    "schema": {"type": "string", "enum": ["public, max-age=60", "private, max-age=0, must-revalidate"]},
    "description": "`public, max-age=60` for anonymous callers (a CDN may keep it a minute); "
    "`private, max-age=0, must-revalidate` when signed in.",
}
VARY = {"schema": {"type": "string"}, "description": "Includes `Authorization`."}
IF_NONE_MATCH = {
    "name": "If-None-Match",
    "in": "header",
    "required": False,
    "schema": {"type": "string"},
    "description": "An `ETag` from an earlier answer: while it is current the answer is 304 "
    "Not Modified, without a body.",
}
NOT_MODIFIED = {
    "description": "Not Modified: `If-None-Match` names the current `ETag`; no body.",
    "headers": {"ETag": ETAG, "Cache-Control": CACHE_CONTROL, "Vary": VARY},
}
REPLAYED = {
    "Idempotent-Replayed": {
        "schema": {"type": "string", "enum": ["true"]},
        "required": True,
        "description": "This is the stored answer to an earlier request with the same Idempotency-Key.",
    }
}


def _add_headers(response: dict[str, Any], headers: dict[str, Any]) -> None:
    response.setdefault("headers", {}).update(headers)


def _is_list(path: str, operation: dict[str, Any]) -> bool:
    if path in LISTS_NOT_PAGINATED:
        return True
    schema = (
        operation["responses"].get("200", {}).get("content", {}).get("application/json", {}).get("schema", {})
    )
    return schema.get("$ref", "").startswith("#/components/schemas/Paginated")


def _empty_is_absent(operation: dict[str, Any]) -> None:
    for parameter in operation.get("parameters", []):
        if parameter["in"] == "query" and not parameter.get("required"):
            parameter["allowEmptyValue"] = True
            sentence = EMPTY_IS_ABSENT.format(name=parameter["name"])
            description = parameter.get("description", "")
            if sentence not in description:
                parameter["description"] = f"{description}\n\n{sentence}" if description else sentence


def document_conventions(result: dict[str, Any], generator: Any, **_: Any) -> dict[str, Any]:
    """drf-spectacular hook: ``Location``, ``ETag``/304/``Cache-Control``, ``Idempotent-Replayed``."""
    for path, operations in result.get("paths", {}).items():
        for method, operation in operations.items():
            responses = operation.get("responses", {})
            if "201" in responses and not path.startswith(NO_LOCATION):
                _add_headers(responses["201"], LOCATION)
            if method == "get" and path.startswith(CATALOG_READS):
                _add_headers(responses["200"], {"ETag": ETAG, "Cache-Control": CACHE_CONTROL, "Vary": VARY})
                responses["304"] = dict(NOT_MODIFIED)
                operation["responses"] = dict(sorted(responses.items()))
                operation.setdefault("parameters", []).append(dict(IF_NONE_MATCH))
            if method == "get" and _is_list(path, operation):
                _empty_is_absent(operation)
            if (path, method) in IDEMPOTENT and "200" in responses:
                _add_headers(responses["200"], REPLAYED)
    return result
