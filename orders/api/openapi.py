"""OpenAPI declarations of the order operations, by operationId (docs/api-schema.md).

``ERRORS``: the envelope codes each operation can return (status from ``ERROR_CODES``).
``EXAMPLES``: realistic request/response examples the view decorators do not already give.
"""

from typing import Any

from ecommerce.common.exceptions import ErrorCode as E
from ecommerce.common.schema import JSON_BODY, SIGNED_IN

# NOT_FOUND next to ORDER_NOT_FOUND: a path id that cannot exist (e.g. with a NUL byte).
ERRORS: dict[str, tuple[str, ...]] = {
    # INVALID_REQUEST: unknown status filter; NOT_FOUND: a page past the last
    "order_list": (*SIGNED_IN, E.INVALID_REQUEST, E.NOT_FOUND),
    "order_checkout": (
        *SIGNED_IN,
        *JSON_BODY,
        E.CART_EMPTY,
        E.PAYMENT_FAILED,
        E.PRODUCT_DISCONTINUED,
        E.INSUFFICIENT_STOCK,
        E.IDEMPOTENCY_CONFLICT,
        E.INVALID_STATE,
        E.RATE_LIMITED,  # CHECKOUT_LIMIT_PER_USER / _PER_IP (card testing)
        E.SERVICE_UNAVAILABLE,  # the gateway could not confirm the payment (order stays pending)
    ),
    "order_retrieve": (*SIGNED_IN, E.ORDER_NOT_FOUND, E.NOT_FOUND),
    "order_update_status": (
        *SIGNED_IN,
        E.PERMISSION_DENIED,
        *JSON_BODY,
        E.ORDER_NOT_FOUND,
        E.NOT_FOUND,
        E.INVALID_STATE,
    ),
    "order_cancel": (*SIGNED_IN, E.ORDER_NOT_FOUND, E.NOT_FOUND, E.INVALID_STATE),
}

ADDRESS = {
    "name": "Ada Lovelace",
    "line1": "12 Analytical Row",
    "line2": "",
    "city": "London",
    "postal_code": "N1 7AA",
    "country": "GB",
}
ORDER = {
    "id": "ord_Hx82kQm1Zr0Tb7Yd",
    "status": "paid",
    "channel": "shop",
    "items": [
        {
            "product_id": "prod_3kTMd9xQ2b7VfLr8",
            "product": {"id": "prod_3kTMd9xQ2b7VfLr8", "name": "Premium Coffee Beans"},
            "name": "Premium Coffee Beans",
            "unit_price": 15.99,
            "quantity": 2,
            "line_total": 31.98,
        },
        {
            "product_id": "prod_Q8wmZ1xL0pT4sV2c",
            "product": {"id": "prod_Q8wmZ1xL0pT4sV2c", "name": "Organic Green Tea"},
            "name": "Organic Green Tea",
            "unit_price": 12.99,
            "quantity": 1,
            "line_total": 12.99,
        },
    ],
    "subtotal": 44.97,
    "total_amount": 44.97,
    "currency": "USD",
    "shipping_address": ADDRESS,
    "customer": {"kind": "user", "id": "usr_1XFvqFEu6zn3fVaY", "email": "ada@example.com"},
    "timeline": [
        {
            "from_status": None,
            "to_status": "pending",
            "actor": "",
            "note": "",
            "created_at": "2026-03-29T23:30:00Z",
        },
        {
            "from_status": "pending",
            "to_status": "paid",
            "actor": "payment",
            "note": "payment captured",
            "created_at": "2026-03-29T23:30:01Z",
        },
    ],
    "created_at": "2026-03-29T23:30:00Z",
    "updated_at": "2026-03-29T23:30:01Z",
}


def moved(order: dict[str, Any], to_status: str, actor: str, at: str) -> dict[str, Any]:
    """``order`` after a status change by ``actor`` at ``at``."""
    event = {
        "from_status": order["status"],
        "to_status": to_status,
        "actor": actor,
        "note": "",
        "created_at": at,
    }
    return {**order, "status": to_status, "timeline": [*order["timeline"], event], "updated_at": at}


SHIPPED = moved(ORDER, "shipped", "admin@example.com", "2026-03-30T09:15:00Z")
CANCELLED = moved(ORDER, "cancelled", "ada@example.com", "2026-03-30T08:00:00Z")
EXAMPLES: dict[str, dict[str, Any]] = {
    "order_list": {
        "200": {
            "Newest first": {
                "count": 1,
                "next": None,
                "previous": None,
                "page": 1,
                "page_size": 20,
                "total_pages": 1,
                "results": [ORDER],
            }
        }
    },
    "order_checkout": {
        "201": {"Placed and paid": ORDER},
        "200": {"Replay (same Idempotency-Key)": ORDER},
    },
    "order_retrieve": {"200": {"Order": ORDER}},
    "order_update_status": {
        "request": {"Ship": {"status": "shipped"}},
        "200": {"Shipped": SHIPPED},
    },
    "order_cancel": {"200": {"Cancelled, stock returned": CANCELLED}},
}
