"""Payment gateways behind one ``typing.Protocol``.

The gateway is chosen by dotted path in ``settings.PAYMENT_GATEWAY`` (the built-in
:class:`TestGateway` in development and tests; production settings require the variable and
``check --deploy`` refuses the test gateway, see ``orders/checks.py``). To add Stripe or another
provider, write a class with the :class:`PaymentGateway` methods in any module and point the
setting at it; checkout code does not change.

Checkout sends every call of one order with the same ``idempotency_key`` (the client's
``Idempotency-Key``, else the order id), and the order id as ``order_reference``: a gateway must
answer a repeated call with the first answer (never charge twice), and :meth:`lookup` finds an
order's payment by that reference, which is how a retry or ``reconcile_pending_orders`` learns
what happened to a checkout that died after talking to the gateway.
"""

from __future__ import annotations

import hashlib
import threading
import uuid
from collections import OrderedDict
from dataclasses import dataclass, replace
from decimal import Decimal
from enum import StrEnum
from functools import cache
from typing import ClassVar, Protocol

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


class PaymentState(StrEnum):
    """What the gateway knows of an order's payment (:meth:`PaymentGateway.lookup`)."""

    NONE = "none"  # no payment for this order reference
    AUTHORIZED = "authorized"  # reserved, not taken: capture or void it
    CAPTURED = "captured"  # the money is taken
    FAILED = "failed"  # declined, or the authorization was voided: nothing is taken


@dataclass(frozen=True)
class PaymentStatus:
    state: PaymentState
    authorization: str = ""  # the authorization's reference (AUTHORIZED, CAPTURED)
    capture: str = ""  # the capture's reference (CAPTURED): the order's payment_reference


class PaymentGatewayError(Exception):
    """The gateway could not be reached or answered nonsense: the outcome is unknown."""


class PaymentGateway(Protocol):
    def authorize(self, request: PaymentRequest) -> PaymentResult:
        """Reserve the amount; a decline is a result, an outage raises PaymentGatewayError."""
        ...

    def capture(self, authorization: PaymentResult, request: PaymentRequest) -> PaymentResult:
        """Take the reserved amount. Capturing an authorization again answers with the first
        capture (idempotent by the authorization's reference); a decline is a result."""
        ...

    def void(self, authorization: PaymentResult, request: PaymentRequest) -> PaymentResult:
        """Release an authorization that will not be captured (a declined capture, an order
        that failed); voiding twice succeeds. A captured payment cannot be voided (declined)."""
        ...

    def refund(self, reference: str, amount: Decimal, currency: str) -> PaymentResult:
        """Give a captured amount back."""
        ...

    def lookup(self, order_reference: str) -> PaymentStatus:
        """The gateway's record of the payment for ``order_reference`` (state NONE if there is
        none); raises PaymentGatewayError when the gateway cannot be asked."""
        ...


TOKEN_GATEWAY_ERROR = "tok_gateway_error"  # noqa: S105 - test card token, not a secret
TOKEN_DECLINED = "tok_declined"  # noqa: S105 - test card token, not a secret
TOKEN_CAPTURE_DECLINED = "tok_capture_declined"  # noqa: S105 - test card token, not a secret


@dataclass(frozen=True)
class _TestPayment:
    order_reference: str
    idempotency_key: str
    token: str
    state: PaymentState
    authorization: str = ""
    capture: str = ""


def _test_reference(prefix: str, *parts: str) -> str:
    return f"{prefix}_{hashlib.sha256('|'.join(parts).encode()).hexdigest()[:16]}"


