"""Errors of checkout and the order lifecycle (codes from the API contract). The stock errors
(``ProductNotFound``, ``InsufficientStock``, ``ProductDiscontinued``) are ``catalog.exceptions``'."""

from ecommerce.common.exceptions import ApplicationError, ErrorCode


class OrderNotFound(ApplicationError):
    status_code = 404
    code = ErrorCode.ORDER_NOT_FOUND
    default_message = "Order not found."


class InvalidState(ApplicationError):
    status_code = 409
    code = ErrorCode.INVALID_STATE
    default_message = "This change is not allowed in the order's current status."


class CartEmpty(ApplicationError):
    status_code = 400
    code = ErrorCode.CART_EMPTY
    default_message = "The cart is empty."


class IdempotencyConflict(ApplicationError):
    status_code = 409
    code = ErrorCode.IDEMPOTENCY_CONFLICT
    default_message = "This Idempotency-Key was used with a different request."


class PaymentFailed(ApplicationError):
    status_code = 402
    code = ErrorCode.PAYMENT_FAILED
    default_message = "The payment was declined."


class PaymentPending(ApplicationError):
    """The gateway's answer is unknown (it could not be reached to finish the payment): the order
    stays ``pending`` with its stock held until a retry with the same Idempotency-Key or
    ``reconcile_pending_orders`` settles it."""

    status_code = 503
    code = ErrorCode.SERVICE_UNAVAILABLE
    default_message = (
        "The payment could not be confirmed with the payment gateway; retry with the same "
        "Idempotency-Key shortly."
    )

    def __init__(self, *, order_id: str, retry_after: int = 30) -> None:
        super().__init__(
            details={"payment": "pending", "order_id": order_id}, headers={"Retry-After": str(retry_after)}
        )


class CheckoutNotFound(ApplicationError):
    status_code = 404
    code = ErrorCode.NOT_FOUND
    default_message = "Checkout session not found."


class CheckoutExpired(ApplicationError):
    status_code = 409
    code = ErrorCode.CHECKOUT_EXPIRED
    default_message = "This checkout session has expired or was cancelled; start a new one."


class PriceChanged(ApplicationError):
    """The total computed at completion is not the ``expected_total`` the client showed: nothing
    was taken; ``details.totals`` are the new totals."""

    status_code = 409
    code = ErrorCode.PRICE_CHANGED
    default_message = "The total has changed since it was shown; review the new totals."


class ShippingUnavailable(ApplicationError):
    status_code = 409
    code = ErrorCode.SHIPPING_UNAVAILABLE
    default_message = "The chosen shipping method is not available for this address and cart."
