"""Sending literal JSON to the inventory API and waiting out a rate-limit window."""

from __future__ import annotations

import json
import time
from typing import Any

from rest_framework.test import APIClient


def send(client: APIClient, method: str, path: str, body: Any = None, **extra: Any):
    """Send ``body`` as literal JSON text (``None``: no body)."""
    if body is None:
        return getattr(client, method)(path, **extra)
    return getattr(client, method)(path, json.dumps(body), content_type="application/json", **extra)


def fresh_rate_window(window_seconds: int, margin: float = 10.0) -> None:
    """Wait out the end of the current fixed window when it is near, so counts cannot reset mid-test."""
    remaining = window_seconds - time.time() % window_seconds
    if remaining < margin:
        time.sleep(remaining + 0.05)
