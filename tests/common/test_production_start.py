"""A production start refuses unsafe secrets: the deploy checks (``common.E001``/``E002``), run
by ``manage.py check --deploy`` and by a real gunicorn start under production settings.

Also checked against that real gunicorn: no ``Server`` header, and gunicorn's own errors (a
request line that is too long) and a bad ``Host`` are the JSON error envelope."""

from __future__ import annotations

import json
import secrets
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import SystemCheckError

from ecommerce.common import startup
from ecommerce.common.checks import check_jwt_signing_key, check_secret_key, key_weakness
from ecommerce.settings.config import DEVELOPMENT_SECRET_KEY
from tests.helpers import production_environ

ROOT = Path(__file__).resolve().parents[2]
COMPOSE_DEFAULT_KEY = "change-me-in-production-to-a-long-random-string-0123456789"
WEAK_KEYS = {
    "development default": DEVELOPMENT_SECRET_KEY,
    "docker-compose default": COMPOSE_DEFAULT_KEY,
    "django startproject": "django-insecure-" + secrets.token_urlsafe(40),
    "short": secrets.token_urlsafe(30),
    "few distinct characters": "abcd" * 20,
}


def safe_production_env(tmp_path: Path) -> dict[str, str]:
    """The shared safe production environment, with its own SQLite database in ``tmp_path``."""
    return production_environ(tmp_path)


# --- the checks themselves (settings read at check time) ----------------------------------------


@pytest.mark.parametrize("key", WEAK_KEYS.values(), ids=WEAK_KEYS.keys())
def test_weak_secret_key_is_a_deploy_error(settings, key):
    settings.SECRET_KEY = key
    errors = check_secret_key()
    assert [error.id for error in errors] == ["common.E001"]
    assert "secrets.token_urlsafe" in errors[0].hint
    with pytest.raises(SystemCheckError, match=r"common\.E001"):
        call_command("check", "--deploy", "--fail-level", "ERROR")


def test_weak_secret_key_fallback_is_a_deploy_error(settings):
    settings.SECRET_KEY = secrets.token_urlsafe(64)
    settings.SECRET_KEY_FALLBACKS = [COMPOSE_DEFAULT_KEY]
    assert [error.id for error in check_secret_key()] == ["common.E001"]


@pytest.mark.parametrize("key", WEAK_KEYS.values(), ids=WEAK_KEYS.keys())
def test_weak_jwt_signing_key_is_a_deploy_error(settings, key):
    settings.SECRET_KEY = secrets.token_urlsafe(64)
    settings.SIMPLE_JWT = {**settings.SIMPLE_JWT, "SIGNING_KEY": key}
    assert check_secret_key() == []
    assert [error.id for error in check_jwt_signing_key()] == ["common.E002"]


def test_strong_keys_pass(settings):
    settings.SECRET_KEY = secrets.token_urlsafe(64)
    settings.SECRET_KEY_FALLBACKS = [secrets.token_urlsafe(64)]
    assert check_secret_key() == []
    settings.SIMPLE_JWT = {**settings.SIMPLE_JWT, "SIGNING_KEY": secrets.token_urlsafe(64)}
    assert check_jwt_signing_key() == []
    settings.SIMPLE_JWT = {**settings.SIMPLE_JWT, "SIGNING_KEY": settings.SECRET_KEY}
    assert check_jwt_signing_key() == []  # the same key: checked once, as SECRET_KEY


def test_key_weakness_explains_itself():
    assert key_weakness("") == "it is empty"
    assert key_weakness("x" * 10) == "it is shorter than 50 characters"
    assert key_weakness("ab" * 40) == "it has fewer than 5 distinct characters"
    assert "published" in key_weakness(DEVELOPMENT_SECRET_KEY)
    assert key_weakness(secrets.token_urlsafe(64)) is None


def test_refuse_unsafe_start_runs_only_when_the_settings_ask(settings, monkeypatch):
    monkeypatch.setattr(startup, "_checked", False)
    settings.SECRET_KEY = "short"
    assert startup.refuse_unsafe_start() == ""  # test settings: no deploy checks at start
    settings.DEPLOY_CHECKS_AT_START = True
    with pytest.raises(SystemCheckError, match=r"common\.E001"):
        startup.refuse_unsafe_start()


# --- manage.py check --deploy under the production settings --------------------------------------


def _check_deploy(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 - fixed arguments
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "ERROR"],
        cwd=ROOT, env=env, capture_output=True, text=True, check=False, timeout=120,
    )  # fmt: skip


