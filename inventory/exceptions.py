"""Errors of the inventory API (codes from the API contract)."""

from ecommerce.common.exceptions import ApplicationError, ErrorCode
from orders.exceptions import InsufficientStock, ProductDiscontinued, ProductNotFound


class ManagerAccessDenied(ApplicationError):
    """Token mode: the caller is not the user linked to this ``manager_id``."""

    status_code = 403
    code = ErrorCode.PERMISSION_DENIED
    default_message = "You may not act for this store manager."


__all__ = ["InsufficientStock", "ManagerAccessDenied", "ProductDiscontinued", "ProductNotFound"]
