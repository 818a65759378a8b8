"""A tiny payment provider on 127.0.0.1 for tests: answers authorize/capture/refund, and can
be told to be slow (to test timeouts) or to fail with 500."""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class FakePsp:
    def __init__(self) -> None:
        self.delay = 0.0
        self.fail_with: int | None = None
        self.requests: list[tuple[str, dict, dict]] = []
        psp = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server API
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                psp.requests.append((self.path, body, dict(self.headers)))
                time.sleep(psp.delay)
                if psp.fail_with:
                    self.send_response(psp.fail_with)
                    self.end_headers()
                    return
                declined = body.get("token") == "tok_declined"
                answer = {"id": f"psp_{len(psp.requests)}", "status": "declined" if declined else "succeeded"}
                if declined:
                    answer["decline_code"] = "card_declined"
                data = json.dumps(answer).encode()
                self.send_response(200)
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

    def __enter__(self) -> FakePsp:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
