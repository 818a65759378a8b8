"""Fake GitHub and Google APIs on 127.0.0.1 for the social sign-in tests: just the routes
allauth and our token-ownership checks call.

GitHub: ``POST /api/v3/applications/{client_id}/token`` (basic auth with the app's client id
and secret; 404 for a token of any other app), ``GET /api/v3/user`` and ``/api/v3/user/emails``.
Google: ``POST /tokeninfo`` (form ``access_token``; ``aud`` is the client the token was issued
to) and ``GET /userinfo``.
"""

from __future__ import annotations

import base64
import json
import re
import secrets
import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs

APPS = {"gh-shop": "gh-shop-secret", "gh-other": "gh-other-secret", "g-shop": "g-secret", "g-other": "g-x"}


@dataclass(frozen=True)
class Person:
    id: int
    email: str
    verified: bool = True
    first_name: str = "Octo"
    last_name: str = "Cat"


class FakeOAuthApis:
    def __init__(self) -> None:
        self.tokens: dict[str, tuple[str, Person]] = {}  # token -> (client id, person)
        self.requests: list[tuple[str, str, str]] = []  # (method, path, body)
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.base_url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def start(self) -> FakeOAuthApis:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def issue(self, person: Person, *, client_id: str) -> str:
        token = f"tok_{secrets.token_urlsafe(12)}"
        self.tokens[token] = (client_id, person)
        return token

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def _json(self, status: int, body: Any) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def _bearer(self) -> tuple[str, Person] | None:
                _, _, token = self.headers.get("Authorization", "").partition(" ")
                return fake.tokens.get(token)

            def do_GET(self) -> None:
                fake.requests.append(("GET", self.path, ""))
                grant = self._bearer()
                if grant is None:
                    self._json(401, {"message": "Bad credentials"})
                    return
                _, person = grant
                if self.path == "/api/v3/user":
                    name = f"{person.first_name} {person.last_name}"
                    self._json(
                        200, {"id": person.id, "login": f"user{person.id}", "name": name, "email": None}
                    )
                elif self.path == "/api/v3/user/emails":
                    self._json(200, [{"email": person.email, "primary": True, "verified": person.verified}])
                elif self.path == "/userinfo":
                    self._json(
                        200,
                        {
                            "id": str(person.id),
                            "email": person.email,
                            "verified_email": person.verified,
                            "given_name": person.first_name,
                            "family_name": person.last_name,
                        },
                    )
                else:
                    self._json(404, {"message": "Not Found"})

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0)).decode()
                fake.requests.append(("POST", self.path, body))
                check = re.fullmatch(r"/api/v3/applications/([^/]+)/token", self.path)
                if check:
                    self._github_check(check.group(1), json.loads(body or "{}"))
                elif self.path == "/tokeninfo":
                    token = parse_qs(body).get("access_token", [""])[0]
                    grant = fake.tokens.get(token)
                    if grant is None:
                        self._json(400, {"error": "invalid_token", "error_description": "Invalid Value"})
                        return
                    client_id, person = grant
                    self._json(
                        200,
                        {"aud": client_id, "azp": client_id, "sub": str(person.id), "expires_in": 3000},
                    )
                else:
                    self._json(404, {"message": "Not Found"})

            def _github_check(self, client_id: str, body: dict[str, Any]) -> None:
                scheme, _, encoded = self.headers.get("Authorization", "").partition(" ")
                user, _, password = base64.b64decode(encoded or "").decode().partition(":")
                if scheme != "Basic" or user != client_id or APPS.get(user) != password:
                    self._json(401, {"message": "Requires authentication"})
                    return
                grant = fake.tokens.get(body.get("access_token", ""))
                if grant is None or grant[0] != client_id:
                    self._json(404, {"message": "Not Found"})
                    return
                person = grant[1]
                self._json(
                    200,
                    {"app": {"client_id": client_id}, "user": {"id": person.id}, "scopes": ["user:email"]},
                )

        return Handler
