"""Headless Chromium for the browser tests: Debian's ``chromium`` driven by playwright (never
``playwright install``, which downloads a browser)."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def sync_playwright_or_skip() -> Any:
    """playwright's ``sync_playwright``; skips the test when chromium or playwright is missing.
    Launch with ``playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)``."""
    if not Path(CHROMIUM).exists():
        pytest.skip("chromium is not installed (apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:  # pragma: no cover - pinned in requirements-dev.txt
        pytest.skip("the playwright package is not installed")
    return sync_playwright
