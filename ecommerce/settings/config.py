"""Pure functions that turn the 12-factor URLs into Django settings dicts.

Kept apart from ``base.py`` so that tests can check the parsing of every URL kind
without reloading settings.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

import environ

_env = environ.Env()

# The development SECRET_KEY of base.py: public, so a production start refuses it
# (ecommerce/common/checks.py).
DEVELOPMENT_SECRET_KEY = "insecure-dev-key-change-me-in-production-0123456789abcdef"  # noqa: S105


def database_config(
    url: str,
    *,
    base_dir: Path,
    conn_max_age: int = 60,
    prepare_threshold: str = "5",
    disable_server_side_cursors: bool = False,
) -> dict[str, Any]:
    """Return a ``DATABASES['default']`` dict for ``url`` (sqlite, postgres or mysql).

    PostgreSQL binds parameters on the server (Django 5.2's ``server_side_binding``: the text
    and the values travel apart, as in every other client library), so psycopg can prepare a
    statement it has run ``prepare_threshold`` times on a connection and PostgreSQL stops
    parsing and planning it; ``off`` never prepares (for poolers that cannot keep prepared
    statements). ``disable_server_side_cursors`` (PostgreSQL): ``.iterator()`` fetches through
    a plain cursor instead of a named one, which PgBouncer in transaction mode cannot keep."""
    config: dict[str, Any] = _env.db_url_config(url)
    engine = config["ENGINE"]
    if engine == "django.db.backends.sqlite3":
        name = config["NAME"] or "db.sqlite3"
        if name != ":memory:" and not Path(name).is_absolute():
            name = str(base_dir / name)
        config["NAME"] = name
        # Writers wait for each other instead of failing with "database is locked":
        # BEGIN IMMEDIATE takes the write lock up front, the busy timeout makes the
        # second writer wait, and WAL lets readers go on while one writes.
        config["OPTIONS"] = {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
        config["CONN_MAX_AGE"] = 0
    elif engine == "django.db.backends.postgresql":
        config["CONN_MAX_AGE"] = conn_max_age
        config["CONN_HEALTH_CHECKS"] = True
        options = config.setdefault("OPTIONS", {})
        options["connect_timeout"] = 5
        options["server_side_binding"] = True
        options["prepare_threshold"] = None if prepare_threshold.lower() == "off" else int(prepare_threshold)
        config["DISABLE_SERVER_SIDE_CURSORS"] = disable_server_side_cursors
    elif engine == "django.db.backends.mysql":
        config["CONN_MAX_AGE"] = conn_max_age
        config["CONN_HEALTH_CHECKS"] = True
        config["OPTIONS"] = {
            "charset": "utf8mb4",
            "init_command": "SET sql_mode='STRICT_TRANS_TABLES'",
            # READ COMMITTED: conditional stock updates re-read the latest committed row.
            "isolation_level": "read committed",
            "connect_timeout": 5,
        }
        config["TEST"] = {"CHARSET": "utf8mb4", "COLLATION": "utf8mb4_unicode_ci"}
    else:  # pragma: no cover - django-environ only yields the engines above for our schemes
        raise ValueError(f"Unsupported DATABASE_URL scheme for engine {engine}")
    return config


def cache_config(url: str) -> dict[str, Any]:
    """Return a ``CACHES['default']`` dict for ``url`` (``locmemcache://`` or ``redis://``)."""
    config: dict[str, Any] = _env.cache_url_config(url)
    if config["BACKEND"] == "django_redis.cache.RedisCache":
        config["OPTIONS"] = {
            "CLIENT_CLASS": "django_redis.client.DefaultClient",
            # A stopped Redis must fail fast, so callers can fall back to the database.
            "SOCKET_CONNECT_TIMEOUT": 0.5,
            "SOCKET_TIMEOUT": 0.5,
        }
    config.setdefault("KEY_PREFIX", "shop")
    return config


def cache_is_redis(config: dict[str, Any]) -> bool:
    """True when the cache config points at Redis (shared across processes)."""
    return "redis" in config["BACKEND"].lower()


def email_config(url: str, *, base_dir: Path | None = None) -> dict[str, Any]:
    """Return the ``EMAIL_*`` settings for ``url`` (``consolemail://``, ``smtp://``, …).

    ``filemail://`` follows file URLs: ``filemail:///var/mail/shop`` is the absolute directory
    ``/var/mail/shop`` (django-environ would make it relative, ``var/mail/shop``; its own
    four-slash form ``filemail:////var/mail/shop`` is accepted too), and
    ``filemail://mail/outbox`` is ``mail/outbox`` relative to ``base_dir`` (the project)."""
    config: dict[str, Any] = _env.email_url_config(url)
    if url.startswith("filemail:"):
        config["EMAIL_FILE_PATH"] = _email_file_path(url, base_dir=base_dir)
        config.pop("EMAIL_HOST", None)
    return {key: value for key, value in config.items() if value not in (None, "")}


def _email_file_path(url: str, *, base_dir: Path | None) -> str:
    parsed = urlparse(url)
    path = unquote(parsed.netloc + parsed.path)
    if not parsed.netloc and path.startswith("/"):
        return "/" + path.lstrip("/")  # filemail:///abs and filemail:////abs
    if not path:
        raise ValueError("EMAIL_URL=filemail:// needs a directory, e.g. filemail:///var/mail/shop")
    return str(base_dir / path) if base_dir is not None else path


MEDIA_STORAGES = ("filesystem", "s3")


def media_storage_config(kind: str, *, options: dict[str, Any] | None = None) -> dict[str, Any]:
    """``STORAGES["default"]`` for uploaded media (product images): ``filesystem`` (``MEDIA_ROOT``,
    the default) or ``s3`` (any S3-compatible store through django-storages; ``options`` are the
    ``S3Storage`` options, credentials left to boto3's own chain: ``AWS_ACCESS_KEY_ID`` /
    ``AWS_SECRET_ACCESS_KEY`` in the environment, an instance role, ...)."""
    kind = kind.strip().lower()
    if kind == "filesystem":
        return {"BACKEND": "django.core.files.storage.FileSystemStorage"}
    if kind == "s3":
        s3 = {key: value for key, value in (options or {}).items() if value not in (None, "")}
        if not s3.get("bucket_name"):
            raise ValueError("MEDIA_STORAGE=s3 needs AWS_STORAGE_BUCKET_NAME")
        return {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": s3}
    raise ValueError(f"MEDIA_STORAGE must be one of {', '.join(MEDIA_STORAGES)}, not {kind!r}")
