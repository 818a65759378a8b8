"""The shop on many machines, on this one machine: nginx in front of two gunicorn web nodes, two
Celery workers and one beat, one PostgreSQL and one Redis, a webhook receiver and an SMTP sink;
the Locust shop mix through nginx; one web node and one worker SIGKILLed mid-run and restarted;
then a verdict. Run by hand (``make cluster``), never in CI; docs/scaling.md, docs/benchmarks.md.

    make cluster                                  # 30 users, 75 s, kills at 25 s
    .venv/bin/python -m bench.cluster --users 20 --seconds 60 --kill-at 20

What it checks at the end (each line PASS or FAIL; exit status 1 if any FAIL):

1. requests: every request Locust saw fail is one that was in flight on the killed web node
   when it died and that nginx could not pass on (a non-idempotent POST/PATCH that had been
   sent), counted from nginx's access log (upstream address and status per attempt, start
   and end time); and no other 5xx at all. Requests in flight that nginx retried on the other
   node (GET, PUT, DELETE) and requests refused while the node was down are counted apart.
2. SQL consistency (``bench/consistency.sql``): initial - sold = final stock for every product;
   every order has lines, stock movements and a status event.
3. order emails: every order paid during the run got exactly one confirmation email at the
   SMTP sink, and no other order did.
4. webhooks: every outbox event of the run reached the receiver at least once and was
   accepted exactly once by ``webhook-id``, every signature verified (``standardwebhooks``).
   Needs the Celery app (``ecommerce/celery.py``), the outbox (``events_outboxevent``) and the
   webhook endpoint API (``POST /api/webhooks/endpoints/``): when one is missing, the check
   says so and FAILs.

Ports (127.0.0.1): nginx 18500, web nodes 18501 and 18502, webhook receiver 18510, SMTP
sink 18511. ``DATABASE_URL`` (default ``postgres://postgres@127.0.0.1:5432/shop_h_cluster_load``,
created when missing), ``CACHE_URL`` (default Redis db 9) and ``CELERY_BROKER_URL`` (default
Redis db 8) are flushed at the start. Output: ``bench/.cluster/`` (logs, ``results.json``)
and ``docs/cluster.png`` (throughput, failures and p95 through nginx over time).

Only the standard library is imported at module level: ``--plot`` runs under the bench venv
(``bench/.venv-bench``, Locust and matplotlib) when the project's venv has no matplotlib.
"""

from __future__ import annotations

import argparse
import csv
import email
import email.header
import email.policy
import importlib.util
import json
import os
import re
import secrets
import shutil
import signal
import socketserver
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections import Counter
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / ".cluster"
PLOT = ROOT / "docs" / "cluster.png"
BENCH_VENV = ROOT / "bench" / ".venv-bench"
NGINX_PORT, WEB_PORTS, RECEIVER_PORT, SMTP_PORT = 18500, (18501, 18502), 18510, 18511
DATABASE_URL = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/shop_h_cluster_load")
CACHE_URL = os.environ.get("CACHE_URL", "redis://127.0.0.1:6379/9")
BROKER_URL = os.environ.get("CELERY_BROKER_URL", "redis://127.0.0.1:6379/8")
BIN = Path(sys.executable).parent
CONFIRMATION = re.compile(r"^Your order (\S+) is confirmed$")
TOLERANCE = 0.2  # seconds: the kill instant vs nginx's timestamps (and the workers dying after the master)

