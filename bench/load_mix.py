"""Load test: Locust's realistic shop mix against gunicorn + PostgreSQL + Redis, then the SQL
consistency check. Run by hand (never in CI):

    .venv/bin/pip install -r bench/requirements-bench.txt
    .venv/bin/python -m bench.load_mix                      # 10, 50, 100 users, 60 s each

Steps: migrate and seed ``shop_load`` up to 100,000 products (``seed_demo``; a no-op when it
is there), create the load customers and mint their JWTs, pick ids / category slugs / search
words for the locustfile, record the initial stock of every product and the last ledger and
order ids (``bench_initial_stock``, ``bench_baseline``), start gunicorn with the production
settings, run ``locust --headless`` for each user count, stop gunicorn, run
``bench/consistency.sql`` (every check must be 0), and write ``bench/.load/results.json`` and
``docs/load.png`` (throughput and p95 against users).

Environment: ``DATABASE_URL`` (default ``postgres://postgres@127.0.0.1:5432/shop_load``),
``CACHE_URL`` (default ``redis://127.0.0.1:6379/7``; flushed at the start).
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import re
import secrets
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / ".load"
PORT = 8100
DATABASE_URL = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/shop_load")
CACHE_URL = os.environ.get("CACHE_URL", "redis://127.0.0.1:6379/7")
SERVER_ENV = {
    **os.environ,
    "DATABASE_URL": DATABASE_URL,
    "CACHE_URL": CACHE_URL,
    "DJANGO_SETTINGS_MODULE": "ecommerce.settings.production",
    "SECRET_KEY": os.environ.get("SECRET_KEY", secrets.token_urlsafe(50)),
    "ALLOWED_HOSTS": "127.0.0.1,localhost",
    "SECURE_SSL_REDIRECT": "0",  # plain HTTP on the loopback; TLS ends at a proxy in production
    "EMAIL_URL": "dummymail://",  # order confirmations are sent (on commit) and dropped
    "LOG_LEVEL": "WARNING",  # the per-request JSON line is not what is measured
    "JWT_ACCESS_MINUTES": "600",  # tokens minted up front outlive the whole run
    "PAYMENT_GATEWAY": "orders.payments.TestGateway",  # a benchmark takes no money
    "PAYMENT_TEST_GATEWAY_ALLOWED_UNSAFE": "1",
    # Every simulated shopper comes from 127.0.0.1: the per-IP checkout limit would measure itself.
    "CHECKOUT_LIMIT_PER_IP": "100000000",
    "CHECKOUT_LIMIT_PER_USER": "100000000",
}
CUSTOMERS = 300


def manage(*args: str, env: dict[str, str] = SERVER_ENV) -> None:
    subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True)


def prepare(products: int, *, env: dict[str, str] = SERVER_ENV, out: Path = OUT) -> dict:
    """Seed, create customers, write the locust fixture (``out/fixture.json``), snapshot stock.
    Returns fixture stats. Also used by ``bench/cluster.py`` (its own ``env`` and ``out``)."""
    manage("migrate", "--noinput", "-v0", env=env)
    manage("seed_demo", "--products", str(products), env=env)
    os.environ.update({k: v for k, v in env.items() if k != "DJANGO_SETTINGS_MODULE"})
    os.environ["DJANGO_SETTINGS_MODULE"] = "ecommerce.settings.production"
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.contrib.auth.hashers import make_password
    from django.db import connection
    from rest_framework_simplejwt.tokens import RefreshToken

    from accounts.models import Role, User
    from cart.models import CartLine
    from catalog.models import Category, Product

    password = make_password("load-test-password-1")
    existing = set(User.objects.filter(email__startswith="load-").values_list("email", flat=True))
    User.objects.bulk_create(
        [
            User(email=email, password=password, role=Role.CUSTOMER, email_verified=True)
            for email in (f"load-{n}@example.com" for n in range(CUSTOMERS))
            if email not in existing
        ]
    )
    customers = list(User.objects.filter(email__startswith="load-").order_by("id"))
    CartLine.objects.filter(cart__user__in=customers).delete()
    rng = random.Random(8)
    on_sale = list(
        Product.objects.filter(discontinued=False, quantity__gt=0, options=[])  # cart adds by product id
        .order_by("id")
        .values_list("public_id", flat=True)
    )
    hot = list(
        Product.objects.filter(discontinued=False, quantity__range=(20, 60), options=[])
        .order_by("id")
        .values_list("public_id", flat=True)[:40]
    )
    names = Product.objects.order_by("?").values_list("name", flat=True)[:300]
    words = sorted({w.lower() for name in names for w in re.findall(r"[A-Za-z]{4,}", name)})
    fixture = {
        "tokens": [str(RefreshToken.for_user(user).access_token) for user in customers],
        "products": rng.sample(on_sale, min(5000, len(on_sale))),
        "hot_products": hot,
        "categories": list(Category.objects.values_list("slug", flat=True)),
        "words": words,
    }
    out.mkdir(parents=True, exist_ok=True)
    (out / "fixture.json").write_text(json.dumps(fixture))
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_initial_stock")
        cursor.execute(
            "CREATE TABLE bench_initial_stock AS SELECT product_id, SUM(quantity) AS quantity"
            " FROM catalog_productvariant WHERE is_active GROUP BY product_id"
        )
        cursor.execute("DROP TABLE IF EXISTS bench_baseline")
        cursor.execute(
            "CREATE TABLE bench_baseline AS SELECT "
            "(SELECT COALESCE(MAX(id), 0) FROM orders_stockmovement) AS movement_id, "
            "(SELECT COALESCE(MAX(id), 0) FROM orders_order) AS order_id"
        )
        cursor.execute("SELECT COUNT(*) FROM catalog_product")
        total = cursor.fetchone()[0]
    connection.close()
    return {"products": total, "customers": len(customers), "hot_products": len(hot), "words": len(words)}


def start_server(workers: int) -> subprocess.Popen:
    subprocess.run(["redis-cli", "-u", CACHE_URL, "flushdb"], check=True, capture_output=True)
    server = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "gunicorn"),
            "ecommerce.wsgi",
            "--bind",
            f"127.0.0.1:{PORT}",
            "--workers",
            str(workers),
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=SERVER_ENV,
        start_new_session=True,
    )
    for _ in range(60):
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{PORT}/api/health/", timeout=2) as response:  # noqa: S310
                if response.status == 200:
                    return server
        except OSError:
            time.sleep(0.5)
    server.kill()
    raise SystemExit("gunicorn did not become healthy")


def run_locust(users: int, seconds: int) -> dict:
    prefix = OUT / f"u{users}"
    subprocess.run(
        [
            str(Path(sys.executable).parent / "locust"),
            "-f",
            str(ROOT / "bench" / "locustfile.py"),
            "--headless",
            "--users",
            str(users),
            "--spawn-rate",
            str(max(1, users // 5)),
            "--run-time",
            f"{seconds}s",
            "--host",
            f"http://127.0.0.1:{PORT}",
            "--csv",
            str(prefix),
            "--only-summary",
            "--loglevel",
            "WARNING",
        ],
        cwd=ROOT,
        check=False,  # non-zero when any request failed: the failures are reported below
    )
    rows = list(csv.DictReader((prefix.with_name(prefix.name + "_stats.csv")).open()))
    failures = list(csv.DictReader((prefix.with_name(prefix.name + "_failures.csv")).open()))
    endpoints = {
        row["Name"]: {
            "requests": int(row["Request Count"]),
            "failures": int(row["Failure Count"]),
            "rps": float(row["Requests/s"]),
            "p50": float(row["50%"]),
            "p95": float(row["95%"]),
            "p99": float(row["99%"]),
        }
        for row in rows
    }
    return {
        "users": users,
        "seconds": seconds,
        "endpoints": endpoints,
        "failures": [{k: row[k] for k in ("Method", "Name", "Error", "Occurrences")} for row in failures],
    }


def consistency() -> list[tuple[str, str]]:
    out = subprocess.run(
        ["psql", DATABASE_URL, "-At", "-F", "\t", "-f", str(ROOT / "bench" / "consistency.sql")],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return [tuple(line.split("\t")) if "\t" in line else (line, "") for line in out.splitlines() if line]


def plot(runs: list[dict], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    users = [run["users"] for run in runs]
    total = [run["endpoints"]["Aggregated"] for run in runs]
    fig, left = plt.subplots(figsize=(7, 4), dpi=120)
    left.plot(users, [t["rps"] for t in total], "o-", color="tab:blue", label="throughput (req/s)")
    left.set_xlabel("concurrent users (Locust)")
    left.set_ylabel("requests / s", color="tab:blue")
    left.set_ylim(bottom=0)
    right = left.twinx()
    right.plot(users, [t["p95"] for t in total], "s--", color="tab:red", label="p95 latency (ms)")
    for name, marker in [("GET /api/products/ (browse/filter)", "^"), ("POST /api/orders/ (checkout)", "v")]:
        right.plot(
            users,
            [run["endpoints"][name]["p95"] for run in runs],
            marker + ":",
            color="tab:red",
            alpha=0.5,
            label=f"p95 {name}",
        )
    right.set_ylabel("p95 latency (ms)", color="tab:red")
    right.set_ylim(bottom=0)
    lines = left.get_legend_handles_labels()[0] + right.get_legend_handles_labels()[0]
    labels = left.get_legend_handles_labels()[1] + right.get_legend_handles_labels()[1]
    left.legend(lines, labels, loc="upper left", fontsize=7)
    left.set_title("Shop mix on gunicorn + PostgreSQL + Redis, 100,000 products, 2 vCPU")
    fig.tight_layout()
    fig.savefig(path)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--users", default="10,50,100", help="comma-separated user counts")
    parser.add_argument("--seconds", type=int, default=60, help="run time per user count")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn sync workers")
    parser.add_argument("--products", type=int, default=100_000)
    args = parser.parse_args()

    stats = prepare(args.products)
    print(f"prepared: {stats}", flush=True)
    server = start_server(args.workers)
    runs = []
    try:
        for users in (int(n) for n in args.users.split(",")):
            runs.append(run_locust(users, args.seconds))
            total = runs[-1]["endpoints"]["Aggregated"]
            print(
                f"{users} users: {total['rps']:.1f} req/s, p95 {total['p95']:.0f} ms, failures {total['failures']}"
            )
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
    checks = consistency()
    for name, value in checks:
        print(f"  {name}: {value}" if value else f"  {name}")
    broken = [name for name, value in checks if value and value != "0"]
    results = {"prepared": stats, "workers": args.workers, "runs": runs, "consistency": checks}
    (OUT / "results.json").write_text(json.dumps(results, indent=2))
    plot(runs, ROOT / "docs" / "load.png")
    print(f"results: {OUT / 'results.json'}, plot: docs/load.png")
    if broken:
        raise SystemExit(f"consistency check failed: {broken}")


if __name__ == "__main__":
    main()
