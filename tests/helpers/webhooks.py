"""A webhook receiver on 127.0.0.1 for tests, and an event shaped like the outbox's.

The receiver records every request (path, headers, body) and answers with the statuses it is
told to, in order (``statuses``; when they run out, ``default_status``); it can be slow (``delay``)
to make the sender time out. Receivers verify signatures with the public ``standardwebhooks``
library in the tests, as an integrator would.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from django.utils import timezone

from ecommerce.events.registry import Event


@dataclass(frozen=True)
class Received:
    path: str
    headers: dict[str, str]  # lower-case names
    body: bytes


class FakeReceiver:
    def __init__(self) -> None:
        self.statuses: list[int] = []
        self.default_status = 200
        self.delay = 0.0
        self.requests: list[Received] = []
        self._lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server API
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                with receiver._lock:
                    receiver.requests.append(
                        Received(self.path, {k.lower(): v for k, v in self.headers.items()}, body)
                    )
                    status = receiver.statuses.pop(0) if receiver.statuses else receiver.default_status
                time.sleep(receiver.delay)
                answer = b'{"ok":true}' if 200 <= status < 300 else b"receiver says no " + b"x" * 3000
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "text/plain")
                    self.send_header("Content-Length", str(len(answer)))
                    self.end_headers()
                    self.wfile.write(answer)
                except OSError:  # the sender gave up (timeout)
                    pass

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}/hooks/shop?source=test"
        self.thread = threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True)

    def __enter__(self) -> FakeReceiver:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


def fake_receiver() -> Iterator[FakeReceiver]:
    """For a fixture: a started receiver, stopped afterwards."""
    with FakeReceiver() as receiver:
        yield receiver


def make_event(*, id: str, type: str, data: dict[str, Any] | None = None, version: int = 1) -> Event:  # noqa: A002
    """An outbox event (``ecommerce.events.registry.Event``) as the dispatcher hands it over."""
    return Event(
        id=id, type=type, version=version, occurred_at=timezone.now().astimezone(UTC), data=data or {}
    )