SERVER_ENV = {
    **os.environ,
    "DATABASE_URL": DATABASE_URL,
    "CACHE_URL": CACHE_URL,
    "CELERY_BROKER_URL": BROKER_URL,
    "DJANGO_SETTINGS_MODULE": "ecommerce.settings.production",
    # One key for every node and the driver: tokens minted by the driver are accepted by all.
    "SECRET_KEY": os.environ.get("SECRET_KEY", secrets.token_urlsafe(50)),
    "ALLOWED_HOSTS": "127.0.0.1,localhost",
    "SECURE_SSL_REDIRECT": "0",  # plain HTTP on the loopback; TLS would end at nginx
    "TRUSTED_PROXIES": "127.0.0.1/32",  # nginx's X-Forwarded-For names the client
    "EMAIL_URL": f"smtp://127.0.0.1:{SMTP_PORT}",
    "LOG_LEVEL": "WARNING",
    "JWT_ACCESS_MINUTES": "600",
    "PAYMENT_GATEWAY": "orders.payments.TestGateway",  # a benchmark takes no money
    "PAYMENT_TEST_GATEWAY_ALLOWED_UNSAFE": "1",
    "CHECKOUT_LIMIT_PER_IP": "100000000",
    "CHECKOUT_LIMIT_PER_USER": "100000000",
    # Background jobs at the pace of a short run: a dead worker's task comes back after 20 s,
    # undispatched outbox rows are swept after 15 s, retries are seconds apart.
    "WEBHOOK_ALLOW_PRIVATE_TARGETS": "1",
    "WEBHOOK_RETRY_SCHEDULE": "2,4,8,15,30",
    "CELERY_BROKER_VISIBILITY_TIMEOUT": "20",
    "OUTBOX_SWEEP_AFTER_SECONDS": "15",
    "EMAIL_RETRY_BASE_SECONDS": "2",
    "EMAIL_RETRY_MAX_SECONDS": "10",
}


# --- Outside parties: the webhook receiver and the SMTP sink (threads of this process) --------
@dataclass
class Receiver:
    """Records every delivery; verifies its signature with ``standardwebhooks``; accepts each
    ``webhook-id`` once (a duplicate is answered 200 and counted, as an idempotent integrator
    would); refuses a share of first deliveries with 503 so that retries happen."""

    fail_rate: float
    secret: str | None = None
    deliveries: int = 0
    refused: int = 0
    bad_signatures: int = 0
    accepted: Counter[str] = field(default_factory=Counter)  # webhook-id -> times accepted
    seen: Counter[str] = field(default_factory=Counter)  # webhook-id -> deliveries
    types: dict[str, str] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def handle(self, headers: dict[str, str], body: bytes) -> int:
        from standardwebhooks import Webhook
        from standardwebhooks.webhooks import WebhookVerificationError

        with self.lock:
            self.deliveries += 1
            if self.secret is None:
                return 503
            try:
                payload = Webhook(self.secret).verify(body, headers)
            except WebhookVerificationError:
                self.bad_signatures += 1
                return 401
            webhook_id = headers["webhook-id"]
            self.seen[webhook_id] += 1
            self.types[webhook_id] = payload.get("type", "?")
            if webhook_id in self.accepted:
                return 200  # already processed: acknowledge, do nothing
            if secrets.randbelow(10_000) < self.fail_rate * 10_000:
                self.refused += 1
                return 503
            self.accepted[webhook_id] += 1
            return 200


def start_receiver(receiver: Receiver) -> ThreadingHTTPServer:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 - http.server's name
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            status = receiver.handle({k.lower(): v for k, v in self.headers.items()}, body)
            self.send_response(status)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", RECEIVER_PORT), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


