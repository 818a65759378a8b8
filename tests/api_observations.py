"""Record the status (and envelope code) of every API response the test suite produces.

Every request that reaches Django in this process goes through ``BaseHandler.get_response``:
the test client, DRF's ``APIClient``, schemathesis' WSGI transport and live-server threads
alike. This module wraps that method once per session and records, per response under
``/api/``, ``(method, route, status, code)`` with the first test that produced it. The route
is the URL pattern in the OpenAPI path format (``/api/products/{product_id}/``), so it names
the schema operation whatever id or trailing slash the request used.

``tests/common/test_api_error_codes.py`` compares these observations with the error codes the
OpenAPI document declares (docs/api-schema.md, "Error codes per operation").
"""

from __future__ import annotations

import json
import os
import re
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.urls import Resolver404, resolve

# Unknown API paths end in the catch-all route of ``ecommerce.urls`` (no operation).
_CATCH_ALL = ".*$"
_PARAMETER = re.compile(r"<(?:\w+:)?(\w+)>")


@dataclass(frozen=True, order=True)
class Observation:
    method: str
    path: str  # the OpenAPI path of the route, with a trailing slash
    status: int
    code: str  # the envelope's ``error.code`` ("" when there is none)


@dataclass
class Recorder:
    """Observations of one test session, keyed to the first test that produced each."""

    seen: dict[Observation, str] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, observation: Observation) -> None:
        test = os.environ.get("PYTEST_CURRENT_TEST", "").rsplit(" ", 1)[0]
        with self.lock:
            self.seen.setdefault(observation, test)

    def dump(self, path: Path) -> None:
        rows = [{**obs.__dict__, "test": test} for obs, test in sorted(self.seen.items())]
        path.write_text(json.dumps(rows, indent=0))


def load(path: Path) -> dict[Observation, str]:
    """Observations written by :meth:`Recorder.dump`."""
    rows = json.loads(path.read_text())
    return {Observation(row["method"], row["path"], row["status"], row["code"]): row["test"] for row in rows}


def route_template(route: str) -> str:
    """``api/products/<str:product_id>`` → ``/api/products/{product_id}/``."""
    path = "/" + _PARAMETER.sub(r"{\1}", route).lstrip("/")
    return path if path.endswith("/") else f"{path}/"


def envelope_code(response: Any) -> str:
    """``error.code`` of an envelope body, else ``""``."""
    if getattr(response, "streaming", False) or "json" not in response.get("Content-Type", ""):
        return ""
    try:
        body = json.loads(response.content)
    except ValueError:
        return ""
    error = body.get("error") if isinstance(body, dict) else None
    code = error.get("code") if isinstance(error, dict) else None
    return code if isinstance(code, str) else ""


def observation_of(request: Any, response: Any) -> Observation | None:
    """What to record for one request under ``/api/`` (``None`` for other paths)."""
    if not request.path.startswith("/api/"):
        return None
    match = getattr(request, "resolver_match", None)
    if match is None:  # answered by a middleware before URL resolution (413, a NUL byte)
        try:
            match = resolve(request.path_info)
        except Resolver404:
            return None
    if match.route.endswith(_CATCH_ALL):
        return None
    code = envelope_code(response) if response.status_code >= 400 else ""
    return Observation(request.method or "", route_template(match.route), response.status_code, code)


RECORDER = Recorder()
_installed = False


def install() -> None:
    """Wrap ``BaseHandler.get_response`` so that every API response is recorded (once)."""
    global _installed
    if _installed:
        return
    from django.core.handlers.base import BaseHandler

    original = BaseHandler.get_response

    def get_response(self: BaseHandler, request: Any) -> Any:
        response = original(self, request)
        observation = observation_of(request, response)
        if observation is not None:
            RECORDER.add(observation)
        return response

    BaseHandler.get_response = get_response  # type: ignore[method-assign]
    _installed = True
