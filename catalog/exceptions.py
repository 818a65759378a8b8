"""Errors of the catalog (codes from the API contract)."""

from ecommerce.common.exceptions import ApplicationError, ErrorCode


class ProductNotFound(ApplicationError):
    status_code = 404
    code = ErrorCode.PRODUCT_NOT_FOUND
    default_message = "Product not found."


class CategoryNotFound(ApplicationError):
    status_code = 404
    code = ErrorCode.NOT_FOUND
    default_message = "Category not found."
