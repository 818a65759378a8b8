"""OpenAPI declarations of the service operations, by operationId (docs/api-schema.md).

``ERRORS``: the envelope codes each operation can return (status from ``ERROR_CODES``).
``EXAMPLES``: realistic request/response examples the view decorators do not already give.
"""

from typing import Any

from .exceptions import ErrorCode as E

ERRORS: dict[str, tuple[str, ...]] = {
    "health_retrieve": (E.SERVICE_UNAVAILABLE,),
    "api_index": (),
}
EXAMPLES: dict[str, dict[str, Any]] = {
    "api_index": {
        "200": {
            "Index": {
                "name": "E-commerce backend API",
                "version": "0.1.0",
                "api_version": "1.0.0",
                "docs": {
                    "schema": "http://127.0.0.1:8000/api/schema/",
                    "schema_json": "http://127.0.0.1:8000/api/schema/?format=json",
                    "swagger_ui": "http://127.0.0.1:8000/api/docs/",
                    "redoc": "http://127.0.0.1:8000/api/redoc/",
                    "quickstart": "http://127.0.0.1:8000/quickstart/",
                },
                "resources": {
                    "products": "http://127.0.0.1:8000/api/products/",
                    "cart": "http://127.0.0.1:8000/api/cart/",
                    "orders": "http://127.0.0.1:8000/api/orders/",
                },
            }
        }
    },
    "health_retrieve": {
        "200": {
            "All up": {"status": "ok", "database": "ok", "cache": "ok", "broker": "ok", "worker": "ok"},
            "No broker configured (tasks in-process)": {
                "status": "ok",
                "database": "ok",
                "cache": "ok",
                "broker": "disabled",
                "worker": "disabled",
            },
            "Broker unreachable": {
                "status": "degraded",
                "database": "ok",
                "cache": "ok",
                "broker": "unavailable",
                "worker": "degraded",
            },
            "No worker heartbeat": {
                "status": "degraded",
                "database": "ok",
                "cache": "ok",
                "broker": "ok",
                "worker": "degraded",
            },
        },
        "503": {
            "Cache down": {
                "status": "unavailable",
                "database": "ok",
                "cache": "unavailable",
                "broker": "ok",
                "worker": "ok",
                "error": {
                    "code": "SERVICE_UNAVAILABLE",
                    "message": "Unavailable: cache.",
                    "details": {"cache": "unavailable"},
                },
            }
        },
    },
}
