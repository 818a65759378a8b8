"""Keeping a test's requests inside one fixed rate-limit window."""

from __future__ import annotations

import time

# Every shipped limit's window is a multiple of 300 s, and windows start at multiples of their
# length since the epoch, so no window ends between two 300-second boundaries.
SHIPPED_WINDOW_STEP = 300


def fresh_rate_window(window_seconds: int, margin: float = 10.0) -> None:
    """Wait out the end of the current fixed window when it is near, so counts cannot reset mid-test."""
    remaining = window_seconds - time.time() % window_seconds
    if remaining < margin:
        time.sleep(remaining + 0.05)
