"""Assertions shared by the test modules."""

from __future__ import annotations

from typing import Any


def assert_envelope(response: Any, status: int | tuple[int, ...], code: str | None = None) -> dict[str, Any]:
    """Assert ``response`` is the contract's error envelope with ``status`` (one or several
    allowed) and, when given, ``code``; return the ``error`` object."""
    statuses = (status,) if isinstance(status, int) else status
    assert response.status_code in statuses, response.content
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"error"}
    error = body["error"]
    assert set(error) == {"code", "message", "details"}
    assert isinstance(error["message"], str) and error["message"]
    assert isinstance(error["details"], dict)
    if code is not None:
        assert error["code"] == code
    return error
