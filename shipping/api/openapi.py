"""OpenAPI declarations of the shipping operations, by operationId (docs/api-schema.md).

``ERRORS``: the envelope codes each operation can return (status from ``ERROR_CODES``).
``EXAMPLES``: realistic request/response examples the view decorators do not already give.
"""

from typing import Any

from ecommerce.common.exceptions import ErrorCode as E
from ecommerce.common.schema import JSON_BODY, SIGNED_IN

ADMIN = (*SIGNED_IN, E.PERMISSION_DENIED)
ERRORS: dict[str, tuple[str, ...]] = {
    # INVALID_REQUEST: page/page_size not a whole number ≥ 1; NOT_FOUND: a page past the last
    "shipping_zone_list": (*ADMIN, E.INVALID_REQUEST, E.NOT_FOUND),
    # INVALID_REQUEST also for a country another zone has, a second rest of world, bad tiers
    "shipping_zone_add": (*ADMIN, *JSON_BODY),
    "shipping_zone_retrieve": (*ADMIN, E.NOT_FOUND),
    "shipping_zone_update": (*ADMIN, *JSON_BODY, E.NOT_FOUND),
    "shipping_zone_delete": (*ADMIN, E.NOT_FOUND),
    "shipping_method_list": (*ADMIN, E.INVALID_REQUEST, E.NOT_FOUND),
    "shipping_method_add": (*ADMIN, *JSON_BODY, E.NOT_FOUND),
    "shipping_method_retrieve": (*ADMIN, E.NOT_FOUND),
    "shipping_method_update": (*ADMIN, *JSON_BODY, E.NOT_FOUND),
    "shipping_method_delete": (*ADMIN, E.NOT_FOUND),
}

STANDARD = {
    "id": "shm_Kq3Lw8ZtYb2Hn5Xc",
    "name": "Standard",
    "rate_type": "subtotal_tiers",
    "price": 5.9,
    "tiers": [{"from": 50.0, "price": 3.9}],
    "free_above": 100.0,
    "min_days": 2,
    "max_days": 4,
    "is_active": True,
}
EXPRESS = {
    "id": "shm_P7vR2mXq9LtB4wZd",
    "name": "Express",
    "rate_type": "weight_tiers",
    "price": 9.9,
    "tiers": [{"from": 2000, "price": 14.9}, {"from": 10000, "price": 24.9}],
    "free_above": None,
    "min_days": 1,
    "max_days": 1,
    "is_active": True,
}
ZONE = {
    "id": "shz_Dq8Wm3Kz7Lp2Vx5T",
    "name": "Germany and Austria",
    "countries": ["AT", "DE"],
    "methods": [EXPRESS, STANDARD],
}
WORLD = {
    "id": "shz_R4tY8uI2oP6aS9dF",
    "name": "Rest of the world",
    "countries": ["*"],
    "methods": [
        {
            **STANDARD,
            "id": "shm_Z2xC4vB6nM8qW1eR",
            "name": "International",
            "rate_type": "flat",
            "price": 19.0,
            "tiers": [],
            "free_above": None,
            "min_days": 5,
            "max_days": 10,
        }
    ],
}
ZONE_ERROR = {
    "error": {
        "code": "INVALID_REQUEST",
        "message": "Invalid value for 'countries.1': Already in the zone 'EU' (shz_Dq8Wm3Kz7Lp2Vx5T): a country "
        "belongs to one zone.",
        "details": {
            "countries.1": "Already in the zone 'EU' (shz_Dq8Wm3Kz7Lp2Vx5T): a country belongs to one zone.",
            "methods.0.tiers.1.from": "Must be larger than the previous tier's `from` (tiers ascend).",
        },
    }
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


METHOD_REQUEST = {k: v for k, v in STANDARD.items() if k != "id"}
EXAMPLES: dict[str, dict[str, Any]] = {
    "shipping_zone_list": {"200": {"Two zones": _page([ZONE, WORLD])}},
    "shipping_zone_add": {
        "request": {
            "Countries with a tiered method": {
                "name": "Germany and Austria",
                "countries": ["DE", "AT"],
                "methods": [METHOD_REQUEST],
            },
            "The rest of the world": {
                "name": "Rest of the world",
                "countries": ["*"],
                "methods": [{"name": "International", "price": 19.0, "min_days": 5, "max_days": 10}],
            },
        },
        "201": {"Created": ZONE},
        "400": {"A country of another zone, tiers out of order": ZONE_ERROR},
    },
    "shipping_zone_retrieve": {"200": {"Zone": ZONE}},
    "shipping_zone_update": {
        "request": {
            "Add Switzerland": {"countries": ["DE", "AT", "CH"]},
            "Change one method, drop the others": {
                "methods": [{"id": "shm_Kq3Lw8ZtYb2Hn5Xc", "free_above": 80.0}]
            },
        },
        "200": {"Zone": ZONE},
    },
    "shipping_method_list": {"200": {"A zone's methods": _page([EXPRESS, STANDARD])}},
    "shipping_method_add": {
        "request": {"Tiers by weight": {k: v for k, v in EXPRESS.items() if k != "id"}},
        "201": {"Created": EXPRESS},
    },
    "shipping_method_retrieve": {"200": {"Method": STANDARD}},
    "shipping_method_update": {
        "request": {"Free from 80": {"free_above": 80.0}, "Deactivate": {"is_active": False}},
        "200": {"Method": {**STANDARD, "free_above": 80.0}},
    },
}
