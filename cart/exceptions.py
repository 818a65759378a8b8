"""Cart errors (stock and product errors come from ``catalog.exceptions``)."""

from ecommerce.common.exceptions import ApplicationError, ErrorCode, NotFound

CART_TOKEN_HEADER = "X-Cart-Token"  # noqa: S105 - a header name / prefix, not a secret


class CartLineNotFound(NotFound):
    default_message = "This product is not in your cart."


class CartNotFound(NotFound):
    """A guest-cart token named in a body (the merge) that names no live guest cart."""

    default_message = "No guest cart has this token (unknown, or expired)."


class CartTokenInvalid(ApplicationError):
    """The ``X-Cart-Token`` of a request without a JWT names no live guest cart (unknown,
    malformed, or expired): 401 ``TOKEN_INVALID``, like a bad bearer token."""

    status_code = 401
    code = ErrorCode.TOKEN_INVALID
    default_message = "The cart token is invalid or expired."

    def __init__(self, message: str | None = None) -> None:
        super().__init__(
            message,
            details={CART_TOKEN_HEADER: "unknown or expired: make a new cart with POST /api/carts/"},
            headers={"WWW-Authenticate": 'Bearer realm="api"'},
        )
