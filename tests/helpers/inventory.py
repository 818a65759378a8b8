"""Sending literal JSON to the inventory API."""

from __future__ import annotations

import json
from typing import Any

from rest_framework.test import APIClient


def send(client: APIClient, method: str, path: str, body: Any = None, **extra: Any):
    """Send ``body`` as literal JSON text (``None``: no body)."""
    if body is None:
        return getattr(client, method)(path, **extra)
    return getattr(client, method)(path, json.dumps(body), content_type="application/json", **extra)
