"""A payment gateway spoken to over HTTP/JSON: the shape every real provider integration takes.

``HttpPaymentGateway`` POSTs to ``{PAYMENT_GATEWAY_URL}/authorize``, ``/capture``, ``/void`` and
``/refund`` with a bearer API key and an ``Idempotency-Key`` header (the provider answers a repeated
key with its first answer), reads an order's payment with ``GET /payments/{order reference}``
(404: none), and waits at most
``PAYMENT_GATEWAY_TIMEOUT`` seconds. A timeout, a refused connection or a 5xx raises
:class:`PaymentGatewayError`, which checkout treats as a failed payment (the order ends
``payment_failed`` and its stock is returned). Select it with
``PAYMENT_GATEWAY=orders.payments_http.HttpPaymentGateway``.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any
from urllib.parse import quote

import requests
from django.conf import settings

from .payments import PaymentGatewayError, PaymentRequest, PaymentResult, PaymentState, PaymentStatus

# The provider's payment statuses (GET /payments/…) in the PaymentGateway Protocol's terms.
_STATES = {
    "authorized": PaymentState.AUTHORIZED,
    "captured": PaymentState.CAPTURED,
    "refunded": PaymentState.CAPTURED,
    "declined": PaymentState.FAILED,
    "voided": PaymentState.FAILED,
}


class HttpPaymentGateway:
    def __init__(
        self, base_url: str | None = None, api_key: str | None = None, timeout: float | None = None
    ) -> None:
        self.base_url = (base_url or settings.PAYMENT_GATEWAY_URL).rstrip("/")
        self.api_key = api_key if api_key is not None else settings.PAYMENT_GATEWAY_API_KEY
        self.timeout = timeout or settings.PAYMENT_GATEWAY_TIMEOUT

    def _post(self, action: str, payload: dict[str, Any], idempotency_key: str) -> dict[str, Any]:
        try:
            response = requests.post(
                f"{self.base_url}/{action}",
                json=payload,
                headers={
                    "Authorization": f"Bearer {self.api_key}",
                    "Idempotency-Key": f"{idempotency_key}:{action}",
                },
                timeout=self.timeout,
            )
        except requests.RequestException as exc:
            raise PaymentGatewayError(f"{action}: {type(exc).__name__}") from None
        if response.status_code >= 500:
            raise PaymentGatewayError(f"{action}: HTTP {response.status_code}")
        try:
            return response.json()
        except ValueError:
            raise PaymentGatewayError(f"{action}: invalid JSON") from None

    @staticmethod
    def _result(body: dict[str, Any]) -> PaymentResult:
        return PaymentResult(
            succeeded=body.get("status") == "succeeded",
            reference=str(body.get("id", "")),
            decline_reason=str(body.get("decline_code", "")),
        )

    def authorize(self, request: PaymentRequest) -> PaymentResult:
        payload = {
            "amount": str(request.amount),
            "currency": request.currency,
            "method": request.method,
            "token": request.token,
            "reference": request.order_reference,
        }
        return self._result(self._post("authorize", payload, request.idempotency_key))

    def capture(self, authorization: PaymentResult, request: PaymentRequest) -> PaymentResult:
        payload = {"authorization": authorization.reference, "amount": str(request.amount)}
        return self._result(self._post("capture", payload, request.idempotency_key))

    def void(self, authorization: PaymentResult, request: PaymentRequest) -> PaymentResult:
        payload = {"authorization": authorization.reference}
        return self._result(self._post("void", payload, request.idempotency_key))

    def refund(self, reference: str, amount: Decimal, currency: str) -> PaymentResult:
        payload = {"payment": reference, "amount": str(amount), "currency": currency}
        return self._result(self._post("refund", payload, reference))

    def lookup(self, order_reference: str) -> PaymentStatus:
        try:
            response = requests.get(
                f"{self.base_url}/payments/{quote(order_reference, safe='')}",
                headers={"Authorization": f"Bearer {self.api_key}"},
                timeout=self.timeout,
            )
        except requests.RequestException as exc:
            raise PaymentGatewayError(f"lookup: {type(exc).__name__}") from None
        if response.status_code == 404:
            return PaymentStatus(PaymentState.NONE)
        if response.status_code != 200:
            raise PaymentGatewayError(f"lookup: HTTP {response.status_code}")
        try:
            body = response.json()
            state = _STATES[body["status"]]
        except (ValueError, KeyError, TypeError):
            raise PaymentGatewayError("lookup: unexpected answer") from None
        return PaymentStatus(
            state, authorization=str(body.get("authorization") or ""), capture=str(body.get("capture") or "")
        )
