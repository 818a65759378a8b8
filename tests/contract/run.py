"""``make contract``: a client generated from the served schema works with no hand-written call.

1. A throwaway SQLite database is migrated, a superuser created (``createsuperuser --noinput``
   with ``DJANGO_SUPERUSER_EMAIL``/``_PASSWORD``), and gunicorn serves it on 127.0.0.1 with
   emails written to files (``EMAIL_URL=filemail:///<tmp>/mail``) and the inventory API in
   trusted mode.
2. The schema is downloaded from the live server (``/api/schema/?format=json``) and a client is
   generated from it with openapi-python-client (``--fail-on-warning``: a generator warning, such as
   an operation it cannot represent, fails the build) into the temporary folder, then installed
   there (``pip install --no-deps --target``: pip fetches the build backend, setuptools; the
   client's own dependencies, httpx, attrs and python-dateutil, come with the dev requirements).
3. ``tests/contract/journey.py`` is type-checked with mypy (``--strict``) against the generated
   package, then run against the server.

Everything lives in a temporary folder, removed at the end (``CONTRACT_KEEP=1`` keeps it and
prints where). ``CONTRACT_PORT`` picks the port (default: a free one).
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
BIN = Path(sys.executable).parent
ADMIN_EMAIL = "contract-admin@example.com"
ADMIN_PASSWORD = "contract-admin-password-1843"  # noqa: S105 - a throwaway superuser of a temporary db


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def run(*args: str | Path, env: dict[str, str] | None = None, cwd: Path = ROOT) -> str:
    """Run a command; its output is printed, and a failure stops the contract test."""
    print("$", " ".join(str(arg) for arg in args), flush=True)
    command = [str(arg) for arg in args]
    result = subprocess.run(command, env=env, cwd=cwd, capture_output=True, text=True)  # noqa: S603 - our own tools
    output = result.stdout + result.stderr
    if output.strip():
        print(output.rstrip(), flush=True)
    if result.returncode != 0:
        raise SystemExit(f"contract: {args[0]} exited with {result.returncode}")
    return output


def wait_for(url: str, server: subprocess.Popen[bytes], seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"contract: gunicorn exited with {server.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2):  # noqa: S310 - our own server on 127.0.0.1
                return
        except (urllib.error.URLError, ConnectionError):
            time.sleep(0.3)
    raise SystemExit(f"contract: {url} did not answer in {seconds}s")


def main() -> None:
    tmp = Path(tempfile.mkdtemp(prefix="shop-contract-"))
    port = int(os.environ.get("CONTRACT_PORT") or free_port())
    base_url = f"http://127.0.0.1:{port}"
    mail = tmp / "mail"
    mail.mkdir()
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("DATABASE_URL", "CACHE_URL", "EMAIL_URL", "DJANGO_SETTINGS_MODULE")
    }
    env |= {
        "DJANGO_SETTINGS_MODULE": "ecommerce.settings.base",
        "DATABASE_URL": f"sqlite:///{tmp / 'db.sqlite3'}",
        "EMAIL_URL": f"filemail://{mail}",
        "SITE_URL": base_url,
        "INVENTORY_ACCESS_MODE": "trusted",
        "PAYMENT_GATEWAY": "orders.payments.TestGateway",
        "DJANGO_SUPERUSER_EMAIL": ADMIN_EMAIL,
        "DJANGO_SUPERUSER_PASSWORD": ADMIN_PASSWORD,
    }
    server: subprocess.Popen[bytes] | None = None
    try:
        run(BIN / "python", "manage.py", "migrate", "--noinput", "--verbosity", "0", env=env)
        run(BIN / "python", "manage.py", "createsuperuser", "--noinput", env=env)
        server = subprocess.Popen(  # noqa: S603 - our own gunicorn, fixed arguments
            [str(BIN / "gunicorn"), "ecommerce.wsgi", "-c", "gunicorn.conf.py", "--bind", f"127.0.0.1:{port}"]
            + ["--workers", "1", "--threads", "4", "--no-control-socket"],
            cwd=ROOT,
            env=env,
            stdout=(tmp / "server.log").open("wb"),
            stderr=subprocess.STDOUT,
        )
        wait_for(f"{base_url}/api/health/", server)
        schema = tmp / "schema.json"
        with urllib.request.urlopen(f"{base_url}/api/schema/?format=json", timeout=30) as response:  # noqa: S310
            schema.write_bytes(response.read())

        client = tmp / "client"
        output = run(
            BIN / "openapi-python-client",
            "generate",
            "--path",
            schema,
            "--meta",
            "setup",
            "--config",
            HERE / "client-config.yml",
            "--fail-on-warning",
            "--output-path",
            client,
            cwd=tmp,
        )
        if "warning" in output.lower():
            raise SystemExit("contract: openapi-python-client warned (see above)")
        site = tmp / "site"
        run(
            BIN / "python", "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "--no-deps",
            "--target", site, client, cwd=tmp,
        )  # fmt: skip
        checked_env = env | {"MYPYPATH": str(site), "PYTHONPATH": str(site)}
        run(
            BIN / "mypy", "--strict", "--no-incremental", "--cache-dir", tmp / "mypy-cache",
            "--config-file", HERE / "mypy.ini", HERE / "journey.py",
            env=checked_env,
        )  # fmt: skip
        run(BIN / "python", HERE / "journey.py", base_url, mail, ADMIN_EMAIL, ADMIN_PASSWORD, env=checked_env)
    except BaseException:
        if (tmp / "server.log").exists():
            print("--- server log (last 60 lines) ---")
            print("\n".join((tmp / "server.log").read_text(errors="replace").splitlines()[-60:]))
        raise
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=30)
        if os.environ.get("CONTRACT_KEEP"):
            print(f"contract: kept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
