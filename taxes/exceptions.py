"""The taxes app's errors (each with a code, an HTTP status and details)."""

from __future__ import annotations

from ecommerce.common.exceptions import NotFound


class TaxRateNotFound(NotFound):
    default_message = "Tax rate not found."
