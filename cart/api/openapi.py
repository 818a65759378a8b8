"""OpenAPI declarations of the cart operations, by operationId (docs/api-schema.md).

``ERRORS``: the envelope codes each operation can return (status from ``ERROR_CODES``).
``EXAMPLES``: realistic request/response examples the view decorators do not already give.
"""

from typing import Any

from ecommerce.common.exceptions import ErrorCode as E
from ecommerce.common.schema import JSON_BODY, SIGNED_IN

AVAILABILITY = (E.PRODUCT_DISCONTINUED, E.INSUFFICIENT_STOCK)
# The cart operations take a bearer JWT or a guest's X-Cart-Token: 401 AUTHENTICATION_REQUIRED
# with neither, TOKEN_INVALID for a bad JWT or a token naming no live guest cart (SIGNED_IN).
ERRORS: dict[str, tuple[str, ...]] = {
    "cart_create": (E.RATE_LIMITED,),
    # NOT_FOUND: the token names no guest cart (unknown, or expired)
    "cart_merge": (*SIGNED_IN, *JSON_BODY, E.NOT_FOUND),
    "cart_retrieve": (*SIGNED_IN,),
    "cart_clear": (*SIGNED_IN,),
    "cart_item_add": (*SIGNED_IN, *JSON_BODY, E.PRODUCT_NOT_FOUND, E.VARIANT_REQUIRED, *AVAILABILITY),
    # NOT_FOUND: the variant is not a line of the cart (or of the saved list); VARIANT_REQUIRED:
    # a product id matching lines of several of its variants
    "cart_item_update": (*SIGNED_IN, *JSON_BODY, E.NOT_FOUND, E.VARIANT_REQUIRED, *AVAILABILITY),
    "cart_item_remove": (*SIGNED_IN, E.NOT_FOUND, E.VARIANT_REQUIRED),
    "cart_item_save_for_later": (*SIGNED_IN, E.NOT_FOUND, E.VARIANT_REQUIRED),
    "cart_saved_item_move_to_cart": (*SIGNED_IN, E.NOT_FOUND, E.VARIANT_REQUIRED, *AVAILABILITY),
}

# A body names the variant, or the product of a single-variant product: exactly one of the two.
# Stated with ``not`` (not both, not neither) rather than a ``oneOf`` of the two, which client
# generators turn into a union of two request types: v1 clients keep their one model.
COMPONENTS: dict[str, dict[str, Any]] = {
    "CartItemAddRequest": {
        "not": {
            "anyOf": [
                {"required": ["variant_id", "product_id"]},
                {"not": {"anyOf": [{"required": ["variant_id"]}, {"required": ["product_id"]}]}},
            ]
        }
    },
}

COFFEE = {"id": "prod_3kTMd9xQ2b7VfLr8", "name": "Premium Coffee Beans", "price": 15.99, "status": "in_stock"}
TEA = {"id": "prod_Q8wmZ1xL0pT4sV2c", "name": "Organic Green Tea", "price": 12.99, "status": "in_stock"}


VARIANTS = {
    COFFEE["id"]: {"id": "var_7HqTn2LpX9cVw4Rz", "sku": "PREMIUM-COFFEE-BEANS-1", "options": {}},
    TEA["id"]: {"id": "var_K2mWq8ZtYb3Hn5Lc", "sku": "ORGANIC-GREEN-TEA-2", "options": {}},
}


def line(product: dict[str, Any], quantity: int) -> dict[str, Any]:
    total = round(product["price"] * quantity, 2)
    return {
        "variant": VARIANTS[product["id"]],
        "product": product,
        "quantity": quantity,
        "unit_price": product["price"],
        "line_total": total,
    }


def cart(items: list[dict[str, Any]], saved: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    return {
        "items": items,
        "saved_for_later": saved or [],
        "subtotal": round(sum(item["line_total"] for item in items), 2),
        "item_count": sum(item["quantity"] for item in items),
        "currency": "USD",
    }


CART = cart([line(COFFEE, 2), line(TEA, 1)])
EXAMPLES: dict[str, dict[str, Any]] = {
    "cart_retrieve": {"200": {"Two lines": CART}},
    "cart_item_add": {
        "request": {"Add two bags of coffee": {"product_id": COFFEE["id"], "quantity": 2}},
        "201": {"Cart with the new line": CART},
    },
    "cart_item_update": {
        "request": {"Three bags": {"quantity": 3}},
        "200": {"Quantity changed": cart([line(COFFEE, 3), line(TEA, 1)])},
    },
    "cart_item_remove": {"200": {"Tea removed": cart([line(COFFEE, 2)])}},
    "cart_item_save_for_later": {
        "200": {"Tea saved for later": cart([line(COFFEE, 2)], saved=[line(TEA, 1)])}
    },
    "cart_saved_item_move_to_cart": {"200": {"Tea back in the cart": CART}},
    "cart_create": {
        "201": {
            "A new guest cart": {
                "id": "cart_5Ht2Lq8ZxN3mV7cB",
                "token": "ct_Zp4w9Qx2LmN7bV1cT8sY3kR6hJ0fD5gA2eU9iO4yW1q",
                **cart([]),
            }
        }
    },
    "cart_merge": {
        "request": {"The guest cart's token": {"token": "ct_Zp4w9Qx2LmN7bV1cT8sY3kR6hJ0fD5gA2eU9iO4yW1q"}},
        "200": {"The user's cart with the guest's lines": CART},
    },
}
