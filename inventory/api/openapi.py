"""OpenAPI declarations of the inventory operations, by operationId (docs/api-schema.md).

``ERRORS``: the envelope codes each operation can return (status from ``ERROR_CODES``); the
view decorators describe the inventory's responses in their own words (kept), and their
examples come from ``examples.py``.
"""

from typing import Any

from ecommerce.common.exceptions import ErrorCode as E
from ecommerce.common.schema import JSON_BODY, SIGNED_IN
from inventory.services import MAX_BATCH

# Every request: the rate limit per manager_id (429), and in `token` access mode a JWT of the
# user linked to that manager id (401, 403).
ACCESS = (*SIGNED_IN, E.PERMISSION_DENIED, E.RATE_LIMITED)
ERRORS: dict[str, tuple[str, ...]] = {
    "inventory_product_list": (*ACCESS, E.INVALID_REQUEST),
    # VARIANT_REQUIRED: a product given several variants in the shop's admin
    "inventory_product_upsert": (*ACCESS, *JSON_BODY, E.PRODUCT_NOT_FOUND, E.VARIANT_REQUIRED),
    "inventory_product_discontinue": (*ACCESS, *JSON_BODY, E.PRODUCT_NOT_FOUND),
    "inventory_order_process": (
        *ACCESS,
        *JSON_BODY,
        E.PRODUCT_NOT_FOUND,
        E.VARIANT_REQUIRED,
        E.INSUFFICIENT_STOCK,
        E.PRODUCT_DISCONTINUED,
    ),
}
EXAMPLES: dict[str, dict[str, Any]] = {}

# What the serializers enforce but drf-spectacular does not derive: 1..MAX_BATCH products.
BATCH = {"minItems": 1, "maxItems": MAX_BATCH}
COMPONENTS: dict[str, dict[str, Any]] = {
    "InventoryProductsUpsertRequest": {"properties": {"products": BATCH}},
    "InventoryOrderProcessRequest": {"properties": {"products": BATCH}},
}
