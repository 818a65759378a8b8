"""OpenAPI declarations of the tax rate operations, by operationId (docs/api-schema.md)."""

from typing import Any

from ecommerce.common.exceptions import ErrorCode as E
from ecommerce.common.schema import JSON_BODY, SIGNED_IN

ADMIN = (*SIGNED_IN, E.PERMISSION_DENIED)
ERRORS: dict[str, tuple[str, ...]] = {
    # INVALID_REQUEST: page/page_size not a whole number ≥ 1; NOT_FOUND: a page past the last
    "tax_rate_list": (*ADMIN, E.INVALID_REQUEST, E.NOT_FOUND),
    # INVALID_REQUEST also for a second rate of the same country, region and class
    "tax_rate_add": (*ADMIN, *JSON_BODY),
    "tax_rate_retrieve": (*ADMIN, E.NOT_FOUND),
    "tax_rate_update": (*ADMIN, *JSON_BODY, E.NOT_FOUND),
    "tax_rate_delete": (*ADMIN, E.NOT_FOUND),
}

RATE = {"id": "txr_H3kP9wQ2zL7vB4nX", "country": "DE", "region": None, "tax_class": "standard", "rate": 19.0}
REDUCED = {**RATE, "id": "txr_M8qT2rW6yU1iO5pA", "tax_class": "reduced", "rate": 7.0}
REGION = {
    "id": "txr_C5vB7nM9qW2eR4tY",
    "country": "US",
    "region": "CA",
    "tax_class": "standard",
    "rate": 7.25,
}
EXAMPLES: dict[str, dict[str, Any]] = {
    "tax_rate_list": {
        "200": {
            "Rates": {
                "count": 3,
                "next": None,
                "previous": None,
                "page": 1,
                "page_size": 20,
                "total_pages": 1,
                "results": [RATE, REDUCED, REGION],
            }
        }
    },
    "tax_rate_add": {
        "request": {
            "A country's standard rate": {"country": "DE", "tax_class": "standard", "rate": 19.0},
            "A region's rate": {"country": "US", "region": "CA", "tax_class": "standard", "rate": 7.25},
        },
        "201": {"Created": RATE},
    },
    "tax_rate_retrieve": {"200": {"Rate": RATE}},
    "tax_rate_update": {"request": {"New rate": {"rate": 20.0}}, "200": {"Rate": {**RATE, "rate": 20.0}}},
}
