"""Errors of the inventory API (codes from the API contract); the stock errors are
``catalog.exceptions``'."""

from ecommerce.common.exceptions import ApplicationError, ErrorCode


class ManagerAccessDenied(ApplicationError):
    """Token mode: the caller is not the user linked to this ``manager_id``."""

    status_code = 403
    code = ErrorCode.PERMISSION_DENIED
    default_message = "You may not act for this store manager."
