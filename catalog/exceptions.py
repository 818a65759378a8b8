"""Errors of the catalog and its stock (codes from the API contract). The stock errors are
raised by ``catalog.stock`` and by everyone who checks products before using it (cart,
checkout, the inventory API): one class each."""

from ecommerce.common.exceptions import ApplicationError, ErrorCode


class ProductNotFound(ApplicationError):
    status_code = 404
    code = ErrorCode.PRODUCT_NOT_FOUND
    default_message = "Product not found."


class CategoryNotFound(ApplicationError):
    status_code = 404
    code = ErrorCode.NOT_FOUND
    default_message = "Category not found."


class InsufficientStock(ApplicationError):
    status_code = 409
    code = ErrorCode.INSUFFICIENT_STOCK
    default_message = "Not enough stock for one or more products."


class ProductDiscontinued(ApplicationError):
    status_code = 409
    code = ErrorCode.PRODUCT_DISCONTINUED
    default_message = "One or more products are discontinued."


class VariantRequired(ApplicationError):
    """A product with several variants was named where one variant is meant (cart, inventory
    orders): ``details`` maps each such product id to its variant ids."""

    status_code = 400
    code = ErrorCode.VARIANT_REQUIRED
    default_message = "This product has several variants: name one by its variant id."


class VariantNotFound(ApplicationError):
    status_code = 404
    code = ErrorCode.NOT_FOUND
    default_message = "Variant not found."


class ImageNotFound(ApplicationError):
    status_code = 404
    code = ErrorCode.NOT_FOUND
    default_message = "Image not found."


class ImageUnsupported(ApplicationError):
    """The upload is not a JPEG, PNG or WebP picture (judged by its content, not its name)."""

    status_code = 415
    code = ErrorCode.UNSUPPORTED_MEDIA_TYPE
    default_message = "Only JPEG, PNG and WebP images are accepted."


class ImageTooLarge(ApplicationError):
    status_code = 413
    code = ErrorCode.PAYLOAD_TOO_LARGE
    default_message = "The image file is too large."


class ImageInvalid(ApplicationError):
    """Too many pixels (a decompression bomb), or a file that cannot be decoded."""

    status_code = 400
    code = ErrorCode.INVALID_REQUEST
    default_message = "The image cannot be accepted."


class AttributeNotFound(ApplicationError):
    status_code = 404
    code = ErrorCode.NOT_FOUND
    default_message = "Attribute not found."


class ImportTooLarge(ApplicationError):
    """A CSV import file over ``CATALOG_IMPORT_MAX_BYTES``."""

    status_code = 413
    code = ErrorCode.PAYLOAD_TOO_LARGE
    default_message = "The import file is too large."
