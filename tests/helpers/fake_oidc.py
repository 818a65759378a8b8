"""A small OpenID Connect provider on 127.0.0.1 for tests: discovery, authorize (redirects
with a code), token (checks client, code and redirect_uri; returns an RS256-signed id_token),
userinfo, JWKS, and token introspection (RFC 7662, basic auth with a known client)."""

from __future__ import annotations

import base64
import json
import secrets
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, unquote, urlencode, urlparse

import jwt
import requests
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

CLIENT_ID = "shop-client"
CLIENT_SECRET = "shop-secret"  # noqa: S105 - a test fixture
# Another OAuth app registered at the same provider (e.g. some other site's "sign in with …").
OTHER_CLIENT_ID = "other-client"
CLIENTS = {CLIENT_ID: CLIENT_SECRET, OTHER_CLIENT_ID: "other-secret"}


_SIGNING_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)


class FakeOidcProvider:
    def __init__(self) -> None:
        self.key = _SIGNING_KEY
        self.kid = "test-key-1"
        self.profile: dict[str, Any] = {}
        self.codes: dict[str, dict[str, Any]] = {}
        self.access_tokens: dict[str, dict[str, Any]] = {}
        self.token_clients: dict[str, str] = {}  # access token -> client id it was issued to
        self.introspection = True  # advertise the introspection endpoint in discovery
        self.token_requests: list[dict[str, str]] = []
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.base_url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def start(self) -> FakeOidcProvider:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def id_token(self, profile: dict[str, Any], *, audience: str = CLIENT_ID, key: Any = None) -> str:
        now = int(time.time())
        claims = {"iss": self.base_url, "aud": audience, "iat": now, "exp": now + 300, **profile}
        return jwt.encode(claims, key or self.key, algorithm="RS256", headers={"kid": self.kid})

    def issue_access_token(self, profile: dict[str, Any], *, client_id: str = CLIENT_ID) -> str:
        """A token for ``profile``, issued to ``client_id`` (userinfo accepts it either way)."""
        token = secrets.token_urlsafe(16)
        self.access_tokens[token] = dict(profile)
        self.token_clients[token] = client_id
        return token

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        provider = self

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

            def do_GET(self) -> None:
                url = urlparse(self.path)
                query = {k: v[0] for k, v in parse_qs(url.query).items()}
                if url.path == "/.well-known/openid-configuration":
                    base = provider.base_url
                    self._json(
                        200,
                        {
                            "issuer": base,
                            "authorization_endpoint": f"{base}/authorize",
                            "token_endpoint": f"{base}/token",
                            "userinfo_endpoint": f"{base}/userinfo",
                            "jwks_uri": f"{base}/jwks",
                            "token_endpoint_auth_methods_supported": ["client_secret_post"],
                            **(
                                {
                                    "introspection_endpoint": f"{base}/introspect",
                                    "introspection_endpoint_auth_methods_supported": ["client_secret_basic"],
                                }
                                if provider.introspection
                                else {}
                            ),
                        },
                    )
                elif url.path == "/jwks":
                    jwk = json.loads(RSAAlgorithm.to_jwk(provider.key.public_key()))
                    jwk.update({"kid": provider.kid, "alg": "RS256", "use": "sig"})
                    self._json(200, {"keys": [jwk]})
                elif url.path == "/authorize":
                    if query.get("client_id") != CLIENT_ID:
                        self._json(400, {"error": "unauthorized_client"})
                        return
                    code = secrets.token_urlsafe(12)
                    provider.codes[code] = {
                        "redirect_uri": query["redirect_uri"],
                        "profile": dict(provider.profile),
                    }
                    params = {"code": code, **({"state": query["state"]} if "state" in query else {})}
                    self.send_response(302)
                    self.send_header("Location", f"{query['redirect_uri']}?{urlencode(params)}")
                    self.end_headers()
                elif url.path == "/userinfo":
                    token = self.headers.get("Authorization", "").removeprefix("Bearer ")
                    profile = provider.access_tokens.get(token)
                    if profile is None:
                        self._json(401, {"error": "invalid_token"})
                    else:
                        self._json(200, profile)
                else:
                    self._json(404, {"error": "not_found"})

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
                provider.token_requests.append(form)
                if self.path == "/introspect":
                    self._introspect(form)
                    return
                if self.path != "/token":
                    self._json(404, {"error": "not_found"})
                    return
                grant = provider.codes.pop(form.get("code", ""), None)  # codes are single-use
                if (
                    form.get("client_id") != CLIENT_ID
                    or form.get("client_secret") != CLIENT_SECRET
                    or grant is None
                    or grant["redirect_uri"] != form.get("redirect_uri")
                ):
                    self._json(400, {"error": "invalid_grant"})
                    return
                profile = grant["profile"]
                self._json(
                    200,
                    {
                        "access_token": provider.issue_access_token(profile),
                        "token_type": "Bearer",
                        "expires_in": 300,
                        "id_token": provider.id_token(profile),
                    },
                )

            def _introspect(self, form: dict[str, str]) -> None:
                """RFC 7662: the caller authenticates as a registered client (basic auth)."""
                scheme, _, encoded = self.headers.get("Authorization", "").partition(" ")
                user, _, password = base64.b64decode(encoded or "").decode().partition(":")
                if scheme != "Basic" or CLIENTS.get(unquote(user)) != unquote(password):
                    self._json(401, {"error": "invalid_client"})
                    return
                token = form.get("token", "")
                profile = provider.access_tokens.get(token)
                if profile is None:
                    self._json(200, {"active": False})
                    return
                client_id = provider.token_clients[token]
                self._json(
                    200,
                    {
                        "active": True,
                        "client_id": client_id,
                        "sub": profile.get("sub"),
                        "token_type": "Bearer",
                    },
                )

        return Handler


REDIRECT_URI = "https://shop.test/auth/callback/fakeid"


def profile(sub: str = "idp-user-1", email: str = "social@example.com", verified: bool = True) -> dict:
    """The claims the fake provider asserts for one person."""
    return {"sub": sub, "email": email, "email_verified": verified, "given_name": "Soc", "family_name": "Ial"}


def authorize(api_client, idp: FakeOidcProvider) -> tuple[str, str]:
    """Follow the authorize_url from GET /providers like a browser; returns (code, state)."""
    providers = api_client.get("/api/auth/providers").json()
    authorize_url = next(p["authorize_url"] for p in providers if p["id"] == "fakeid")
    response = requests.get(authorize_url, allow_redirects=False, timeout=5)
    assert response.status_code == 302
    query = parse_qs(urlparse(response.headers["Location"]).query)
    return query["code"][0], query["state"][0]
