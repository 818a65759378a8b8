"""The shipping app's errors (each with a code, an HTTP status and details)."""

from __future__ import annotations

from ecommerce.common.exceptions import NotFound


class ShippingZoneNotFound(NotFound):
    default_message = "Shipping zone not found."


class ShippingMethodNotFound(NotFound):
    default_message = "Shipping method not found."
