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
    # A signed-in buyer (JWT) or a guest (X-Cart-Token): SIGNED_IN as for the cart.
    "checkout_create": (*SIGNED_IN, E.CART_EMPTY),
    "checkout_retrieve": (*SIGNED_IN, E.NOT_FOUND),
    # INVALID_REQUEST: a bad address (dotted fields), an address id for a guest, both forms
    "checkout_update": (
        *SIGNED_IN,
        *JSON_BODY,
        E.NOT_FOUND,
        E.VOUCHER_INVALID,
        E.SHIPPING_UNAVAILABLE,
        E.CHECKOUT_EXPIRED,
        E.INVALID_STATE,
    ),
    "checkout_cancel": (*SIGNED_IN, E.NOT_FOUND, E.INVALID_STATE),
    "checkout_complete": (
        *SIGNED_IN,
        *JSON_BODY,
        E.NOT_FOUND,
        E.CART_EMPTY,
        E.PAYMENT_FAILED,
        E.PRODUCT_DISCONTINUED,
        E.INSUFFICIENT_STOCK,
        E.IDEMPOTENCY_CONFLICT,
        E.INVALID_STATE,
        E.PRICE_CHANGED,
        E.VOUCHER_INVALID,
        E.VOUCHER_EXHAUSTED,
        E.SHIPPING_UNAVAILABLE,
        E.CHECKOUT_EXPIRED,
        E.RATE_LIMITED,
        E.SERVICE_UNAVAILABLE,
    ),
}

ADDRESS = {
    "name": "Ada Lovelace",
    "line1": "12 Analytical Row",
    "line2": "",
    "city": "London",
    "region": "",
    "postal_code": "N1 7AA",
    "country": "GB",
    "phone": "",
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
            "unit_price_net": 15.99,
            "unit_price_gross": 15.99,
            "tax_rate": 0.0,
            "discount": 0.0,
            "tax": 0.0,
            "total": 31.98,
        },
        {
            "product_id": "prod_Q8wmZ1xL0pT4sV2c",
            "product": {"id": "prod_Q8wmZ1xL0pT4sV2c", "name": "Organic Green Tea"},
            "name": "Organic Green Tea",
            "unit_price": 12.99,
            "quantity": 1,
            "line_total": 12.99,
            "unit_price_net": 12.99,
            "unit_price_gross": 12.99,
            "tax_rate": 0.0,
            "discount": 0.0,
            "tax": 0.0,
            "total": 12.99,
        },
    ],
    "subtotal": 44.97,
    "discount_total": 0.0,
    "shipping_total": 0.0,
    "tax_total": 0.0,
    "total_amount": 44.97,
    "prices_include_tax": False,
    "tax_breakdown": [],
    "shipping_method": None,
    "discount_codes": [],
    "currency": "USD",
    "shipping_address": ADDRESS,
    "billing_address": None,
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
    "access_token": None,
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


ADDRESS_DE = {
    "name": "Grace Hopper",
    "line1": "Invalidenstr. 1",
    "line2": "",
    "city": "Berlin",
    "region": "",
    "postal_code": "10115",
    "country": "DE",
    "phone": "",
}
STANDARD = {"id": "shm_4Lq2Wm8RtY6Zp0Xc", "name": "Standard", "price": 4.90, "min_days": 2, "max_days": 4}
EXPRESS = {"id": "shm_9KdT3vBn5Qw1Hs7J", "name": "Express", "price": 9.90, "min_days": 1, "max_days": 1}
LINES: list[dict[str, Any]] = [
    {
        "variant_id": "var_7HqTn2LpX9cVw4Rz",
        "product_id": "prod_3kTMd9xQ2b7VfLr8",
        "name": "The Art of Computer Programming",
        "sku": "TAOCP-1",
        "options": {},
        "quantity": 2,
        "unit_price": 20.00,
        "discount": 4.00,
        "tax": 2.52,
        "total": 38.52,
    },
    {
        "variant_id": "var_K2mWq8ZtYb3Hn5Lc",
        "product_id": "prod_Q8wmZ1xL0pT4sV2c",
        "name": "Desk Lamp",
        "sku": "LAMP-M",
        "options": {"size": "M"},
        "quantity": 1,
        "unit_price": 30.00,
        "discount": 3.00,
        "tax": 5.13,
        "total": 32.13,
    },
]
CHECKOUT: dict[str, Any] = {
    "id": "chk_7Vb2Qx9LmT4sZ1Kd",
    "status": "open",
    "email": "grace@example.com",
    "lines": LINES,
    "shipping_address": ADDRESS_DE,
    "billing_address": None,
    "available_shipping_methods": [STANDARD, EXPRESS],
    "shipping_method": STANDARD,
    "discount_codes": ["TEN"],
    "totals": {
        "subtotal": 70.00,
        "discount": 7.00,
        "shipping": 4.90,
        "tax": 8.58,
        "total": 76.48,
        "currency": "USD",
    },
    "totals_minor": {
        "subtotal": 7000,
        "discount": 700,
        "shipping": 490,
        "tax": 858,
        "total": 7648,
        "currency": "USD",
    },
    "messages": [],
    "expires_at": "2026-03-29T23:30:00Z",
    "order_id": None,
}
NEW_CHECKOUT = {
    **CHECKOUT,
    "email": "",
    "lines": [
        {**line, "discount": 0.0, "tax": 0.0, "total": line["unit_price"] * line["quantity"]}
        for line in LINES
    ],
    "shipping_address": None,
    "available_shipping_methods": [],
    "shipping_method": None,
    "discount_codes": [],
    "totals": {
        "subtotal": 70.00,
        "discount": 0.0,
        "shipping": 0.0,
        "tax": 0.0,
        "total": 70.00,
        "currency": "USD",
    },
    "totals_minor": {
        "subtotal": 7000,
        "discount": 0,
        "shipping": 0,
        "tax": 0,
        "total": 7000,
        "currency": "USD",
    },
    "messages": [
        {
            "code": "INVALID_REQUEST",
            "message": "A shipping address is required.",
            "details": {"shipping_address": "required"},
        },
        {
            "code": "INVALID_REQUEST",
            "message": "An email address is required.",
            "details": {"email": "required"},
        },
    ],
}
GUEST_ORDER = {
    **ORDER,
    "customer": {"kind": "guest", "id": None, "email": "grace@example.com"},
    "access_token": "3pXq0cV9rLm2Tb8YwK4sNz7Hd1Jf5Ga6",
}
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
    "checkout_create": {"201": {"A guest's new session": NEW_CHECKOUT}},
    "checkout_retrieve": {"200": {"Ready to complete": CHECKOUT}},
    "checkout_update": {
        "request": {
            "Address, method and a code": {
                "email": "grace@example.com",
                "shipping_address": {k: v for k, v in ADDRESS_DE.items() if v},
                "shipping_method_id": STANDARD["id"],
                "discount_codes": ["TEN"],
            },
            "From the address book": {"shipping_address_id": "adr_2Rk8Wq5ZmT1xYc7B"},
        },
        "200": {"Priced": CHECKOUT},
    },
    "checkout_complete": {
        "request": {
            "Pay what was shown": {"payment": {"method": "card", "token": "tok_ok"}, "expected_total": 76.48}
        },
        "201": {"Placed and paid (a guest: with its access token)": GUEST_ORDER},
        "200": {"Replay (same Idempotency-Key)": GUEST_ORDER},
    },
}
