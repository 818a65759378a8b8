"""The names a generated client shows: operation ids, anonymous access, enum member names.

This is the one place where operationIds are given (docs/api-client.md). The rule is
``<resource>_<verb>``: the resource in the singular, prefixed by its area when it has one
(``auth_``, ``cart_item_``, ``inventory_product_``), and the verb

* ``list``, ``retrieve``, ``create``, ``update`` (PATCH), ``replace`` (PUT), ``delete`` for the
  plain reads and writes;
* the action's own verb otherwise (``auth_login``, ``order_checkout``, ``order_cancel``,
  ``cart_item_save_for_later``).

A route missing from :data:`OPERATION_IDS` is a schema warning, so ``make schema`` fails until
the new operation gets its name here (and its ``ERRORS`` entry under that name).
"""

from __future__ import annotations

import re
from typing import Any

from django.contrib.auth.models import AnonymousUser
from drf_spectacular.drainage import warn
from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema
from rest_framework import serializers

# (method, path without the trailing slash) → operationId.
OPERATION_IDS: dict[tuple[str, str], str] = {
    ("GET", "/api"): "api_index",
    ("GET", "/api/health"): "health_retrieve",
    # auth
    ("POST", "/api/auth/register"): "auth_register",
    ("POST", "/api/auth/verify-email"): "auth_verify_email",
    ("POST", "/api/auth/verify-email/resend"): "auth_resend_verification",
    ("POST", "/api/auth/login"): "auth_login",
    ("POST", "/api/auth/token/refresh"): "auth_token_refresh",
    ("POST", "/api/auth/logout"): "auth_logout",
    ("POST", "/api/auth/password/reset"): "auth_password_reset",
    ("POST", "/api/auth/password/reset/confirm"): "auth_password_reset_confirm",
    ("POST", "/api/auth/password/change"): "auth_password_change",
    ("GET", "/api/auth/me"): "auth_me_retrieve",
    ("PATCH", "/api/auth/me"): "auth_me_update",
    ("DELETE", "/api/auth/me"): "auth_me_delete",
    ("GET", "/api/auth/me/addresses"): "auth_address_list",
    ("POST", "/api/auth/me/addresses"): "auth_address_add",
    ("GET", "/api/auth/me/addresses/{address_id}"): "auth_address_retrieve",
    ("PATCH", "/api/auth/me/addresses/{address_id}"): "auth_address_update",
    ("DELETE", "/api/auth/me/addresses/{address_id}"): "auth_address_delete",
    ("GET", "/api/auth/providers"): "auth_provider_list",
    ("POST", "/api/auth/social/{provider}"): "auth_social_login",
    # catalog
    ("GET", "/api/categories"): "category_list",
    ("POST", "/api/categories"): "category_create",
    ("GET", "/api/categories/{category_id}"): "category_retrieve",
    ("PATCH", "/api/categories/{category_id}"): "category_update",
    ("DELETE", "/api/categories/{category_id}"): "category_delete",
    ("GET", "/api/products"): "product_list",
    ("POST", "/api/products"): "product_create",
    ("GET", "/api/products/{product_id}"): "product_retrieve",
    ("PUT", "/api/products/{product_id}"): "product_replace",
    ("PATCH", "/api/products/{product_id}"): "product_update",
    ("DELETE", "/api/products/{product_id}"): "product_delete",
    ("GET", "/api/products/{product_id}/variants"): "variant_list",
    ("POST", "/api/products/{product_id}/variants"): "variant_create",
    ("GET", "/api/products/{product_id}/variants/{variant_id}"): "variant_retrieve",
    ("PATCH", "/api/products/{product_id}/variants/{variant_id}"): "variant_update",
    ("DELETE", "/api/products/{product_id}/variants/{variant_id}"): "variant_delete",
    ("GET", "/api/attributes"): "attribute_list",
    ("POST", "/api/attributes"): "attribute_create",
    ("GET", "/api/attributes/{attribute_id}"): "attribute_retrieve",
    ("PATCH", "/api/attributes/{attribute_id}"): "attribute_update",
    ("DELETE", "/api/attributes/{attribute_id}"): "attribute_delete",
    ("GET", "/api/products/export"): "product_export",
    ("POST", "/api/products/import"): "product_import",
    ("POST", "/api/products/{product_id}/images"): "product_image_add",
    ("PATCH", "/api/products/{product_id}/images/{image_id}"): "product_image_update",
    ("DELETE", "/api/products/{product_id}/images/{image_id}"): "product_image_delete",
    # cart
    ("GET", "/api/cart"): "cart_retrieve",
    ("DELETE", "/api/cart"): "cart_clear",
    ("POST", "/api/cart/items"): "cart_item_add",
    ("PATCH", "/api/cart/items/{product_id}"): "cart_item_update",
    ("DELETE", "/api/cart/items/{product_id}"): "cart_item_remove",
    ("POST", "/api/cart/items/{product_id}/save-for-later"): "cart_item_save_for_later",
    ("POST", "/api/cart/saved/{product_id}/move-to-cart"): "cart_saved_item_move_to_cart",
    # shop configuration (admins)
    ("GET", "/api/shipping/zones"): "shipping_zone_list",
    ("POST", "/api/shipping/zones"): "shipping_zone_add",
    ("GET", "/api/shipping/zones/{zone_id}"): "shipping_zone_retrieve",
    ("PATCH", "/api/shipping/zones/{zone_id}"): "shipping_zone_update",
    ("DELETE", "/api/shipping/zones/{zone_id}"): "shipping_zone_delete",
    ("GET", "/api/shipping/zones/{zone_id}/methods"): "shipping_method_list",
    ("POST", "/api/shipping/zones/{zone_id}/methods"): "shipping_method_add",
    ("GET", "/api/shipping/zones/{zone_id}/methods/{method_id}"): "shipping_method_retrieve",
    ("PATCH", "/api/shipping/zones/{zone_id}/methods/{method_id}"): "shipping_method_update",
    ("DELETE", "/api/shipping/zones/{zone_id}/methods/{method_id}"): "shipping_method_delete",
    ("GET", "/api/taxes/rates"): "tax_rate_list",
    ("POST", "/api/taxes/rates"): "tax_rate_add",
    ("GET", "/api/taxes/rates/{rate_id}"): "tax_rate_retrieve",
    ("PATCH", "/api/taxes/rates/{rate_id}"): "tax_rate_update",
    ("DELETE", "/api/taxes/rates/{rate_id}"): "tax_rate_delete",
    ("GET", "/api/discounts/vouchers"): "voucher_list",
    ("POST", "/api/discounts/vouchers"): "voucher_create",
    ("GET", "/api/discounts/vouchers/{voucher_id}"): "voucher_retrieve",
    ("PATCH", "/api/discounts/vouchers/{voucher_id}"): "voucher_update",
    ("DELETE", "/api/discounts/vouchers/{voucher_id}"): "voucher_delete",
    ("GET", "/api/discounts/promotions"): "promotion_list",
    ("POST", "/api/discounts/promotions"): "promotion_create",
    ("GET", "/api/discounts/promotions/{promotion_id}"): "promotion_retrieve",
    ("PATCH", "/api/discounts/promotions/{promotion_id}"): "promotion_update",
    ("DELETE", "/api/discounts/promotions/{promotion_id}"): "promotion_delete",
    ("POST", "/api/carts"): "cart_create",
    ("POST", "/api/cart/merge"): "cart_merge",
    # inventory (store managers)
    ("GET", "/api/inventory/products"): "inventory_product_list",
    ("POST", "/api/inventory/products"): "inventory_product_upsert",
    ("POST", "/api/inventory/discontinue"): "inventory_product_discontinue",
    ("POST", "/api/orders/process"): "inventory_order_process",
    # orders
    ("GET", "/api/orders"): "order_list",
    ("POST", "/api/orders"): "order_checkout",
    ("GET", "/api/orders/{order_id}"): "order_retrieve",
    ("PATCH", "/api/orders/{order_id}"): "order_update_status",
    ("POST", "/api/orders/{order_id}/cancel"): "order_cancel",
    # checkout sessions (a signed-in buyer or a guest with X-Cart-Token)
    ("POST", "/api/checkout"): "checkout_create",
    ("GET", "/api/checkout/{checkout_id}"): "checkout_retrieve",
    ("PATCH", "/api/checkout/{checkout_id}"): "checkout_update",
    ("DELETE", "/api/checkout/{checkout_id}"): "checkout_cancel",
    ("POST", "/api/checkout/{checkout_id}/complete"): "checkout_complete",
    # analytics
    ("GET", "/api/analytics/summary"): "analytics_summary_retrieve",
    # webhooks (admins)
    ("GET", "/api/webhooks/endpoints"): "webhook_endpoint_list",
    ("POST", "/api/webhooks/endpoints"): "webhook_endpoint_add",
    ("GET", "/api/webhooks/endpoints/{endpoint_id}"): "webhook_endpoint_retrieve",
    ("PATCH", "/api/webhooks/endpoints/{endpoint_id}"): "webhook_endpoint_update",
    ("DELETE", "/api/webhooks/endpoints/{endpoint_id}"): "webhook_endpoint_delete",
    ("POST", "/api/webhooks/endpoints/{endpoint_id}/rotate-secret"): "webhook_endpoint_rotate_secret",
    ("POST", "/api/webhooks/endpoints/{endpoint_id}/test"): "webhook_endpoint_test",
    ("GET", "/api/webhooks/endpoints/{endpoint_id}/deliveries"): "webhook_delivery_list",
    ("POST", "/api/webhooks/deliveries/{delivery_id}/redeliver"): "webhook_delivery_redeliver",
}


