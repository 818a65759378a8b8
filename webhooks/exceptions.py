"""The webhooks app's errors (each with a code, an HTTP status and details)."""

from __future__ import annotations

from ecommerce.common.exceptions import Conflict, InvalidRequest, NotFound


class EndpointNotFound(NotFound):
    default_message = "Webhook endpoint not found."


class DeliveryNotFound(NotFound):
    default_message = "Webhook delivery not found."


class EndpointInactive(Conflict):
    """Sending to an endpoint that is not active (deactivated, or disabled after failures)."""

    default_message = "The webhook endpoint is not active: activate it first."


class EndpointInvalid(InvalidRequest):
    """A URL the SSRF rule refuses, or event types that do not exist (named in ``details``)."""
