"""The discounts app's errors (each with a code, an HTTP status and details)."""

from __future__ import annotations

from ecommerce.common.exceptions import ApplicationError, Conflict, ErrorCode, NotFound


class VoucherNotFound(NotFound):
    default_message = "Voucher not found."


class PromotionNotFound(NotFound):
    default_message = "Promotion not found."


class VoucherInvalid(ApplicationError):
    """Discount codes that cannot be used now: ``details`` maps ``discount_codes.<i>`` (the code's
    position in the request) to ``unknown``, ``duplicate``, ``inactive``, ``not started`` or
    ``ended``."""

    status_code = 400
    code = ErrorCode.VOUCHER_INVALID
    default_message = "One or more discount codes cannot be used."


class VoucherExhausted(ApplicationError):
    """A voucher has no uses left (``usage_limit``), or none for this customer
    (``usage_limit_per_customer``); ``details`` maps its code to the reason."""

    status_code = 409
    code = ErrorCode.VOUCHER_EXHAUSTED
    default_message = "A voucher has no uses left."


class VoucherInUse(Conflict):
    """Deleting a voucher that orders used: it stays for their records (deactivate it instead)."""

    default_message = (
        "This voucher was used by orders: deactivate it (is_active false) instead of deleting it."
    )