# A string that is not blank once DRF trims it: at least one character that ``str.strip()`` keeps.
# Python's whitespace, spelt out: ECMA-262's ``\\s`` differs (it has U+FEFF, not U+001C-U+001F).
NOT_BLANK_PATTERN = r"[^\t\n\v\f\r\x1c-\x1f \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]"
_FORMATTED_STRINGS = (
    serializers.RegexField,
    serializers.EmailField,
    serializers.URLField,
    serializers.SlugField,
    serializers.UUIDField,
    serializers.IPAddressField,
)


class AutoSchema(SpectacularAutoSchema):
    """drf-spectacular's AutoSchema with our operationIds, the anonymous security option and
    request strings that say they may not be blank."""

    def _map_serializer_field(self, field: Any, direction: str, bypass_extensions: bool = False) -> Any:
        """A request ``CharField`` that trims whitespace and refuses blanks declares
        :data:`NOT_BLANK_PATTERN`: ``"\\x1f"`` has length 1 but is refused as blank."""
        schema = super()._map_serializer_field(field, direction, bypass_extensions)
        if (
            direction == "request"
            and isinstance(field, serializers.CharField)
            and not isinstance(field, _FORMATTED_STRINGS)
            and field.trim_whitespace
            and not field.allow_blank
            and schema.get("type") == "string"
            and not {"pattern", "format", "enum"} & set(schema)
        ):
            schema["pattern"] = NOT_BLANK_PATTERN
        return schema

    def get_operation_id(self) -> str:
        """The name from :data:`OPERATION_IDS` (drf-spectacular's own, with a warning, if none)."""
        operation_id = OPERATION_IDS.get((self.method.upper(), self.path.rstrip("/") or "/"))
        if operation_id is None:
            operation_id = super().get_operation_id()
            warn(
                f"{self.method.upper()} {self.path}: no operationId in OPERATION_IDS "
                f"(ecommerce/common/autoschema.py); drf-spectacular would call it {operation_id}"
            )
        return operation_id

    def _get_request_for_media_type(self, serializer: Any, direction: str = "request") -> Any:
        """A view whose PATCH validates the whole body (``patch_is_partial = False``) documents it
        as such: required fields stay required, and the component has no ``Patched`` prefix."""
        if self.method == "PATCH" and not getattr(self.view, "patch_is_partial", True):
            self.method = "PUT"
            try:
                return super()._get_request_for_media_type(serializer, direction)
            finally:
                self.method = "PATCH"
        return super()._get_request_for_media_type(serializer, direction)

    def get_auth(self) -> list[dict[str, Any]]:
        """drf-spectacular's requirements plus ``{}`` (anonymous) where an anonymous caller is let in.

        drf-spectacular adds ``{}`` only for ``AllowAny``/``IsAuthenticatedOrReadOnly``; ours are
        ``IsAdminOrReadOnly`` or no permission at all, so ask the view's permissions directly.
        A view without authentication (register, login, health, ...) keeps no ``security`` at all:
        the document declares no global requirement, so that already means anonymous, and
        openapi-python-client then accepts a plain ``Client`` (it asks for an
        ``AuthenticatedClient`` whenever ``security`` is not empty, ``[{}]`` included).
        """
        auths = super().get_auth()
        if auths and {} not in auths and self._anonymous_allowed():
            auths.append({})
        return auths

    def _anonymous_allowed(self) -> bool:
        request = _AnonymousRequest(self.method.upper())
        return all(
            permission.has_permission(request, self.view)  # type: ignore[arg-type]  # duck-typed request
            for permission in self.view.get_permissions()
        )


