"""A tiny payment provider on 127.0.0.1 for tests, speaking ``orders.payments_http``'s protocol:
``POST /authorize``, ``/capture``, ``/void``, ``/refund`` and ``GET /payments/{order reference}``.

Like a real provider it keeps its payments (by order reference), answers a repeated
``Idempotency-Key`` with its first answer and captures an authorization at most once. It can be
told to be slow (timeouts), to fail with a status (``fail_with``, on every path or only on those
starting with one of ``fail_paths``), to decline every capture (``decline_captures``; the token
``tok_capture_declined`` declines its own capture), or to run a hook before answering a path
(``hooks["/capture"] = …``, e.g. to kill the shop's database connection at that moment).
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


class FakePsp:
    def __init__(self) -> None:
        self.delay = 0.0
        self.fail_with: int | None = None
        self.fail_paths: set[str] | None = None  # path prefixes; None: every path
        self.decline_captures = False
        self.hooks: dict[str, Callable[[], None]] = {}
        self.requests: list[tuple[str, dict, dict]] = []
        self.payments: dict[str, dict[str, Any]] = {}  # by order reference
        self._answers: dict[str, dict[str, Any]] = {}  # by Idempotency-Key
        self._lock = threading.Lock()
        psp = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - http.server API
                psp.requests.append((self.path, {}, dict(self.headers)))
                if not psp._before(self, self.path):
                    return
                reference = self.path.removeprefix("/payments/")
                with psp._lock:
                    payment = psp.payments.get(reference)
                if payment is None:
                    self._send(404, {"error": "no such payment"})
                else:
                    self._send(200, {"reference": reference, **payment})

            def do_POST(self) -> None:  # noqa: N802 - http.server API
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                psp.requests.append((self.path, body, dict(self.headers)))
                if not psp._before(self, self.path):
                    return
                key = self.headers.get("Idempotency-Key", "")
                with psp._lock:
                    answer = psp._answers.get(key) if key else None
                    if answer is None:
                        answer = psp._act(self.path, body)
                        if key:
                            psp._answers[key] = answer
                self._send(200, answer)

            def _send(self, status: int, answer: dict[str, Any]) -> None:
                data = json.dumps(answer).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def _before(self, handler: BaseHTTPRequestHandler, path: str) -> bool:
        """Delay, hook and injected failure; False when the request was answered with a failure."""
        time.sleep(self.delay)
        hook = self.hooks.get(path) or self.hooks.get(path.rsplit("/", 1)[0] + "/")
        if hook is not None:
            hook()
        if self.fail_with and (self.fail_paths is None or path.startswith(tuple(self.fail_paths))):
            handler.send_response(self.fail_with)
            handler.end_headers()
            return False
        return True

    def _new_id(self) -> str:
        return f"psp_{len(self.requests)}"

    def _by_authorization(self, authorization: str) -> dict[str, Any] | None:
        return next((p for p in self.payments.values() if p["authorization"] == authorization), None)

    def _act(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        """The provider's answer to a first request (under the lock)."""
        if path == "/authorize":
            if body.get("token") == "tok_declined":
                self.payments[body["reference"]] = {"status": "declined", "authorization": "", "capture": ""}
                return {"id": self._new_id(), "status": "declined", "decline_code": "card_declined"}
            payment = {"status": "authorized", "authorization": self._new_id(), "capture": ""}
            payment["token"] = body.get("token")
            self.payments[body["reference"]] = payment
            return {"id": payment["authorization"], "status": "succeeded"}
        if path == "/capture":
            payment = self._by_authorization(body["authorization"])
            if payment is None:
                return {"status": "declined", "decline_code": "unknown_authorization"}
            if payment["status"] in ("captured", "refunded"):
                return {"id": payment["capture"], "status": "succeeded"}
            if payment["status"] != "authorized":
                return {"status": "declined", "decline_code": "authorization_voided"}
            if self.decline_captures or payment.get("token") == "tok_capture_declined":
                return {"status": "declined", "decline_code": "capture_declined"}
            payment.update(status="captured", capture=self._new_id())
            return {"id": payment["capture"], "status": "succeeded"}
        if path == "/void":
            payment = self._by_authorization(body["authorization"])
            if payment is None or payment["status"] in ("captured", "refunded"):
                return {"status": "declined", "decline_code": "not_voidable"}
            payment["status"] = "voided"
            return {"id": body["authorization"], "status": "succeeded"}
        if path == "/refund":
            for payment in self.payments.values():
                if payment["capture"] == body["payment"]:
                    payment["status"] = "refunded"
            return {"id": self._new_id(), "status": "succeeded"}
        return {"status": "declined", "decline_code": "unknown_action"}

    def state(self, order_reference: str) -> str | None:
        """The provider's status of an order's payment (None: no payment)."""
        with self._lock:
            payment = self.payments.get(order_reference)
        return payment["status"] if payment else None

    def __enter__(self) -> FakePsp:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
