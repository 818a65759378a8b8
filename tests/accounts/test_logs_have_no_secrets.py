"""No log line of any kind carries a key, a token or a password, and each request writes one
line: a real gunicorn, started with the command of ``make run`` (the Dockerfile's has the same
options), serves a whole register → verify → sign in → reset flow while its stdout and stderr
are captured; then the captured output is searched for every secret of the flow."""

from __future__ import annotations

import email
import json
import os
import re
import shlex
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, quote, urlparse

import pytest
import requests
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]
PORTS = range(18300, 18400)  # this test's own port range
PASSWORD = "first-Passw0rd-of-the-flow"
NEW_PASSWORD = "second-Passw0rd-after-reset"


def _free_port() -> int:
    for port in PORTS:
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) != 0:
                return port
    raise RuntimeError("no free port in 18300-18399")


def _gunicorn_options(command: str) -> list[str]:
    """The words after ``gunicorn`` in a shell command line, up to the end of that command."""
    words = shlex.split(re.split(r"\bgunicorn\s", command, maxsplit=1)[-1].split("&&")[0])
    return [word for word in words if word != "ecommerce.wsgi"]


def _option_names(options: list[str]) -> set[str]:
    return {word.split("=")[0] for word in options if word.startswith("-")}


def make_run_gunicorn_options(*, host: str, port: int) -> list[str]:
    """The gunicorn options of the ``run`` target in the Makefile, with its variables filled in."""
    line = next(line for line in (ROOT / "Makefile").read_text().splitlines() if "$(BIN)/gunicorn " in line)
    line = line.split("$(BIN)/gunicorn", 1)[1]
    line = line.replace("$(HOST)", host).replace("$(PORT)", str(port)).replace("$(WEB_CONCURRENCY)", "1")
    # With Redis as the cache (as in the image), make run serves $(WEB_CONCURRENCY) processes;
    # without it, one process with threads (see GUNICORN_WORKERS in the Makefile).
    line = line.replace("$(GUNICORN_WORKERS)", "--workers 1")
    assert "$(" not in line, f"unknown Makefile variable in {line!r}"
    return _gunicorn_options(line)


def test_make_run_and_the_dockerfile_start_gunicorn_alike_without_an_access_log():
    make_run = make_run_gunicorn_options(host="127.0.0.1", port=8000)
    cmd = next(line for line in (ROOT / "Dockerfile").read_text().splitlines() if line.startswith("CMD"))
    docker = _gunicorn_options(" ".join(json.loads(cmd.removeprefix("CMD"))))
    assert _option_names(make_run) == _option_names(docker)
    for options in (make_run, docker):
        assert not [word for word in options if "access-log" in word or "access_log" in word], options


def _database_url(tmp_path: Path) -> str:
    """The test database when it is a server; a migrated SQLite file otherwise (an in-memory
    SQLite test database cannot be shared with another process)."""
    if connection.vendor == "sqlite":
        url = f"sqlite:///{tmp_path}/shop.sqlite3"
        subprocess.run(  # noqa: S603 - fixed arguments
            [sys.executable, "manage.py", "migrate", "--noinput", "-v0"],
            cwd=ROOT, env={**os.environ, "DATABASE_URL": url}, check=True, timeout=300,
        )  # fmt: skip
        return url
    params = connection.settings_dict
    scheme = "postgres" if connection.vendor == "postgresql" else "mysql"
    port = f":{params['PORT']}" if params["PORT"] else ""
    return f"{scheme}://{params['USER']}@{params['HOST'] or 'localhost'}{port}/{params['NAME']}"


class Server:
    def __init__(self, url: str, output: list[Path], mail_dir: Path) -> None:
        self.url, self.output, self.mail_dir = url, output, mail_dir

    def logs(self) -> str:
        return "".join(path.read_text(errors="replace") for path in self.output)

    def last_email(self, after: set[Path]) -> str:
        for _ in range(100):
            new = sorted(set(self.mail_dir.glob("*.log")) - after)
            if new:
                return new[-1].read_text()
            time.sleep(0.05)
        raise AssertionError("no email was written")


@pytest.fixture
def gunicorn(transactional_db, tmp_path) -> Iterator[Server]:
    """gunicorn as ``make run`` starts it (settings ``ecommerce.settings.base``, as the
    Makefile exports), emails written to files, LOG_LEVEL=DEBUG so every logger speaks."""
    port = _free_port()
    mail_dir = tmp_path / "mail"
    mail_dir.mkdir()
    env = {key: value for key, value in os.environ.items() if key != "GUNICORN_CMD_ARGS"}
    env.update(
        DJANGO_SETTINGS_MODULE="ecommerce.settings.base",
        DATABASE_URL=_database_url(tmp_path),
        EMAIL_URL=f"filemail://{mail_dir}",  # the documented absolute form (three slashes)
        LOG_LEVEL="DEBUG",
        PYTHONUNBUFFERED="1",
        SITE_URL=f"http://127.0.0.1:{port}",
        FRONTEND_URL="",
    )
    # As `make run` does before it starts gunicorn (the pages' CSS and script are hashed files).
    subprocess.run(  # noqa: S603 - fixed arguments
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"], cwd=ROOT, env=env, check=True, timeout=300
    )  # fmt: skip
    stdout, stderr = tmp_path / "stdout.log", tmp_path / "stderr.log"
    with stdout.open("wb") as out, stderr.open("wb") as err:
        process = subprocess.Popen(  # noqa: S603 - fixed arguments
            [sys.executable, "-m", "gunicorn", "ecommerce.wsgi", *make_run_gunicorn_options(host="127.0.0.1", port=port)],
            cwd=ROOT, env=env, stdout=out, stderr=err,
        )  # fmt: skip
    server = Server(f"http://127.0.0.1:{port}", [stdout, stderr], mail_dir)
    try:
        for _ in range(150):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                assert process.poll() is None, server.logs()
                time.sleep(0.1)
        yield server
    finally:
        process.terminate()
        process.wait(15)


