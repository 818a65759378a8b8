"""A payment gateway that records every call, for tests that must prove no call was made.

Select it with ``settings.PAYMENT_GATEWAY = RECORDING_GATEWAY`` (pytest-django's ``settings``
fixture or ``override_settings``). It answers like the built-in ``TestGateway`` (same tokens),
so a checkout that does pay works as usual and shows up in :attr:`RecordingGateway.calls`.
"""

from __future__ import annotations

import threading
from decimal import Decimal
from typing import ClassVar

from orders.payments import PaymentGateway, PaymentRequest, PaymentResult, PaymentStatus, TestGateway

RECORDING_GATEWAY = "tests.helpers.recording_gateway.RecordingGateway"


class RecordingGateway:
    """:class:`orders.payments.PaymentGateway` that appends ``(method, order reference)`` to
    :attr:`calls` (shared by every instance: checkout makes a new one per request)."""

    calls: ClassVar[list[tuple[str, str]]] = []
    _lock: ClassVar[threading.Lock] = threading.Lock()

    def __init__(self) -> None:
        self._inner = TestGateway()

    @classmethod
    def reset(cls) -> None:
        with cls._lock:
            cls.calls.clear()

    def _record(self, method: str, reference: str) -> None:
        with self._lock:
            self.calls.append((method, reference))

    def authorize(self, request: PaymentRequest) -> PaymentResult:
        self._record("authorize", request.order_reference)
        return self._inner.authorize(request)

    def capture(self, authorization: PaymentResult, request: PaymentRequest) -> PaymentResult:
        self._record("capture", request.order_reference)
        return self._inner.capture(authorization, request)

    def void(self, authorization: PaymentResult, request: PaymentRequest) -> PaymentResult:
        self._record("void", request.order_reference)
        return self._inner.void(authorization, request)

    def refund(self, reference: str, amount: Decimal, currency: str) -> PaymentResult:
        self._record("refund", reference)
        return self._inner.refund(reference, amount, currency)

    def lookup(self, order_reference: str) -> PaymentStatus:
        self._record("lookup", order_reference)
        return self._inner.lookup(order_reference)


_: type[PaymentGateway] = RecordingGateway  # checked by the type checker against the Protocol
