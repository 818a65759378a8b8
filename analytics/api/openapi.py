"""OpenAPI declarations of the analytics operations, by operationId (docs/api-schema.md).

``ERRORS``: the envelope codes each operation can return (status from ``ERROR_CODES``).
``EXAMPLES``: realistic request/response examples the view decorators do not already give.
"""

from typing import Any

from ecommerce.common.exceptions import ErrorCode as E
from ecommerce.common.schema import SIGNED_IN

ERRORS: dict[str, tuple[str, ...]] = {
    # INVALID_REQUEST: a bad date, `from` after `to`, a period over 731 days
    "analytics_summary_retrieve": (*SIGNED_IN, E.PERMISSION_DENIED, E.INVALID_REQUEST),
}
EXAMPLES: dict[str, dict[str, Any]] = {}
