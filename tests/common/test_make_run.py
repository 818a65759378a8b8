"""``make run`` without Redis serves from one process: a local-memory cache is per process, so
several worker processes would each keep their own catalog version and serve stale reads (an
inventory listing showed the stock before an order on two of three workers)."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def gunicorn_command(**env: str) -> str:
    """The gunicorn line ``make run`` would run (``make -n`` prints it without running anything)."""
    if shutil.which("make") is None:
        pytest.skip("make is not installed")
    result = subprocess.run(  # noqa: S603 - fixed arguments
        ["make", "-n", "run"],  # noqa: S607 - make from PATH
        cwd=ROOT, env={**os.environ, "CACHE_URL": "", "WEB_CONCURRENCY": "3", **env},
        capture_output=True, text=True, check=True, timeout=60,
    )  # fmt: skip
    return next(line for line in result.stdout.splitlines() if "gunicorn ecommerce.wsgi" in line)


def test_local_memory_cache_runs_one_process_with_threads():
    assert "--workers 1 --threads 3" in gunicorn_command()
    assert "--workers 1 --threads 3" in gunicorn_command(CACHE_URL="locmemcache://")


def test_redis_cache_runs_several_processes():
    command = gunicorn_command(CACHE_URL="redis://127.0.0.1:6379/0")
    assert "--workers 3" in command and "--threads" not in command
