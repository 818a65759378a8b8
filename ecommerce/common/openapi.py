"""OpenAPI declarations of the service operations, by operationId (docs/api-schema.md).

``ERRORS``: the envelope codes each operation can return (status from ``ERROR_CODES``).
``EXAMPLES``: realistic request/response examples the view decorators do not already give.
"""

from typing import Any

from .exceptions import ErrorCode as E

ERRORS: dict[str, tuple[str, ...]] = {
    "health_retrieve": (E.SERVICE_UNAVAILABLE,),
}
EXAMPLES: dict[str, dict[str, Any]] = {
    "health_retrieve": {
        "200": {"All up": {"status": "ok", "database": "ok", "cache": "ok"}},
        "503": {
            "Cache down": {
                "status": "unavailable",
                "database": "ok",
                "cache": "unavailable",
                "error": {
                    "code": "SERVICE_UNAVAILABLE",
                    "message": "Unavailable: cache.",
                    "details": {"cache": "unavailable"},
                },
            }
        },
    }
}