@dataclass
class MailSink:
    """Records the subject and time of every email handed to it over SMTP."""

    subjects: list[tuple[float, str]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


def start_smtp(sink: MailSink) -> socketserver.ThreadingTCPServer:
    class Handler(socketserver.StreamRequestHandler):
        def reply(self, line: str) -> None:
            self.wfile.write(line.encode() + b"\r\n")

        def handle(self) -> None:
            self.reply("220 sink ESMTP")
            while line := self.rfile.readline():
                verb = line.decode("latin-1").strip().split(" ", 1)[0].upper()
                if verb == "EHLO":
                    self.reply("250-sink")
                    self.reply("250 8BITMIME")
                elif verb == "DATA":
                    self.reply("354 end with .")
                    data = b""
                    while (chunk := self.rfile.readline()) not in (b".\r\n", b".\n", b""):
                        data += chunk[1:] if chunk.startswith(b"..") else chunk
                    message = email.message_from_bytes(data, policy=email.policy.default)
                    with sink.lock:
                        sink.subjects.append((time.time(), str(message["subject"])))
                    self.reply("250 queued")
                elif verb == "QUIT":
                    self.reply("221 bye")
                    return
                else:  # HELO, MAIL, RCPT, RSET, NOOP
                    self.reply("250 ok")

    socketserver.ThreadingTCPServer.allow_reuse_address = True
    server = socketserver.ThreadingTCPServer(("127.0.0.1", SMTP_PORT), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


# --- The processes of the cluster -----------------------------------------------------------
NGINX_CONF = """\
# generated by bench/cluster.py: the directives of deploy/nginx.conf, on this machine's ports
worker_processes 1;
pid {dir}/nginx.pid;
error_log {dir}/nginx-error.log warn;
{user}
events {{ worker_connections 1024; }}
http {{
    client_body_temp_path {dir}/tmp/body;
    proxy_temp_path {dir}/tmp/proxy;
    fastcgi_temp_path {dir}/tmp/fastcgi;
    uwsgi_temp_path {dir}/tmp/uwsgi;
    scgi_temp_path {dir}/tmp/scgi;
    log_format cluster '$msec\\t$request_time\\t$request_method\\t$request_uri\\t$status\\t'
                       '$upstream_addr\\t$upstream_status\\t$http_idempotency_key';
    access_log {dir}/nginx-access.log cluster;

    upstream shop_web {{
        server 127.0.0.1:{web1} max_fails=1 fail_timeout=10s;
        server 127.0.0.1:{web2} max_fails=1 fail_timeout=10s;
    }}
    server {{
        listen 127.0.0.1:{port};
        server_tokens off;
        client_max_body_size 2m;
        client_header_timeout 10s;
        client_body_timeout 10s;
        send_timeout 30s;
        proxy_request_buffering on;
        proxy_buffering on;
        proxy_buffers 16 16k;
        proxy_buffer_size 16k;
        location / {{
            proxy_pass http://shop_web;
            proxy_http_version 1.1;
            proxy_set_header Host $host;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            proxy_set_header X-Forwarded-Proto $scheme;
            proxy_connect_timeout 2s;
            proxy_read_timeout 35s;
            proxy_send_timeout 10s;
            proxy_next_upstream error timeout http_502 http_503;
            proxy_next_upstream_tries 2;
            proxy_next_upstream_timeout 10s;
        }}
    }}
}}
"""


def nginx_binary() -> str:
    found = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)
    if found is None:
        raise SystemExit("nginx is not installed: apt-get install -y nginx (make cluster does it)")
    return found


class Cluster:
    """Starts, kills and stops the processes; every one in a session of its own (killpg)."""

    def __init__(self, web_workers: int, events: list[tuple[float, str]]) -> None:
        self.web_workers = web_workers
        self.events = events
        self.processes: dict[str, subprocess.Popen] = {}
        self.celery = importlib.util.find_spec("ecommerce.celery") is not None

    def _spawn(self, name: str, argv: list[str]) -> None:
        log = (OUT / f"{name}.log").open("ab")
        self.processes[name] = subprocess.Popen(  # noqa: S603 - our own binaries
            argv, cwd=ROOT, env=SERVER_ENV, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )

    def start_web(self, index: int) -> None:
        port = WEB_PORTS[index]
        self._spawn(
            f"web{index + 1}",
            [str(BIN / "gunicorn"), "ecommerce.wsgi", "-c", "gunicorn.conf.py", "--bind", f"127.0.0.1:{port}",
             "--workers", str(self.web_workers), "--log-level", "warning"],
        )  # fmt: skip
        wait_healthy(f"http://127.0.0.1:{port}/api/health/")

    def start_worker(self, index: int) -> None:
        self._spawn(
            f"worker{index + 1}",
            [str(BIN / "celery"), "-A", "ecommerce", "worker", "-n", f"w{index + 1}@cluster",
             "--concurrency", "1", "--loglevel", "INFO", "--without-gossip", "--without-mingle"],
        )  # fmt: skip

    def start(self) -> None:
        for index in range(2):
            self.start_web(index)
        tmp = OUT / "tmp"
        for sub in ("body", "proxy", "fastcgi", "uwsgi", "scgi"):
            (tmp / sub).mkdir(parents=True, exist_ok=True)
        # As root, nginx's worker runs as nobody: it must be able to write its temp files.
        user = "user nobody nogroup;" if os.geteuid() == 0 else ""
        if user:
            for path in [tmp, *tmp.iterdir()]:
                path.chmod(0o777)
        conf = OUT / "nginx.conf"
        conf.write_text(
            NGINX_CONF.format(dir=OUT, user=user, web1=WEB_PORTS[0], web2=WEB_PORTS[1], port=NGINX_PORT)
        )
        self._spawn("nginx", [nginx_binary(), "-c", str(conf), "-p", str(OUT), "-g", "daemon off;"])
        wait_healthy(f"http://127.0.0.1:{NGINX_PORT}/api/health/")
        if self.celery:
            for index in range(2):
                self.start_worker(index)
            self._spawn(
                "beat",
                [str(BIN / "celery"), "-A", "ecommerce", "beat", "--loglevel", "INFO",
                 "--schedule", str(OUT / "celerybeat-schedule")],
            )  # fmt: skip

    def kill(self, name: str) -> float:
        """SIGKILL the process and all its children (gunicorn's or Celery's workers); the time."""
        at = time.time()
        os.killpg(self.processes[name].pid, signal.SIGKILL)
        self.processes[name].wait()
        self.events.append((at, f"SIGKILL {name}"))
        print(f"  {time.strftime('%H:%M:%S')} SIGKILL {name}", flush=True)
        return at

    def restart(self, name: str) -> None:
        index = int(name[-1]) - 1
        (self.start_web if name.startswith("web") else self.start_worker)(index)
        self.events.append((time.time(), f"restarted {name}"))
        print(f"  {time.strftime('%H:%M:%S')} restarted {name}", flush=True)

    def stop(self) -> None:
        for name, process in self.processes.items():
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGQUIT if name == "nginx" else signal.SIGTERM)
        for name, process in self.processes.items():
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                print(f"  {name} did not stop in 30 s: SIGKILL", flush=True)
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()


