"""One HTTP POST to a checked target (``targets.Target``): connects to the address that passed
the SSRF rule, names the host in ``Host`` and in TLS (SNI and certificate check), follows no
redirect, waits at most ``timeout`` seconds per network operation and reads at most a small
part of the answer."""

from __future__ import annotations

import http.client
import socket
import ssl
import time
from dataclasses import dataclass

from .targets import Target

READ_LIMIT = 4096  # bytes of the answer read (the log keeps an excerpt of them)
USER_AGENT = "ecommerce-webhooks/1"


@dataclass(frozen=True)
class PostResult:
    """What came back: a status (None when no answer) and the time it took."""

    status: int | None
    duration_ms: int
    body_excerpt: str
    error: str  # "" when an answer came, else a short reason ("timeout", "connection refused")


class _PinnedHTTPConnection(http.client.HTTPConnection):
    def __init__(self, target: Target, timeout: float) -> None:
        super().__init__(target.host, target.port, timeout=timeout)
        self._address = target.address

    def connect(self) -> None:
        self.sock = socket.create_connection((self._address, self.port), self.timeout)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    def __init__(self, target: Target, timeout: float) -> None:
        super().__init__(target.host, target.port, timeout=timeout, context=ssl.create_default_context())
        self._address = target.address

    def connect(self) -> None:
        sock = socket.create_connection((self._address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)  # type: ignore[attr-defined]  # set by HTTPSConnection


def _host_header(target: Target) -> str:
    host = f"[{target.host}]" if ":" in target.host else target.host
    default = 443 if target.scheme == "https" else 80
    return host if target.port == default else f"{host}:{target.port}"


def post(target: Target, *, body: bytes, headers: dict[str, str], timeout: float) -> PostResult:
    """POST ``body`` to ``target``; never raises for network trouble (it is in ``error``)."""
    connection_class = _PinnedHTTPSConnection if target.scheme == "https" else _PinnedHTTPConnection
    connection = connection_class(target, timeout)
    started = time.monotonic()
    status: int | None = None
    excerpt, error = "", ""
    try:
        connection.putrequest("POST", target.path, skip_host=True, skip_accept_encoding=True)
        all_headers = {
            "Host": _host_header(target),
            "Content-Type": "application/json",
            "Content-Length": str(len(body)),
            "User-Agent": USER_AGENT,
            **headers,
        }
        for name, value in all_headers.items():
            connection.putheader(name, value)
        connection.endheaders(body)
        response = connection.getresponse()
        status = response.status
        excerpt = response.read(READ_LIMIT).decode("utf-8", errors="replace")
    except TimeoutError:
        error = "timeout"
    except ssl.SSLError as exc:
        error = f"TLS error: {exc.reason or type(exc).__name__}"
    except ConnectionRefusedError:
        error = "connection refused"
    except (OSError, http.client.HTTPException, ValueError) as exc:  # ValueError: a URL http.client refuses
        error = f"network error: {type(exc).__name__}"
    finally:
        connection.close()
    duration_ms = int((time.monotonic() - started) * 1000)
    return PostResult(status=status, duration_ms=duration_ms, body_excerpt=excerpt, error=error)
