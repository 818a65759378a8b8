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

from django.core.exceptions import DisallowedHost
from django.urls import Resolver404, resolve

# Unknown API paths end in the catch-all route of ``ecommerce.urls`` (no operation).
_CATCH_ALL = ".*$"
_PARAMETER = re.compile(r"<(?:\w+:)?(\w+)>")
FUZZ_MODULE = "tests/hardening/test_schema_fuzz.py"


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
            known = self.seen.get(observation)
            if known is None or (is_fuzz(known) and not is_fuzz(test)):
                self.seen[observation] = test  # prefer a deterministic test over the fuzzer

    def dump(self, path: Path) -> None:
        rows = [{**obs.__dict__, "test": test} for obs, test in sorted(self.seen.items())]
        path.write_text(json.dumps(rows, indent=0))


def is_fuzz(test: str) -> bool:
    """Schemathesis' generated requests: what they reach changes whenever the schema does."""
    return test.startswith(FUZZ_MODULE)


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
    try:
        request.get_host()
    except DisallowedHost:  # refused before any operation, whatever the path (docs/deploying.md)
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


# --- the comparison -----------------------------------------------------------------------

# Error statuses an operation may document although no test provokes them there. Keep it short,
# and say why each cannot be provoked.
UNPROVOKED_OK: dict[int, str] = {
    # An unexpected exception: documented on every operation; the handler is tested on test-only
    # routes (tests/common/test_error_envelope.py), a real endpoint has no bug to trigger it.
    500: "INTERNAL_ERROR",
}
# Where an operation's ERRORS entry lives, by its first tag.
DECLARED_IN = {
    "auth": "accounts/api/openapi.py",
    "catalog": "catalog/api/openapi.py",
    "cart": "cart/api/openapi.py",
    "orders": "orders/api/openapi.py",
    "inventory": "inventory/api/openapi.py",
    "analytics": "analytics/api/openapi.py",
    "shipping": "shipping/api/openapi.py",
    "taxes": "taxes/api/openapi.py",
    "discounts": "discounts/api/openapi.py",
    "service": "ecommerce/common/openapi.py",
}


@dataclass(frozen=True)
class Documented:
    operation_id: str
    declared_in: str
    errors: dict[int, frozenset[str]]  # status → the envelope codes named for it


def documented_errors(schema: dict[str, Any]) -> dict[tuple[str, str], Documented]:
    """``(METHOD, path)`` → the error statuses and codes the OpenAPI document gives it."""
    out = {}
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            tag = (operation.get("tags") or ["?"])[0]
            out[(method.upper(), path)] = Documented(
                operation["operationId"],
                DECLARED_IN.get(tag, "<app>/api/openapi.py"),
                {
                    int(status): frozenset(response.get("x-error-codes", ()))
                    for status, response in operation["responses"].items()
                    if int(status) >= 400
                },
            )
    return out


def compare(
    documented: dict[tuple[str, str], Documented],
    observed: dict[Observation, str],
    unprovoked_ok: dict[int, str] = UNPROVOKED_OK,
) -> list[str]:
    """What is wrong between the documented error codes and the observed responses.

    * every observed 4xx/5xx of an operation must be documented for it (status and code);
    * every documented error status must be observed by a test other than the schema fuzzer
      (whose cases change with the schema), unless ``unprovoked_ok`` lists the status.
    """
    problems: list[str] = []
    provoked: set[tuple[str, str, int]] = set()
    for obs, test in sorted(observed.items()):
        doc = documented.get((obs.method, obs.path))
        if doc is None or obs.status < 400:
            continue
        if not is_fuzz(test):
            provoked.add((obs.method, obs.path, obs.status))
        codes = doc.errors.get(obs.status)
        where = f"{obs.method} {obs.path} ({doc.operation_id}): {test} got {obs.status} {obs.code}".rstrip()
        if codes is None:
            problems.append(
                f"{where}, a status the schema does not document. If it is right, add "
                f"{obs.code or 'its code'} to ERRORS[{doc.operation_id!r}] in {doc.declared_in}."
            )
        elif obs.code and obs.code not in codes:
            problems.append(
                f"{where}; the schema names only {', '.join(sorted(codes))} for {obs.status}. If it is "
                f"right, add {obs.code} to ERRORS[{doc.operation_id!r}] in {doc.declared_in}."
            )
    for (method, path), doc in sorted(documented.items()):
        for status, codes in sorted(doc.errors.items()):
            if (method, path, status) not in provoked and status not in unprovoked_ok:
                problems.append(
                    f"{method} {path} ({doc.operation_id}) documents {status} ({', '.join(sorted(codes))}), "
                    f"but no test observed it: write the test that provokes it, or remove the code from "
                    f"ERRORS[{doc.operation_id!r}] in {doc.declared_in}."
                )
    return problems


# --- the pytest side ----------------------------------------------------------------------

COMPARISON_TEST = "test_documented_error_codes_match_observed_responses"


def partial_run_reason(config: Any) -> str | None:
    """Why this session is not the whole suite (``None`` when it is)."""
    option = config.option
    if getattr(option, "shard", None):
        return "--shard {}/{} runs a part of the suite".format(*option.shard)
    for name, flag in (("keyword", "-k"), ("markexpr", "-m"), ("deselect", "--deselect"), ("lf", "--lf")):
        if getattr(option, name, None):
            return f"{flag} selects a subset"
    if getattr(option, "ignore", None) or getattr(option, "ignore_glob", None):
        return "--ignore leaves tests out"
    base = Path(config.invocation_params.dir)
    wanted = {(Path(config.rootpath) / path).resolve() for path in config.getini("testpaths")}
    given = {(base / arg).resolve() for arg in config.args}
    if given != wanted:
        return "only some test files or directories were given"
    return None


class Plugin:
    """Records every API response of the session; runs the comparison test last."""

    def pytest_collection_modifyitems(self, items: list[Any]) -> None:
        last = [item for item in items if item.name == COMPARISON_TEST]
        items[:] = [item for item in items if item.name != COMPARISON_TEST] + last

    def pytest_sessionfinish(self, session: Any) -> None:
        """``API_OBSERVATIONS_FILE=path``: keep a whole run's observations for later partial runs."""
        target = os.environ.get("API_OBSERVATIONS_FILE")
        if target and partial_run_reason(session.config) is None:
            RECORDER.dump(Path(target))
