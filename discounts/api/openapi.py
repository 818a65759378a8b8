"""OpenAPI declarations of the voucher and promotion operations, by operationId (docs/api-schema.md)."""

from typing import Any

from ecommerce.common.exceptions import ErrorCode as E
from ecommerce.common.schema import JSON_BODY, SIGNED_IN

ADMIN = (*SIGNED_IN, E.PERMISSION_DENIED)
ERRORS: dict[str, tuple[str, ...]] = {
    # INVALID_REQUEST: page/page_size not a whole number ≥ 1; NOT_FOUND: a page past the last
    "voucher_list": (*ADMIN, E.INVALID_REQUEST, E.NOT_FOUND),
    # INVALID_REQUEST also for a taken code, a value out of range, unknown ids in applies_to
    "voucher_create": (*ADMIN, *JSON_BODY),
    "voucher_retrieve": (*ADMIN, E.NOT_FOUND),
    "voucher_update": (*ADMIN, *JSON_BODY, E.NOT_FOUND),
    # INVALID_STATE: orders used it (deactivate it instead)
    "voucher_delete": (*ADMIN, E.NOT_FOUND, E.INVALID_STATE),
    "promotion_list": (*ADMIN, E.INVALID_REQUEST, E.NOT_FOUND),
    "promotion_create": (*ADMIN, *JSON_BODY),
    "promotion_retrieve": (*ADMIN, E.NOT_FOUND),
    "promotion_update": (*ADMIN, *JSON_BODY, E.NOT_FOUND),
    "promotion_delete": (*ADMIN, E.NOT_FOUND),
}

EVERYTHING: dict[str, list[str]] = {"categories": [], "products": [], "variants": []}
VOUCHER = {
    "id": "vch_T6yU8iO0pA2sD4fG",
    "code": "SPRING10",
    "kind": "percentage",
    "value": 10.0,
    "min_subtotal": 30.0,
    "applies_to": {"categories": ["cat_Q2b7VfLr83kTMd9x"], "products": [], "variants": []},
    "starts_at": "2026-03-01T00:00:00Z",
    "ends_at": "2026-04-01T00:00:00Z",
    "usage_limit": 500,
    "usage_limit_per_customer": 1,
    "used_count": 42,
    "is_active": True,
}
FREE_SHIPPING = {
    **VOUCHER,
    "id": "vch_J1kL3zX5cV7bN9mQ",
    "code": "SHIPFREE",
    "kind": "free_shipping",
    "value": 0.0,
    "min_subtotal": None,
    "applies_to": EVERYTHING,
    "starts_at": None,
    "ends_at": None,
    "usage_limit": None,
    "usage_limit_per_customer": None,
    "used_count": 3,
}
PROMOTION = {
    "id": "prm_W3eR5tY7uI9oP1aS",
    "name": "Coffee week",
    "kind": "percentage",
    "value": 15.0,
    "min_subtotal": None,
    "applies_to": {"categories": ["cat_Q2b7VfLr83kTMd9x"], "products": [], "variants": []},
    "starts_at": "2026-05-04T00:00:00Z",
    "ends_at": "2026-05-11T00:00:00Z",
    "is_active": True,
}
FREE_OVER = {
    **PROMOTION,
    "id": "prm_D6fG8hJ0kL2zX4cV",
    "name": "Free shipping over 50",
    "kind": "free_shipping",
    "value": 0.0,
    "min_subtotal": 50.0,
    "applies_to": EVERYTHING,
    "ends_at": "2026-12-31T23:00:00Z",
}


def _page(results: list[Any]) -> dict[str, Any]:
    return {
        "count": len(results),
        "next": None,
        "previous": None,
        "page": 1,
        "page_size": 20,
        "total_pages": 1,
        "results": results,
    }


def _request(body: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in body.items() if k not in ("id", "used_count")}


EXAMPLES: dict[str, dict[str, Any]] = {
    "voucher_list": {"200": {"Two vouchers": _page([VOUCHER, FREE_SHIPPING])}},
    "voucher_create": {
        "request": {
            "10% off coffee, once per customer": _request(VOUCHER),
            "Free shipping": {"code": "shipfree", "kind": "free_shipping"},
        },
        "201": {"Created": {**VOUCHER, "used_count": 0}},
    },
    "voucher_retrieve": {"200": {"Voucher": VOUCHER}},
    "voucher_update": {
        "request": {"More uses": {"usage_limit": 1000}, "Stop it": {"is_active": False}},
        "200": {"Voucher": {**VOUCHER, "usage_limit": 1000}},
    },
    "promotion_list": {"200": {"Two promotions": _page([PROMOTION, FREE_OVER])}},
    "promotion_create": {
        "request": {
            "15% off a category for a week": _request(PROMOTION),
            "Free shipping over 50": _request(FREE_OVER),
        },
        "201": {"Created": PROMOTION},
    },
    "promotion_retrieve": {"200": {"Promotion": PROMOTION}},
    "promotion_update": {
        "request": {"A week longer": {"ends_at": "2026-05-18T00:00:00Z"}},
        "200": {"Promotion": {**PROMOTION, "ends_at": "2026-05-18T00:00:00Z"}},
    },
}
