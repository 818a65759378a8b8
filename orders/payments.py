"""Payment gateways behind one ``typing.Protocol``.

The gateway is chosen by dotted path in ``settings.PAYMENT_GATEWAY`` (default: the built-in
:class:`TestGateway`). To add Stripe or another provider, write a class with these three
methods in any module and point the setting at it; checkout code does not change.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from typing import Protocol

from django.conf import settings
from django.utils.module_loading import import_string


@dataclass(frozen=True)
class PaymentRequest:
    amount: Decimal
    currency: str
    method: str
    token: str
    order_reference: str
    idempotency_key: str


@dataclass(frozen=True)
class PaymentResult:
    succeeded: bool
    reference: str = ""
    decline_reason: str = ""


class PaymentGatewayError(Exception):
    """The gateway could not be reached or answered nonsense: nothing is known to be charged."""


class PaymentGateway(Protocol):
    def authorize(self, request: PaymentRequest) -> PaymentResult:
        """Reserve the amount; a decline is a result, an outage raises PaymentGatewayError."""
        ...

    def capture(self, authorization: PaymentResult, request: PaymentRequest) -> PaymentResult:
        """Take the reserved amount."""
        ...

    def refund(self, reference: str, amount: Decimal, currency: str) -> PaymentResult:
        """Give a captured amount back."""
        ...


TOKEN_GATEWAY_ERROR = "tok_gateway_error"  # noqa: S105 - test card token, not a secret
TOKEN_DECLINED = "tok_declined"  # noqa: S105 - test card token, not a secret


class TestGateway:
    """Built-in gateway for development and tests (no network).

    Tokens: ``tok_ok`` (and any other ``tok_…``) succeed; ``tok_declined`` is declined;
    ``tok_gateway_error`` raises :class:`PaymentGatewayError` like an unreachable provider.
    """

    def authorize(self, request: PaymentRequest) -> PaymentResult:
        if request.token == TOKEN_GATEWAY_ERROR:
            raise PaymentGatewayError("test gateway: simulated outage")
        if request.token == TOKEN_DECLINED or not request.token.startswith("tok_"):
            return PaymentResult(False, decline_reason="card_declined")
        return PaymentResult(True, reference=f"auth_{uuid.uuid4().hex[:16]}")

    def capture(self, authorization: PaymentResult, request: PaymentRequest) -> PaymentResult:
        return PaymentResult(True, reference=authorization.reference.replace("auth_", "ch_"))

    def refund(self, reference: str, amount: Decimal, currency: str) -> PaymentResult:
        return PaymentResult(True, reference=f"re_{uuid.uuid4().hex[:16]}")


@cache
def _gateway_class(path: str) -> type:
    return import_string(path)


def payment_gateway_get() -> PaymentGateway:
    """The configured gateway instance."""
    return _gateway_class(settings.PAYMENT_GATEWAY)()
