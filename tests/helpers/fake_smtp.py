"""A small SMTP server on 127.0.0.1 (an outside party: the mail server), that a test can stop
(connections refused) and start again on the same port. It records every message it accepted."""

from __future__ import annotations

import email
import socket
import socketserver
import threading
from email.message import Message

from tests.helpers.servers import free_port


class _Handler(socketserver.StreamRequestHandler):
    server: _Server

    def _say(self, line: str) -> None:
        self.wfile.write(f"{line}\r\n".encode())

    def handle(self) -> None:
        self._say("220 fake-smtp ready")
        rcpt: list[str] = []
        while line := self.rfile.readline():
            command = line.decode(errors="replace").strip()
            verb = command.split(" ", 1)[0].upper()
            if verb in ("EHLO", "HELO"):
                self._say("250 fake-smtp")
            elif verb == "MAIL":
                rcpt = []
                self._say("250 OK")
            elif verb == "RCPT":
                rcpt.append(command.split(":", 1)[1].strip().strip("<>"))
                self._say("250 OK")
            elif verb == "DATA":
                self._say("354 end with .")
                body = []
                while (data := self.rfile.readline()) not in (b".\r\n", b".\n", b""):
                    body.append(data[1:] if data.startswith(b"..") else data)
                self.server.record(rcpt, email.message_from_bytes(b"".join(body)))
                self._say("250 queued")
            elif verb == "QUIT":
                self._say("221 bye")
                return
            else:  # RSET, NOOP, …
                self._say("250 OK")


class _Server(socketserver.ThreadingTCPServer):
    allow_reuse_address = True
    daemon_threads = True

    def __init__(self, port: int, owner: FakeSmtpServer) -> None:
        self.owner = owner
        super().__init__(("127.0.0.1", port), _Handler)

    def record(self, rcpt: list[str], message: Message) -> None:
        with self.owner.lock:
            self.owner.messages.append((rcpt, message))


class FakeSmtpServer:
    """``start()`` / ``stop()`` as often as needed; ``messages`` is ``[(recipients, message)]``."""

    def __init__(self, port: int | None = None) -> None:
        self.port = port or free_port()
        self.messages: list[tuple[list[str], Message]] = []
        self.lock = threading.Lock()
        self._server: _Server | None = None

    def start(self) -> FakeSmtpServer:
        self._server = _Server(self.port, self)
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def subjects(self) -> list[str]:
        with self.lock:
            return [str(message["Subject"]) for _, message in self.messages]

    def refused(self) -> bool:
        """True when nothing listens on the port (the server is down)."""
        with socket.socket() as probe:
            return probe.connect_ex(("127.0.0.1", self.port)) != 0