def wait_healthy(url: str, seconds: float = 60) -> None:
    deadline = time.time() + seconds
    while time.time() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 - our own loopback URL
                if response.status == 200:
                    return
        except (OSError, urllib.error.HTTPError):
            time.sleep(0.3)
    raise SystemExit(f"not healthy after {seconds:.0f} s: {url}")


# --- Preparation ----------------------------------------------------------------------------
def flush_redis() -> None:
    for url in (CACHE_URL, BROKER_URL):
        subprocess.run(["redis-cli", "-u", url, "flushdb"], check=True, capture_output=True)  # noqa: S607


def create_database() -> None:
    base, _, name = DATABASE_URL.rpartition("/")
    exists = subprocess.run(  # noqa: S603
        ["psql", f"{base}/postgres", "-qtA", "-v", f"name={name}"],  # noqa: S607
        input="SELECT 1 FROM pg_database WHERE datname = :'name'",
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    if not exists:
        subprocess.run(  # noqa: S603
            ["psql", f"{base}/postgres", "-q", "-v", f"name={name}"],  # noqa: S607
            input='CREATE DATABASE :"name"',
            text=True,
            check=True,
        )


def admin_token() -> str:
    """A JWT of the demo admin (seed_demo), minted with the cluster's key (Django set up by prepare)."""
    from rest_framework_simplejwt.tokens import RefreshToken

    from accounts.models import User

    admin = User.objects.filter(is_superuser=True).order_by("id").first()
    if admin is None:
        raise SystemExit("no admin user: seed_demo did not run")
    return str(RefreshToken.for_user(admin).access_token)


def register_endpoint(token: str, receiver: Receiver) -> str | None:
    """Create the webhook endpoint through the API (via nginx); None when it works, else why not.
    A previous run's endpoint for the same receiver (the database is reused) is deleted first: it
    would deliver this run's events too, signed with its own secret."""
    url = f"http://127.0.0.1:{RECEIVER_PORT}/hooks"
    try:
        from webhooks.models import Endpoint
    except ImportError:  # without the webhooks app the POST below says so
        pass
    else:
        Endpoint.objects.filter(url=url).delete()
    body = json.dumps(
        {"url": url, "events": ["*"], "is_active": True,
         "description": "bench/cluster.py receiver"}
    ).encode()  # fmt: skip
    request = urllib.request.Request(  # noqa: S310 - our own loopback URL
        f"http://127.0.0.1:{NGINX_PORT}/api/webhooks/endpoints/",
        data=body,
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
            receiver.secret = json.loads(response.read())["secret"]
            return None
    except urllib.error.HTTPError as error:
        return f"POST /api/webhooks/endpoints/ answered {error.code} (is branch h/webhooks merged?)"


def db_now() -> Any:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT now()")
        return cursor.fetchone()[0]


# --- The load -------------------------------------------------------------------------------
def locust_binary() -> str:
    for candidate in (BIN / "locust", BENCH_VENV / "bin" / "locust"):
        if candidate.exists():
            return str(candidate)
    raise SystemExit("Locust is not installed: make cluster installs it into bench/.venv-bench")


def start_locust(users: int, seconds: int) -> subprocess.Popen:
    return subprocess.Popen(  # noqa: S603
        [locust_binary(), "-f", str(ROOT / "bench" / "locustfile.py"), "--headless",
         "--users", str(users), "--spawn-rate", str(max(1, users // 5)), "--run-time", f"{seconds}s",
         "--host", f"http://127.0.0.1:{NGINX_PORT}", "--csv", str(OUT / "locust"), "--only-summary",
         "--json-file", str(OUT / "locust-final"), "--stop-timeout", "15",
         "--loglevel", "WARNING"],
        cwd=ROOT,
        env={**os.environ, "LOAD_FIXTURE": str(OUT / "fixture.json")},
        stdout=(OUT / "locust.log").open("wb"),
        stderr=subprocess.STDOUT,
    )  # fmt: skip


def locust_totals() -> dict[str, Any]:
    """Locust's final numbers (``--json-file``: its CSV files are written on a timer, so the
    last seconds may be missing from them)."""
    entries = json.loads((OUT / "locust-final.json").read_text())
    times: Counter[int] = Counter()
    for entry in entries:
        times.update({int(ms): n for ms, n in entry["response_times"].items()})
    requests = sum(e["num_requests"] for e in entries)
    seconds = max(e["last_request_timestamp"] or 0 for e in entries) - min(e["start_time"] for e in entries)

    def percentile(share: float) -> float:
        seen = 0
        for ms in sorted(times):
            seen += times[ms]
            if seen >= share * requests:
                return float(ms)
        return 0.0

    failures = list(csv.DictReader((OUT / "locust_failures.csv").open()))
    return {
        "requests": requests,
        "failures": sum(e["num_failures"] for e in entries),
        "rps": requests / seconds if seconds > 0 else 0.0,
        "p50": percentile(0.5),
        "p95": percentile(0.95),
        "by_name": {f"{e['method']} {e['name']}": [e["num_requests"], e["num_failures"]] for e in entries},
        "failure_kinds": [
            {k: row[k] for k in ("Method", "Name", "Error", "Occurrences")} for row in failures
        ],
    }


# --- The checks -----------------------------------------------------------------------------
def requests_check(since: float, killed_node: str, kill_at: float, locust: dict[str, Any]) -> dict[str, Any]:
    """Classify nginx's access log lines of the run (see the module docstring, check 1)."""
    in_flight_retried, in_flight_lost, refused_retried, other_5xx = [], [], [], []
    lines = aborted = 0
    for raw in (OUT / "nginx-access.log").read_text().splitlines():
        msec, took, method, uri, status, addrs, statuses, key = raw.split("\t")
        end = float(msec)
        start = end - float(took)
        if start < since:
            continue
        lines += 1
        if status == "499":  # the client hung up (none expected: Locust lets a stopping user finish)
            aborted += 1
            continue
        attempts = list(zip(addrs.split(", "), statuses.split(", "), strict=False))
        on_killed = [s for a, s in attempts if a == killed_node and s in ("502", "504", "-")]
        entry = {"method": method, "uri": uri, "status": int(status), "start": start, "end": end,
                 "attempts": attempts, "idempotency_key": key if key != "-" else None}  # fmt: skip
        if on_killed and start <= kill_at + TOLERANCE and end >= kill_at - TOLERANCE:
            (in_flight_lost if int(status) >= 500 else in_flight_retried).append(entry)
        elif on_killed and int(status) < 500:
            refused_retried.append(entry)
        elif int(status) >= 500:
            other_5xx.append(entry)
    explained = len(in_flight_lost)
    ok = locust["failures"] == explained and not other_5xx
    return {
        "ok": ok,
        "nginx_lines": lines,
        "locust_requests": locust["requests"],
        "locust_failures": locust["failures"],
        "in_flight_on_killed_node": len(in_flight_lost) + len(in_flight_retried),
        "in_flight_retried_on_other_node": len(in_flight_retried),
        "in_flight_lost": len(in_flight_lost),
        "lost_by_method": dict(Counter(e["method"] for e in in_flight_lost)),
        "refused_while_down_retried": len(refused_retried),
        "aborted_by_the_client": aborted,
        "other_5xx": other_5xx[:20],
        "other_5xx_count": len(other_5xx),
        "lost": in_flight_lost,
    }


def lost_checkouts(lost: list[dict[str, Any]]) -> dict[str, int]:
    """Of the checkouts lost in flight, how many the killed node had committed (its
    Idempotency-Key row exists): a client retry with the same key gets that order."""
    from orders.models import IdempotencyKey

    keys = [e["idempotency_key"] for e in lost if e["uri"].startswith("/api/orders") and e["idempotency_key"]]
    committed = IdempotencyKey.objects.filter(key__in=keys, order__isnull=False).count()
    return {"lost": len(keys), "committed_before_the_kill": committed, "not_committed": len(keys) - committed}


def sql_check() -> dict[str, Any]:
    out = subprocess.run(  # noqa: S603
        ["psql", DATABASE_URL, "-At", "-F", "\t", "-f", str(ROOT / "bench" / "consistency.sql")],  # noqa: S607
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    rows = [tuple(line.split("\t")) if "\t" in line else (line, "") for line in out.splitlines() if line]
    broken = [name for name, value in rows if value and value != "0"]
    return {"ok": not broken, "rows": rows, "broken": broken}


def email_check(sink: MailSink, since: float, run_start: Any) -> dict[str, Any]:
    from orders.models import Order

    paid = set(
        Order.objects.filter(
            created_at__gte=run_start, status__in=["paid", "shipped", "delivered"]
        ).values_list("public_id", flat=True)
    )
    with sink.lock:
        confirmations = Counter(
            match.group(1)
            for at, subject in sink.subjects
            if at >= since and (match := CONFIRMATION.match(subject))
        )
    missing = sorted(paid - set(confirmations))
    twice = sorted(order for order, n in confirmations.items() if n > 1)
    unexpected = sorted(set(confirmations) - paid)
    return {
        "ok": bool(paid) and not missing and not twice and not unexpected,
        "paid_orders": len(paid),
        "confirmations": sum(confirmations.values()),
        "missing": missing[:20],
        "missing_count": len(missing),
        "sent_more_than_once": twice[:20],
        "unexpected": unexpected[:20],
    }


def webhook_check(receiver: Receiver, run_start: Any, problems: list[str]) -> dict[str, Any]:
    from django.db import connection

    if "events_outboxevent" not in connection.introspection.table_names():
        problems.append("no outbox table events_outboxevent (is branch h/outbox merged?)")
    if problems:
        return {"ok": False, "unavailable": problems}
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT id, type, dispatched_at IS NOT NULL, dead_at IS NOT NULL FROM events_outboxevent"
            " WHERE occurred_at >= %s",
            [run_start],
        )
        events = cursor.fetchall()
    with receiver.lock:
        accepted, seen = Counter(receiver.accepted), Counter(receiver.seen)
        stats = {"deliveries": receiver.deliveries, "refused_on_purpose": receiver.refused,
                 "bad_signatures": receiver.bad_signatures}  # fmt: skip
    ids = {row[0] for row in events}
    never = sorted(i for i in ids if seen[i] == 0)
    not_once = sorted(i for i in ids if accepted[i] != 1)
    return {
        "ok": bool(events) and not never and not not_once and not stats["bad_signatures"],
        "events": len(events),
        "by_type": dict(Counter(row[1] for row in events)),
        "undispatched": sum(1 for row in events if not row[2]),
        "dead": sum(1 for row in events if row[3]),
        "never_delivered": never[:20],
        "never_delivered_count": len(never),
        "not_accepted_exactly_once": not_once[:20],
        "duplicates_received": sum(n - 1 for n in seen.values() if n > 1),
        **stats,
    }


# --- The plot -------------------------------------------------------------------------------
def plot(results_path: Path, out: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    results = json.loads(results_path.read_text())
    rows = list(csv.DictReader(Path(results["history"]).open()))
    rows = [r for r in rows if r["Name"] == "Aggregated"]
    t0 = float(results["load_started"])
    times = [float(r["Timestamp"]) - t0 for r in rows]
    fig, left = plt.subplots(figsize=(8, 4), dpi=120)
    left.plot(times, [float(r["Requests/s"]) for r in rows], color="tab:blue", label="requests/s")
    left.plot(times, [float(r["Failures/s"]) for r in rows], color="tab:orange", label="failures/s")
    left.set_xlabel("seconds since the load started")
    left.set_ylabel("requests / s")
    left.set_ylim(bottom=0)
    right = left.twinx()
    p95 = [float(r["95%"]) if r["95%"] not in ("N/A", "") else float("nan") for r in rows]
    right.plot(times, p95, "--", color="tab:red", label="p95 latency (ms, last 10 s)")
    right.set_ylabel("p95 latency (ms)", color="tab:red")
    right.set_ylim(bottom=0)
    for at, what in results["events"]:
        left.axvline(at - t0, color="grey", linestyle=":")
        left.annotate(what, (at - t0, 0), rotation=90, fontsize=7, va="bottom", ha="right", color="grey")
    lines = left.get_legend_handles_labels()[0] + right.get_legend_handles_labels()[0]
    labels = left.get_legend_handles_labels()[1] + right.get_legend_handles_labels()[1]
    left.legend(lines, labels, loc="lower right", fontsize=7, framealpha=0.9)
    killed = " and ".join(what.split()[1] for _, what in results["events"] if what.startswith("SIGKILL"))
    left.set_title(
        f"Through nginx: 2 web nodes, {results['users']} users, {killed or 'nothing'} SIGKILLed (2 vCPU)",
        fontsize=9,
    )
    fig.tight_layout()
    fig.savefig(out)


def draw_plot(results_path: Path) -> str:
    if importlib.util.find_spec("matplotlib") is not None:
        plot(results_path, PLOT)
    elif (BENCH_VENV / "bin" / "python").exists():
        subprocess.run(  # noqa: S603
            [str(BENCH_VENV / "bin" / "python"), str(Path(__file__)), "--plot", str(results_path)], check=True
        )
    else:
        return "no matplotlib (make cluster installs it into bench/.venv-bench): no plot"
    return f"plot: {PLOT.relative_to(ROOT)}"


# --- Main -----------------------------------------------------------------------------------
def verdict_line(name: str, ok: bool, detail: str) -> str:
    return f"  {'PASS' if ok else 'FAIL'}  {name}: {detail}"


def main() -> None:  # noqa: PLR0915 - one script, one sequence of steps
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--users", type=int, default=30)
    parser.add_argument("--seconds", type=int, default=75, help="how long Locust runs")
    parser.add_argument("--kill-at", type=float, default=25, help="seconds into the load: SIGKILL web1")
    parser.add_argument("--worker-kill-delay", type=float, default=5, help="then worker1, this much later")
    parser.add_argument("--down-for", type=float, default=8, help="seconds each stays dead")
    parser.add_argument("--drain", type=int, default=90, help="max seconds to wait for emails and webhooks")
    parser.add_argument("--web-workers", type=int, default=2, help="gunicorn sync workers per node")
    parser.add_argument("--products", type=int, default=20_000)
    parser.add_argument("--receiver-fail-rate", type=float, default=0.05, help="first deliveries refused")
    parser.add_argument("--plot", type=Path, help=argparse.SUPPRESS)  # plot a results.json only
    args = parser.parse_args()
    if args.plot:
        plot(args.plot, PLOT)
        return

    OUT.mkdir(parents=True, exist_ok=True)
    for old in OUT.glob("*.log"):
        old.unlink()
    sys.path.insert(0, str(ROOT))
    from bench import load_mix

    receiver, sink = Receiver(args.receiver_fail_rate), MailSink()
    servers = [start_receiver(receiver), start_smtp(sink)]
    create_database()
    flush_redis()
    stats = load_mix.prepare(args.products, env=SERVER_ENV, out=OUT)
    print(f"prepared: {stats}", flush=True)
    token = admin_token()
    events: list[tuple[float, str]] = []
    cluster = Cluster(args.web_workers, events)
    problems: list[str] = []
    if not cluster.celery:
        problems.append("no Celery app: ecommerce/celery.py is missing (is branch h/outbox merged?)")
    try:
        cluster.start()
        print(f"cluster up: nginx :{NGINX_PORT}, web :{WEB_PORTS[0]} :{WEB_PORTS[1]}, "
              f"{'2 workers + beat' if cluster.celery else 'no workers (no Celery app)'}", flush=True)  # fmt: skip
        if (why := register_endpoint(token, receiver)) is not None:
            problems.append(why)
        run_start = db_now()
        load_started = time.time()
        locust = start_locust(args.users, args.seconds)
        events.append((load_started, "load starts"))
        time.sleep(args.kill_at)
        web_killed_at = cluster.kill("web1")
        if cluster.celery:
            time.sleep(args.worker_kill_delay)
            cluster.kill("worker1")
        time.sleep(max(0.0, args.down_for - (args.worker_kill_delay if cluster.celery else 0)))
        cluster.restart("web1")
        if cluster.celery:
            time.sleep(max(0.0, web_killed_at + args.worker_kill_delay + args.down_for - time.time()))
            cluster.restart("worker1")
        locust.wait(timeout=args.seconds + 60)
        load_ended = time.time()
        print(f"load done ({load_ended - load_started:.0f} s); waiting up to {args.drain} s for emails and webhooks",
              flush=True)  # fmt: skip
        deadline = time.time() + args.drain
        while time.time() < deadline:
            mails = email_check(sink, load_started, run_start)
            hooks = webhook_check(receiver, run_start, list(problems))
            if mails["ok"] and (hooks["ok"] or "unavailable" in hooks):
                break
            time.sleep(3)
    finally:
        cluster.stop()
        for server in servers:
            server.shutdown()
    totals = locust_totals()
    requests = requests_check(load_started, f"127.0.0.1:{WEB_PORTS[0]}", web_killed_at, totals)
    checkouts = lost_checkouts(requests["lost"])
    sql = sql_check()
    mails = email_check(sink, load_started, run_start)
    hooks = webhook_check(receiver, run_start, list(problems))
    results = {
        "users": args.users, "seconds": args.seconds, "prepared": stats, "load_started": load_started,
        "events": events, "history": str(OUT / "locust_stats_history.csv"), "locust": totals,
        "requests": {k: v for k, v in requests.items() if k != "lost"}, "lost_checkouts": checkouts,
        "sql": sql, "emails": mails, "webhooks": hooks,
    }  # fmt: skip
    results_path = OUT / "results.json"
    results_path.write_text(json.dumps(results, indent=2, default=str))
    print(draw_plot(results_path))

    print("\nVERDICT")
    print(f"  load: {totals['requests']} requests through nginx, {totals['rps']:.1f} req/s, "
          f"p50 {totals['p50']:.0f} ms, p95 {totals['p95']:.0f} ms, {totals['failures']} failed")  # fmt: skip
    lines = [
        verdict_line(
            "requests",
            requests["ok"],
            f"{requests['locust_failures']} failed at the client = {requests['in_flight_lost']} in flight on the "
            f"killed node and not retryable ({requests['lost_by_method']}); "
            f"{requests['in_flight_retried_on_other_node']} more in flight were retried on web2, "
            f"{requests['refused_while_down_retried']} refused while it was down were retried; "
            f"other 5xx: {requests['other_5xx_count']}; of the lost checkouts "
            f"{checkouts['committed_before_the_kill']}/{checkouts['lost']} had committed (a retry with the same "
            f"Idempotency-Key returns the order)",
        ),
        verdict_line(
            "SQL consistency",
            sql["ok"],
            "every check 0" if sql["ok"] else f"broken: {sql['broken']}",
        ),
        verdict_line(
            "order confirmation emails",
            mails["ok"],
            f"{mails['paid_orders']} orders paid, {mails['confirmations']} confirmations; missing "
            f"{mails['missing_count']}, sent more than once {len(mails['sent_more_than_once'])}, "
            f"unexpected {len(mails['unexpected'])}",
        ),
        verdict_line(
            "webhooks",
            hooks["ok"],
            "; ".join(hooks["unavailable"])
            if "unavailable" in hooks
            else (
                f"{hooks['events']} outbox events {hooks['by_type']}; never delivered "
                f"{hooks['never_delivered_count']}, not accepted exactly once "
                f"{len(hooks['not_accepted_exactly_once'])}; {hooks['deliveries']} deliveries, "
                f"{hooks['duplicates_received']} duplicates, {hooks['refused_on_purpose']} refused on purpose, "
                f"{hooks['bad_signatures']} bad signatures"
            ),
        ),
    ]
    for line in lines:
        print(line)
    for name, value in sql["rows"]:
        print(f"    {name}: {value}" if value else f"    {name}")
    print(f"results: {results_path.relative_to(ROOT)}")
    if not all((requests["ok"], sql["ok"], mails["ok"], hooks["ok"])):
        raise SystemExit(1)


if __name__ == "__main__":
    main()