def _key(raw: str) -> str:
    """The key of the link in an email written by Django's file backend (text part)."""
    message = email.message_from_string(raw.split("\n" + "-" * 79 + "\n")[0])
    text = next(part for part in message.walk() if part.get_content_type() == "text/plain")
    link = urlparse(re.search(r"https?://\S+", text.get_payload(decode=True).decode()).group(0))
    return parse_qs(link.fragment or link.query)["key"][0]


def test_full_account_flow_logs_one_line_per_request_and_no_secret(gunicorn):
    session = requests.Session()
    url = gunicorn.url
    requests_made = 0
    secrets_seen: list[str] = [PASSWORD, NEW_PASSWORD]

    def call(method: str, path: str, **kwargs) -> requests.Response:
        nonlocal requests_made
        requests_made += 1
        response = session.request(method, f"{url}{path}", timeout=30, allow_redirects=False, **kwargs)
        assert response.status_code < 500, response.text
        return response

    def form(path: str, data: dict[str, str]) -> requests.Response:
        page = call("GET", path)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
        return call("POST", path, data={"csrfmiddlewaretoken": token, **data})

    # Register; the verification link carries the key in its fragment.
    sent = set(gunicorn.mail_dir.glob("*.log"))
    assert (
        call(
            "POST", "/api/auth/register", json={"email": "logs@example.com", "password": PASSWORD}
        ).status_code
        == 201
    )
    verification = gunicorn.last_email(sent)
    verify_key = _key(verification)
    secrets_seen.append(verify_key)
    assert f"/accounts/verify-email/#key={quote(verify_key, safe='')}" in verification

    # Verify on the backend page: the browser GETs the path (no fragment) and POSTs the key.
    done = form("/accounts/verify-email/", {"key": verify_key})
    assert done.status_code == 200 and "is confirmed" in done.text

    # Sign in, use and rotate the tokens.
    login = call("POST", "/api/auth/login", json={"email": "logs@example.com", "password": PASSWORD}).json()
    secrets_seen += [login["access"], login["refresh"]]
    assert (
        call("GET", "/api/auth/me", headers={"Authorization": f"Bearer {login['access']}"}).status_code == 200
    )
    rotated = call("POST", "/api/auth/token/refresh", json={"refresh": login["refresh"]}).json()
    secrets_seen += [rotated["access"], rotated["refresh"]]

    # Reset: one key through the API, one through the page opened by a legacy ?key= link.
    for confirm_through_page in (False, True):
        sent = set(gunicorn.mail_dir.glob("*.log"))
        assert call("POST", "/api/auth/password/reset", json={"email": "logs@example.com"}).status_code == 202
        reset_key = _key(gunicorn.last_email(sent))
        secrets_seen.append(reset_key)
        if confirm_through_page:
            page = call("GET", f"/accounts/password/reset/?key={quote(reset_key, safe='')}")
            token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
            fields = {"key": reset_key, "new_password": NEW_PASSWORD, "new_password_again": NEW_PASSWORD}
            done = call("POST", "/accounts/password/reset/", data={"csrfmiddlewaretoken": token, **fields})
            assert done.status_code == 200 and "has been changed" in done.text
        else:
            body = {"key": reset_key, "new_password": PASSWORD + "-x"}
            assert call("POST", "/api/auth/password/reset/confirm", json=body).status_code == 200
    # A wrong key and a wrong password (failures must not echo them either).
    wrong_key = verify_key[::-1]
    secrets_seen.append(wrong_key)
    assert call("POST", "/api/auth/verify-email", json={"key": wrong_key}).status_code == 400
    assert (
        call(
            "POST", "/api/auth/login", json={"email": "logs@example.com", "password": "Wr0ng-guess!"}
        ).status_code
        == 401
    )
    secrets_seen.append("Wr0ng-guess!")

    time.sleep(0.3)
    logs = gunicorn.logs()
    for secret in secrets_seen:
        for form_of_it in {secret, quote(secret, safe=""), quote(secret)}:
            assert form_of_it not in logs, f"a secret is in the logs: {form_of_it[:12]}…"
    assert "key=" not in logs and "?" not in "".join(re.findall(r'"path": "[^"]*"', logs))

    request_lines = [
        json.loads(line)
        for line in logs.splitlines()
        if line.startswith("{") and '"ecommerce.request"' in line
    ]
    assert len(request_lines) == requests_made  # one JSON line per request …
    assert not re.search(r'"(GET|POST) /[^"]* HTTP/1\.[01]"', logs)  # … and no access-log line
    assert {line["path"] for line in request_lines} >= {"/accounts/password/reset/", "/api/auth/login"}