def test_check_deploy_fails_on_the_compose_default_and_passes_with_safe_values(tmp_path):
    unsafe = _check_deploy({**safe_production_env(tmp_path), "SECRET_KEY": COMPOSE_DEFAULT_KEY})
    assert unsafe.returncode != 0 and "common.E001" in unsafe.stderr, unsafe.stdout + unsafe.stderr
    weak_jwt = _check_deploy({**safe_production_env(tmp_path), "JWT_SIGNING_KEY": "jwt-secret"})
    assert weak_jwt.returncode != 0 and "common.E002" in weak_jwt.stderr, weak_jwt.stderr
    safe = _check_deploy(safe_production_env(tmp_path))
    assert safe.returncode == 0, safe.stdout + safe.stderr


# --- a real gunicorn start ----------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _gunicorn(env: dict[str, str], port: int) -> subprocess.Popen[str]:
    return subprocess.Popen(  # noqa: S603 - fixed arguments
        [sys.executable, "-m", "gunicorn", "ecommerce.wsgi", "-c", "gunicorn.conf.py",
         "--bind", f"127.0.0.1:{port}", "--workers", "1", "--no-control-socket"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip


def _raw_request(port: int, request: bytes) -> tuple[str, dict[str, str], bytes]:
    """Send ``request`` as is; return the status line, the headers and the body."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(request)
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    status, *lines = head.decode("latin-1").split("\r\n")
    headers = {name.lower(): value.strip() for name, _, value in (line.partition(":") for line in lines)}
    return status, headers, body


@pytest.mark.parametrize(
    "override",
    [{"SECRET_KEY": DEVELOPMENT_SECRET_KEY}, {"JWT_SIGNING_KEY": "too-short"}],
    ids=["weak SECRET_KEY", "weak JWT_SIGNING_KEY"],
)
def test_gunicorn_refuses_to_start_with_a_weak_key(tmp_path, override):
    port = _free_port()
    process = _gunicorn({**safe_production_env(tmp_path), **override}, port)
    try:
        output, _ = process.communicate(timeout=60)
    finally:
        process.kill()
    expected = "common.E001" if "SECRET_KEY" in override else "common.E002"
    assert process.returncode not in (0, None), output
    assert expected in output and "Refusing to start" in output, output
    with socket.socket() as probe:  # it never listened
        assert probe.connect_ex(("127.0.0.1", port)) != 0


def test_gunicorn_starts_with_safe_values_and_hides_its_banner(tmp_path):
    port = _free_port()
    process = _gunicorn(safe_production_env(tmp_path), port)
    try:
        url = f"http://127.0.0.1:{port}/api/health/"
        request = urllib.request.Request(url, headers={"X-Forwarded-Proto": "https"})  # noqa: S310
        for _ in range(150):
            try:
                with urllib.request.urlopen(request, timeout=2) as response:  # noqa: S310
                    status, headers, body = response.status, response.headers, json.loads(response.read())
                break
            except urllib.error.HTTPError as error:
                status, headers, body = error.code, error.headers, error.read()
                break
            except OSError:
                assert process.poll() is None, process.communicate()[0]
                time.sleep(0.1)
        else:
            pytest.fail("gunicorn did not answer")
        assert status == 200 and body["status"] == "ok", body
        assert "Server" not in headers  # gunicorn's banner is gone
        assert headers["Strict-Transport-Security"].startswith("max-age=31536000")

        # a request line too long for gunicorn: its own error, as the envelope
        status_line, raw_headers, raw_body = _raw_request(
            port, b"GET /api/" + b"a" * 5000 + b" HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
        )
        assert status_line.startswith("HTTP/1.1 414"), status_line
        assert raw_headers["content-type"] == "application/json" and "server" not in raw_headers
        assert json.loads(raw_body)["error"]["code"] == "INVALID_REQUEST"

        # a Host that is not in ALLOWED_HOSTS (Django's DisallowedHost) under /api/: 400 envelope
        status_line, raw_headers, raw_body = _raw_request(
            port,
            b"GET /api/health/ HTTP/1.0\r\nHost: evil.example.net\r\nX-Forwarded-Proto: https\r\n\r\n",
        )
        assert status_line.split()[1] == "400", status_line
        assert raw_headers["content-type"] == "application/json" and "server" not in raw_headers
        assert json.loads(raw_body)["error"]["code"] == "INVALID_REQUEST"
    finally:
        process.terminate()
        process.communicate(timeout=30)


def test_docker_compose_reads_its_secret_from_an_uncommitted_env_file():
    compose = (ROOT / "docker-compose.yml").read_text()
    assert "SECRET_KEY:" not in compose and COMPOSE_DEFAULT_KEY not in compose
    assert "env_file: compose.env" in compose
    example = (ROOT / "compose.env.example").read_text()
    assert "\nSECRET_KEY=\n" in example and "secrets.token_urlsafe" in example
    ignored = subprocess.run(  # noqa: S603 - fixed arguments
        ["git", "check-ignore", "-q", "compose.env"],  # noqa: S607 - git from PATH
        cwd=ROOT,
        check=False,
    )
    assert ignored.returncode == 0  # git ignores compose.env
