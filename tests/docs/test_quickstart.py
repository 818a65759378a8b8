"""The quick starts run: every ```bash block marked ``<!-- run -->`` in docs/quickstart.md (and in
the README) is executed, in order, with ``bash -euo pipefail`` against a real gunicorn serving a
migrated, ``seed_demo``-seeded database, so the documented calls can never rot.

The server gets a database of its own, not the suite's test database: ``<name>_quickstart`` on
the PostgreSQL or MariaDB server ``DATABASE_URL`` points at (created and dropped here), else a
temporary SQLite file. It runs one worker with a local-memory cache (like ``make run`` on a
fresh machine, but without sharing a Redis database, and so cache entries, with the suite).
The blocks run twice against the same server, so they also work when pasted again.

``QUICKSTART_PORT`` picks the port (default: a free one). Needs ``curl`` and ``jq``
(``.ci/run`` installs jq); without them the test is skipped.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
QUICKSTART = ROOT / "docs" / "quickstart.md"
README = ROOT / "README.md"
CONVENTIONS = ROOT / "docs" / "api-conventions.md"  # each convention's example call
FENCE = re.compile(r"^```(\w*)\s*$")
MARKER = re.compile(r"^<!--\s*(run|skip:[^>]*?)\s*-->$")


@dataclass(frozen=True)
class Block:
    source: str  # file name
    line: int  # line of the opening fence
    language: str
    marker: str | None  # "run", "skip: why", or None
    code: str


def code_blocks(path: Path) -> list[Block]:
    """Every fenced code block of a Markdown file, with the marker comment on the line before."""
    lines = path.read_text(encoding="utf-8").splitlines()
    blocks, index = [], 0
    while index < len(lines):
        opening = FENCE.match(lines[index])
        if not opening:
            index += 1
            continue
        previous = next((line.strip() for line in reversed(lines[:index]) if line.strip()), "")
        marker = MARKER.match(previous)
        end = next(i for i in range(index + 1, len(lines)) if lines[i].startswith("```"))
        blocks.append(
            Block(
                source=path.name,
                line=index + 1,
                language=opening.group(1),
                marker=marker.group(1) if marker else None,
                code="\n".join(lines[index + 1 : end]),
            )
        )
        index = end + 1
    return blocks


def runnable(path: Path) -> list[Block]:
    return [block for block in code_blocks(path) if block.language == "bash" and block.marker == "run"]


def script_for(blocks: list[Block]) -> str:
    """One script: each block between two markers on stderr, so a failure names its block."""
    parts = []
    for number, block in enumerate(blocks):
        where = f"{block.source}:{block.line}"
        parts.append(
            f"echo '>>> block {number} ({where})' >&2\n{block.code}\necho '<<< block {number} ok' >&2\n"
        )
    return "\n".join(parts)


# --- the documents themselves ----------------------------------------------------------------


def test_every_bash_block_of_the_quickstart_is_marked():
    """A bash block is either run by CI or says why not: none is left untested by accident."""
    unmarked = [
        f"line {b.line}" for b in code_blocks(QUICKSTART) if b.language == "bash" and b.marker is None
    ]
    assert unmarked == [], "bash blocks without <!-- run --> or <!-- skip: why -->"
    assert len(runnable(QUICKSTART)) >= 12


def test_the_three_walkthroughs_cover_their_calls():
    code = "\n".join(block.code for block in runnable(QUICKSTART))
    for call in (
        "/api/auth/login/",
        "/api/auth/register/",
        "/api/products/",
        "/api/cart/items/",
        "/api/orders/",
        "tok_ok",
        "/api/schema/",
        "/api/docs/",
        "/api/redoc/",
        "/api/inventory/products",
        "/api/orders/process",
        "/api/inventory/discontinue",
    ):
        assert call in code, call
    assert "curl -fsS" in code and "jq" in code


@pytest.mark.parametrize(
    "path", [QUICKSTART, README, CONVENTIONS], ids=["quickstart", "readme", "api-conventions"]
)
def test_no_placeholder_ids_in_shell_examples(path):
    """Ids are captured from earlier responses, never written as ``prod_…`` to be edited by hand."""
    for block in code_blocks(path):
        if block.language in ("bash", "sh", "shell"):
            assert not re.search(r"\b(prod|ord|usr|cat)_…", block.code), f"{path.name}:{block.line}"


def test_readme_runs_the_inventory_examples():
    code = "\n".join(block.code for block in runnable(README))
    assert "/api/inventory/products" in code and "/api/orders/process" in code
    assert "docs/quickstart.md" in README.read_text(encoding="utf-8")


# --- the live run ----------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class ServerDatabase:
    """A database for the server alone: ``<name>_quickstart`` on the configured server, or a
    temporary SQLite file."""

    def __init__(self, url: str, tmp: Path) -> None:
        parsed = urllib.parse.urlsplit(url)
        self.scheme = parsed.scheme
        if self.scheme.startswith(("postgres", "mysql")):
            self.name = parsed.path.lstrip("/") + "_quickstart"
            self.url = urllib.parse.urlunsplit(parsed._replace(path="/" + self.name))
            self.parsed = parsed
        else:
            self.scheme = "sqlite"
            self.url = f"sqlite:///{tmp / 'quickstart.sqlite3'}"

    def _server_statements(self, *statements: str) -> None:
        if self.scheme.startswith("postgres"):
            import psycopg

            with psycopg.connect(
                host=self.parsed.hostname or "localhost",
                port=self.parsed.port or 5432,
                user=urllib.parse.unquote(self.parsed.username or "postgres"),
                password=urllib.parse.unquote(self.parsed.password or "") or None,
                dbname="postgres",
                autocommit=True,
            ) as connection:
                for statement in statements:
                    connection.execute(statement)
        elif self.scheme.startswith("mysql"):
            import MySQLdb

            kwargs = {"user": urllib.parse.unquote(self.parsed.username or "root")}
            if self.parsed.password:
                kwargs["password"] = urllib.parse.unquote(self.parsed.password)
            if self.parsed.hostname and self.parsed.hostname != "localhost":
                kwargs.update(host=self.parsed.hostname, port=self.parsed.port or 3306)
            connection = MySQLdb.connect(**kwargs)
            try:
                for statement in statements:
                    connection.cursor().execute(statement)
            finally:
                connection.close()

    def create(self) -> None:
        if self.scheme.startswith("postgres"):
            self._server_statements(
                f'DROP DATABASE IF EXISTS "{self.name}"', f'CREATE DATABASE "{self.name}"'
            )
        elif self.scheme.startswith("mysql"):
            self._server_statements(
                f"DROP DATABASE IF EXISTS `{self.name}`",
                f"CREATE DATABASE `{self.name}` CHARACTER SET utf8mb4",
            )

    def drop(self) -> None:
        if self.scheme.startswith("postgres"):
            self._server_statements(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')
        elif self.scheme.startswith("mysql"):
            self._server_statements(f"DROP DATABASE IF EXISTS `{self.name}`")


def _manage(env: dict[str, str], *args: str) -> None:
    result = subprocess.run(  # noqa: S603 - fixed arguments
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=600
    )
    assert result.returncode == 0, f"manage.py {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}"


@pytest.fixture(scope="module")
def quickstart_server(tmp_path_factory) -> Iterator[str]:
    """gunicorn on a migrated, seeded database of its own; yields its base URL."""
    for tool in ("curl", "jq", "bash"):
        if shutil.which(tool) is None:
            pytest.skip(f"{tool} is not installed (apt-get install {tool})")
    tmp = tmp_path_factory.mktemp("quickstart")
    database = ServerDatabase(os.environ.get("DATABASE_URL", ""), tmp)
    database.create()
    env = {
        **os.environ,
        "DATABASE_URL": database.url,
        "CACHE_URL": "locmemcache://",
        "DJANGO_SETTINGS_MODULE": "ecommerce.settings.test",
        "INVENTORY_ACCESS_MODE": "trusted",
        "LOG_LEVEL": "WARNING",
    }
    port = int(os.environ.get("QUICKSTART_PORT") or _free_port())
    url = f"http://127.0.0.1:{port}"
    log = (tmp / "gunicorn.log").open("w")
    process = None
    try:
        _manage(env, "migrate", "--noinput", "--verbosity", "0")
        _manage(env, "seed_demo", "--products", "50", "--no-orders")
        process = subprocess.Popen(  # noqa: S603 - fixed arguments
            [sys.executable, "-m", "gunicorn", "ecommerce.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", "1"],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip
        for _ in range(300):
            assert process.poll() is None, (tmp / "gunicorn.log").read_text()
            try:
                with urllib.request.urlopen(f"{url}/api/health/", timeout=1):  # noqa: S310 - our server
                    break
            except (OSError, urllib.error.URLError):
                time.sleep(0.1)
        else:
            pytest.fail("gunicorn did not answer /api/health/ within 30 s")
        yield url
    finally:
        if process is not None:
            process.terminate()
            process.wait(10)
        log.close()
        database.drop()


def _run(blocks: list[Block], base_url: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {"PATH": os.environ["PATH"], "HOME": str(cwd), "LANG": "C.UTF-8", "BASE_URL": base_url}
    return subprocess.run(  # noqa: S603 - fixed arguments
        ["bash", "-euo", "pipefail", "-c", script_for(blocks)],  # noqa: S607 - bash from PATH
        cwd=cwd, env=env, capture_output=True, text=True, timeout=300,
    )  # fmt: skip


@pytest.mark.parametrize(
    "path", [QUICKSTART, README, CONVENTIONS], ids=["quickstart", "readme", "api-conventions"]
)
def test_marked_blocks_run_against_a_live_server(quickstart_server, tmp_path, path):
    blocks = runnable(path)
    assert blocks, f"no <!-- run --> bash block in {path.name}"
    for attempt in ("first run", "pasted again"):
        result = _run(blocks, quickstart_server, tmp_path)
        report = f"{path.name}, {attempt}:\n--- stdout\n{result.stdout}\n--- stderr\n{result.stderr}"
        assert result.returncode == 0, report
        finished = re.findall(r"^<<< block (\d+) ok$", result.stderr, flags=re.MULTILINE)
        assert finished == [str(n) for n in range(len(blocks))], report
    # The walk-through did what it says: an order was placed with the test gateway, and so on.
    if path == QUICKSTART:
        assert '"status": "paid"' in result.stdout
        assert '"status": "processed"' in result.stdout
        assert "44.97" in result.stdout
        assert "discontinue: 204" in result.stdout
        assert '"code": "INSUFFICIENT_STOCK"' in result.stdout
    if path == CONVENTIONS:
        assert "conditional GET: 304" in result.stdout
        assert re.search(r"^HTTP/1.1 201.*\n[Ll]ocation: http\S+/api/orders/ord_\w+/$", result.stdout, re.M)
        assert re.search(r"^HTTP/1.1 200.*\n[Ii]dempotent-[Rr]eplayed: true$", result.stdout, re.M)
        assert re.search(r"^ratelimit-remaining: \d+$", result.stdout, re.M | re.I)
        assert '"page_size": 100' in result.stdout and '"code": "INVALID_REQUEST"' in result.stdout
