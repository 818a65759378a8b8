"""gunicorn configuration (read from the working directory; `make run` and the Dockerfile pass it
with ``-c gunicorn.conf.py``). Flags such as ``--bind`` and ``--workers`` stay on the command line.

- ``on_starting``: under ``ecommerce.settings.production`` the master runs the deploy checks
  (``manage.py check --deploy``, fail level ERROR) and exits with status 1 before it binds a
  socket when one fails (``ecommerce/common/startup.py``).
- No ``Server`` header: gunicorn writes ``Server: gunicorn`` itself, below the WSGI
  application, so no Django middleware can remove it; the response class drops it here.
- gunicorn's own error answers (a request line or headers too large, a malformed request) are
  the API's JSON error envelope instead of an HTML page: such a request never reaches Django.
"""

from __future__ import annotations

import json
import os
import sys

from gunicorn import util as _gunicorn_util
from gunicorn.http import wsgi as _gunicorn_wsgi

_ENVELOPE_CODES = {403: "PERMISSION_DENIED", 500: "INTERNAL_ERROR"}


class _ResponseWithoutServerHeader(_gunicorn_wsgi.Response):
    def default_headers(self) -> list[str]:
        return [line for line in super().default_headers() if not line.lower().startswith("server:")]


def _write_error_envelope(sock: object, status_int: int, reason: str, mesg: str) -> None:
    """gunicorn's error page, as the envelope (the message is the status text: no echo of input)."""
    code = _ENVELOPE_CODES.get(status_int, "INVALID_REQUEST")
    body = json.dumps({"error": {"code": code, "message": f"{reason}.", "details": {}}}).encode()
    head = (
        f"HTTP/1.1 {status_int} {reason}\r\nConnection: close\r\n"
        f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
    )
    _gunicorn_util.write_nonblock(sock, head.encode("latin-1") + body)


_gunicorn_wsgi.Response = _ResponseWithoutServerHeader
_gunicorn_util.write_error = _write_error_envelope


def on_starting(server: object) -> None:
    """Refuse to start with an unsafe production configuration (any deploy check Error)."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ecommerce.settings.base")
    import django
    from django.core.management.base import SystemCheckError

    django.setup()
    from ecommerce.common.startup import refuse_unsafe_start

    try:
        report = refuse_unsafe_start()
    except SystemCheckError as error:
        sys.stderr.write(f"{error}\n\nRefusing to start: the deploy checks above failed.\n")
        sys.stderr.flush()
        sys.exit(1)
    if report:
        sys.stderr.write(report)