class _AnonymousRequest:
    """Just enough of a request for a ``has_permission`` check: a method and no user."""

    def __init__(self, method: str) -> None:
        self.method = method
        self.user = AnonymousUser()
        self.auth = None


def _enum_varname(value: Any, values: list[Any]) -> str:
    """``"-price"`` → ``PRICE_DESC``, ``"price"`` → ``PRICE_ASC`` when ``-price`` exists too, else ``PRICE``."""
    text = str(value)
    suffix = ""
    if text.startswith("-"):
        text, suffix = text[1:], "_DESC"
    elif f"-{text}" in values:
        suffix = "_ASC"
    name = re.sub(r"[^0-9A-Za-z]+", "_", text).strip("_").upper() or "EMPTY"
    if name[0].isdigit():
        name = f"V_{name}"
    return name + suffix


def _add_varnames(schema: Any) -> None:
    if isinstance(schema, dict):
        values = schema.get("enum")
        if isinstance(values, list) and "x-enum-varnames" not in schema and None not in values:
            schema["x-enum-varnames"] = [_enum_varname(value, values) for value in values]
        for child in schema.values():
            _add_varnames(child)
    elif isinstance(schema, list):
        for child in schema:
            _add_varnames(child)


def add_enum_varnames(result: dict[str, Any], generator: Any, **_: Any) -> dict[str, Any]:
    """drf-spectacular hook: every enum (components and parameters) gets ``x-enum-varnames``,
    so a generated client says ``ProductListOrdering.PRICE_DESC`` rather than ``VALUE_1``."""
    _add_varnames(result.get("components", {}).get("schemas", {}))
    for operations in result.get("paths", {}).values():
        for operation in operations.values():
            if isinstance(operation, dict):
                _add_varnames(operation.get("parameters", []))
    return result
