"""OpenAPI declarations of the webhooks operations, by operationId (docs/api-schema.md).

``ERRORS``: the envelope codes each operation can return (status from ``ERROR_CODES``).
``EXAMPLES``: realistic request/response examples the view decorators do not already give.
"""

from typing import Any

from ecommerce.common.exceptions import ErrorCode as E
from ecommerce.common.schema import JSON_BODY, SIGNED_IN

ADMIN = (*SIGNED_IN, E.PERMISSION_DENIED)
ERRORS: dict[str, tuple[str, ...]] = {
    # INVALID_REQUEST: page/page_size not a whole number ≥ 1; NOT_FOUND: a page past the last
    "webhook_endpoint_list": (*ADMIN, E.INVALID_REQUEST, E.NOT_FOUND),
    # INVALID_REQUEST also for a URL the SSRF rule refuses (details.url)
    "webhook_endpoint_add": (*ADMIN, *JSON_BODY),
    "webhook_endpoint_retrieve": (*ADMIN, E.NOT_FOUND),
    "webhook_endpoint_update": (*ADMIN, *JSON_BODY, E.NOT_FOUND),
    "webhook_endpoint_delete": (*ADMIN, E.NOT_FOUND),
    "webhook_endpoint_rotate_secret": (*ADMIN, E.NOT_FOUND),
    "webhook_endpoint_test": (*ADMIN, E.NOT_FOUND, E.INVALID_STATE),
    "webhook_delivery_list": (*ADMIN, E.INVALID_REQUEST, E.NOT_FOUND),
    "webhook_delivery_redeliver": (*ADMIN, E.NOT_FOUND, E.INVALID_STATE),
}

# What the serializers cannot say: the URL's shape (the SSRF rule itself needs DNS, so a
# schema-valid URL may still be a 400 on `url`; docs/webhooks.md).
URL_SCHEMA = {
    "format": "uri",
    "pattern": r"^[Hh][Tt][Tt][Pp][Ss]?://[^\s/?#@]+(?:[/?#]\S*)?$",
    "description": "An http or https URL without credentials whose host resolves only to public "
    "addresses (docs/webhooks.md, 'Where deliveries may go').",
}
COMPONENTS: dict[str, dict[str, Any]] = {
    "WebhookEndpointWriteRequest": {"properties": {"url": URL_SCHEMA}},
    "PatchedWebhookEndpointWriteRequest": {"properties": {"url": URL_SCHEMA}},
}

SECRET = "whsec_MfKQ9r8GKYqXTwJg4BaX0cGQ9Y5bWlMJ2FFTNMHl6Wk="  # noqa: S105 - an example in the docs
ENDPOINT = {
    "id": "whe_Vb3kQm8ZrT1xLp0c",
    "url": "https://erp.example.com/hooks/shop",
    "events": ["order.paid", "order.cancelled"],
    "description": "ERP: paid and cancelled orders",
    "is_active": True,
    "consecutive_failures": 0,
    "disabled_at": None,
    "disabled_reason": "",
    "created_at": "2026-01-05T10:00:00Z",
    "updated_at": "2026-01-05T10:00:00Z",
}
DELIVERY = {
    "id": "whd_8sKd02LmQa7Bv1Xz",
    "event_id": "evt_01JH3Q6S7W8XKZ4P2N5R9TBCDE",
    "event_type": "order.paid",
    "attempt": 2,
    "status": "succeeded",
    "response_status": 200,
    "duration_ms": 84,
    "response_excerpt": '{"ok":true}',
    "error": "",
    "next_attempt_at": None,
    "created_at": "2026-01-05T10:02:00Z",
}
ACCEPTED = {
    "delivery_id": "whd_8sKd02LmQa7Bv1Xz",
    "event_id": "evt_3f2a9c1e0b7d4e8fa6c5b4d3e2f1a0b9",
    "status": "pending",
}


def _page(results: list[Any], path: str) -> dict[str, Any]:
    return {
        "count": len(results),
        "next": None,
        "previous": None,
        "page": 1,
        "page_size": 20,
        "total_pages": 1,
        "results": results,
    }


EXAMPLES: dict[str, dict[str, Any]] = {
    "webhook_endpoint_list": {"200": {"One endpoint": _page([ENDPOINT], "/api/webhooks/endpoints/")}},
    "webhook_endpoint_add": {
        "request": {
            "Paid and cancelled orders": {
                "url": "https://erp.example.com/hooks/shop",
                "events": ["order.paid", "order.cancelled"],
                "description": "ERP: paid and cancelled orders",
            },
            "Every event": {"url": "https://hooks.example.net/shop", "events": ["*"]},
        },
        "201": {"Created, with its secret": {**ENDPOINT, "secret": SECRET}},
    },
    "webhook_endpoint_retrieve": {"200": {"Endpoint": ENDPOINT}},
    "webhook_endpoint_update": {
        "request": {"Re-activate": {"is_active": True}, "Every event": {"events": ["*"]}},
        "200": {"Endpoint": ENDPOINT},
    },
    "webhook_endpoint_rotate_secret": {"200": {"New secret": {"secret": SECRET}}},
    "webhook_endpoint_test": {"202": {"Ping queued": ACCEPTED}},
    "webhook_delivery_list": {
        "200": {
            "Delivery log": _page(
                [
                    DELIVERY,
                    {
                        **DELIVERY,
                        "id": "whd_Q8wmZ1xL0pT4sV2c",
                        "event_id": "evt_01JH3Q9A1B2C3D4E5F6G7H8J9K",
                        "event_type": "order.cancelled",
                        "attempt": 3,
                        "status": "failed",
                        "response_status": 503,
                        "duration_ms": 1204,
                        "response_excerpt": "Service Unavailable",
                        "error": "HTTP 503",
                        "next_attempt_at": "2026-01-05T11:02:00Z",
                    },
                ],
                "/api/webhooks/endpoints/whe_Vb3kQm8ZrT1xLp0c/deliveries/",
            )
        }
    },
    "webhook_delivery_redeliver": {
        "202": {"Redelivery queued": {**ACCEPTED, "event_id": DELIVERY["event_id"]}}
    },
}
