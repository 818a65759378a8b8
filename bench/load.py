"""Load benchmark: cached product list vs a bare DRF view, side by side, under gunicorn.

    .venv/bin/python -m bench.load            # needs wrk (apt-get install wrk) and Redis

Starts gunicorn (``bench.settings``: the project plus ``/bench/reference/``, a DRF view that
returns a constant page of 20 product-shaped items) against the benchmark database and Redis,
warms the cache, then alternates wrk runs on ``/api/products/`` (cached list, page of 20) and
on the reference view, and reports the median requests/s of each and their ratio. Both go
through the same middleware, authentication and JSON renderer, so the ratio is the cost of the
cache lookup (two Redis round trips) over a view that does nothing.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ENV = {
    **os.environ,
    "DATABASE_URL": os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/shop_bench"),
    "CACHE_URL": os.environ.get("CACHE_URL", "redis://127.0.0.1:6379/4"),
    "DJANGO_SETTINGS_MODULE": "bench.settings",
    "LOG_LEVEL": "WARNING",
}


def _get(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 - our own local server
        return response.read()


def _wrk(url: str, *, connections: int, seconds: int) -> float:
    out = subprocess.run(
        ["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--latency", url],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    match = re.search(r"Requests/sec:\s+([\d.]+)", out)
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    if match is None or errors:
        sys.exit(f"wrk failed on {url}:\n{out}")
    return float(match.group(1))


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--port", type=int, default=8099)
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("wrk is needed: apt-get install wrk")

    base = f"http://127.0.0.1:{args.port}"
    server = subprocess.Popen(
        [
            str(ROOT / ".venv/bin/gunicorn"),
            "ecommerce.wsgi",
            f"--bind=127.0.0.1:{args.port}",
            f"--workers={args.workers}",
            "--log-level=warning",
        ],
        cwd=ROOT,
        env=ENV,
        start_new_session=True,
    )
    try:
        for _ in range(100):
            try:
                _get(f"{base}/api/health/")
                break
            except OSError:
                time.sleep(0.2)
        targets = {
            "reference (constant 20 items)": f"{base}/bench/reference/",
            "cached product list": f"{base}/api/products/",
        }
        for url in targets.values():
            for _ in range(20):
                _get(url)  # warm every worker; fills the cache
        results: dict[str, list[float]] = {name: [] for name in targets}
        for _ in range(args.rounds):
            for name, url in targets.items():
                results[name].append(_wrk(url, connections=args.connections, seconds=args.seconds))
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)

    reference = statistics.median(results["reference (constant 20 items)"])
    products = statistics.median(results["cached product list"])
    print(
        f"\ngunicorn {args.workers} sync workers, wrk 1 thread {args.connections} connections, "
        f"{args.rounds} × {args.seconds} s alternating; {os.cpu_count()} CPUs; "
        f"load average {os.getloadavg()[0]:.2f}\n"
    )
    print("| endpoint | runs (req/s) | median req/s |")
    print("|---|---|---|")
    for name, runs in results.items():
        print(f"| {name} | {', '.join(f'{r:.0f}' for r in runs)} | {statistics.median(runs):.0f} |")
    print(f"\ncached list / reference = {products / reference:.0%}")


if __name__ == "__main__":
    main()