class TestGateway:
    """Built-in gateway for development and tests (no network, takes no money; refused by
    ``check --deploy`` unless ``PAYMENT_TEST_GATEWAY_ALLOWED_UNSAFE``).

    Tokens (the API contract's): ``tok_ok`` (and any other ``tok_…``) is authorized and
    captured; ``tok_declined`` is declined at authorization; ``tok_capture_declined`` is
    authorized, then its capture is declined (set :attr:`decline_captures` to decline every
    capture); ``tok_gateway_error`` raises :class:`PaymentGatewayError` like an unreachable
    provider. Payments are remembered in this process's memory (the last
    :attr:`MAX_PAYMENTS`), so calls are idempotent (the same order and key get the same
    references) and :meth:`lookup` answers like a provider's API.
    """

    __test__ = False  # not a pytest test class
    MAX_PAYMENTS = 10_000
    decline_captures: ClassVar[bool] = False
    _payments: ClassVar[OrderedDict[str, _TestPayment]] = OrderedDict()  # by order reference
    _lock: ClassVar[threading.Lock] = threading.Lock()

    @classmethod
    def _store(cls, payment: _TestPayment) -> None:
        cls._payments[payment.order_reference] = payment
        cls._payments.move_to_end(payment.order_reference)
        while len(cls._payments) > cls.MAX_PAYMENTS:
            cls._payments.popitem(last=False)

    @classmethod
    def _by_authorization(cls, reference: str) -> _TestPayment | None:
        return next((p for p in reversed(cls._payments.values()) if p.authorization == reference), None)

    def authorize(self, request: PaymentRequest) -> PaymentResult:
        if request.token == TOKEN_GATEWAY_ERROR:
            raise PaymentGatewayError("test gateway: simulated outage")
        with self._lock:
            earlier = self._payments.get(request.order_reference)
            if earlier is not None and earlier.idempotency_key == request.idempotency_key:
                if earlier.authorization:
                    return PaymentResult(True, reference=earlier.authorization)
                return PaymentResult(False, decline_reason="card_declined")
            payment = _TestPayment(
                request.order_reference, request.idempotency_key, request.token, PaymentState.FAILED
            )
            if request.token == TOKEN_DECLINED or not request.token.startswith("tok_"):
                self._store(payment)
                return PaymentResult(False, decline_reason="card_declined")
            reference = _test_reference("auth", request.order_reference, request.idempotency_key)
            self._store(replace(payment, state=PaymentState.AUTHORIZED, authorization=reference))
            return PaymentResult(True, reference=reference)

    def capture(self, authorization: PaymentResult, request: PaymentRequest) -> PaymentResult:
        with self._lock:
            payment = self._by_authorization(authorization.reference)
            if payment is None:
                return PaymentResult(False, decline_reason="unknown_authorization")
            if payment.state == PaymentState.CAPTURED:
                return PaymentResult(True, reference=payment.capture)
            if payment.state != PaymentState.AUTHORIZED:
                return PaymentResult(False, decline_reason="authorization_voided")
            if payment.token == TOKEN_CAPTURE_DECLINED or self.decline_captures:
                return PaymentResult(False, decline_reason="capture_declined")
            reference = authorization.reference.replace("auth_", "ch_", 1)
            self._store(replace(payment, state=PaymentState.CAPTURED, capture=reference))
            return PaymentResult(True, reference=reference)

    def void(self, authorization: PaymentResult, request: PaymentRequest) -> PaymentResult:
        with self._lock:
            payment = self._by_authorization(authorization.reference)
            if payment is None or payment.state == PaymentState.CAPTURED:
                return PaymentResult(False, decline_reason="not_voidable")
            self._store(replace(payment, state=PaymentState.FAILED))
            return PaymentResult(True, reference=authorization.reference)

    def refund(self, reference: str, amount: Decimal, currency: str) -> PaymentResult:
        return PaymentResult(True, reference=f"re_{uuid.uuid4().hex[:16]}")

    def lookup(self, order_reference: str) -> PaymentStatus:
        with self._lock:
            payment = self._payments.get(order_reference)
        if payment is None:
            return PaymentStatus(PaymentState.NONE)
        return PaymentStatus(payment.state, authorization=payment.authorization, capture=payment.capture)


@cache
def _gateway_class(path: str) -> type:
    return import_string(path)


def payment_gateway_get() -> PaymentGateway:
    """The configured gateway instance."""
    return _gateway_class(settings.PAYMENT_GATEWAY)()
