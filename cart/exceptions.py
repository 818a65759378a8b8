"""Cart errors (stock and product errors come from ``orders.exceptions``)."""

from ecommerce.common.exceptions import NotFound


class CartLineNotFound(NotFound):
    default_message = "This product is not in your cart."
