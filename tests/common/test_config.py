"""Configuration parsing of every URL kind (DATABASE_URL, CACHE_URL, EMAIL_URL)."""

from pathlib import Path

import pytest

from ecommerce.settings.config import cache_config, cache_is_redis, database_config, email_config

BASE = Path("/srv/shop")


def test_sqlite_default_is_relative_to_project_and_waits_for_writers():
    config = database_config("sqlite:///db.sqlite3", base_dir=BASE)
    assert config["ENGINE"] == "django.db.backends.sqlite3"
    assert config["NAME"] == "/srv/shop/db.sqlite3"
    assert config["OPTIONS"]["transaction_mode"] == "IMMEDIATE"
    assert config["OPTIONS"]["timeout"] >= 5
    assert "journal_mode=WAL" in config["OPTIONS"]["init_command"]


def test_sqlite_absolute_path_is_kept():
    assert database_config("sqlite:////tmp/shop.db", base_dir=BASE)["NAME"] == "/tmp/shop.db"


def test_postgres_has_persistent_connections_and_health_checks():
    config = database_config("postgres://shop:pw@db.internal:5433/shop", base_dir=BASE, conn_max_age=120)
    assert config["ENGINE"] == "django.db.backends.postgresql"
    assert (config["HOST"], config["PORT"], config["NAME"], config["USER"]) == (
        "db.internal",
        5433,
        "shop",
        "shop",
    )
    assert config["CONN_MAX_AGE"] == 120
    assert config["CONN_HEALTH_CHECKS"] is True
    assert config["OPTIONS"]["prepare_threshold"] == 5
    assert config["OPTIONS"]["server_side_binding"] is True


def test_postgres_prepared_statements_can_be_switched_off_or_tuned():
    url = "postgres://shop@db/shop"
    assert (
        database_config(url, base_dir=BASE, prepare_threshold="off")["OPTIONS"]["prepare_threshold"] is None
    )
    assert database_config(url, base_dir=BASE, prepare_threshold="2")["OPTIONS"]["prepare_threshold"] == 2


def test_postgres_behind_pgbouncer_in_transaction_mode_needs_no_named_cursors_or_prepares():
    url = "postgres://shop@pgbouncer:6432/shop"
    assert database_config(url, base_dir=BASE)["DISABLE_SERVER_SIDE_CURSORS"] is False
    config = database_config(url, base_dir=BASE, prepare_threshold="off", disable_server_side_cursors=True)
    assert config["DISABLE_SERVER_SIDE_CURSORS"] is True
    assert config["OPTIONS"]["prepare_threshold"] is None


def test_mysql_uses_utf8mb4_and_strict_mode():
    config = database_config("mysql://root@localhost/shop", base_dir=BASE)
    assert config["ENGINE"] == "django.db.backends.mysql"
    assert config["OPTIONS"]["charset"] == "utf8mb4"
    assert "STRICT_TRANS_TABLES" in config["OPTIONS"]["init_command"]
    assert config["OPTIONS"]["isolation_level"] == "read committed"
    assert config["TEST"]["CHARSET"] == "utf8mb4"
    assert config["CONN_HEALTH_CHECKS"] is True


def test_cache_default_locmem_and_redis():
    locmem = cache_config("locmemcache://")
    assert locmem["BACKEND"] == "django.core.cache.backends.locmem.LocMemCache"
    assert not cache_is_redis(locmem)
    redis = cache_config("redis://127.0.0.1:6379/2")
    assert redis["BACKEND"] == "django_redis.cache.RedisCache"
    assert redis["LOCATION"] == "redis://127.0.0.1:6379/2"
    assert redis["OPTIONS"]["SOCKET_TIMEOUT"] <= 1
    assert cache_is_redis(redis)


def test_email_console_and_smtp():
    assert email_config("consolemail://")["EMAIL_BACKEND"] == "django.core.mail.backends.console.EmailBackend"
    smtp = email_config("smtp+tls://mailer:s3cret@smtp.example.com:587")
    assert smtp["EMAIL_BACKEND"] == "django.core.mail.backends.smtp.EmailBackend"
    assert (smtp["EMAIL_HOST"], smtp["EMAIL_PORT"], smtp["EMAIL_HOST_USER"]) == (
        "smtp.example.com",
        587,
        "mailer",
    )
    assert smtp["EMAIL_USE_TLS"] is True


def test_email_filemail_absolute_and_relative_paths(tmp_path):
    """``filemail:///abs`` is absolute, as the README documents (django-environ alone made it
    ``abs``, relative to the working directory); ``filemail://dir`` is relative to the project."""
    filebased = "django.core.mail.backends.filebased.EmailBackend"
    for url in (f"filemail://{tmp_path}/mail", f"filemail:///{tmp_path}/mail"):  # 3 and 4 slashes
        config = email_config(url, base_dir=Path("/srv/shop"))
        assert config == {"EMAIL_BACKEND": filebased, "EMAIL_FILE_PATH": f"{tmp_path}/mail"}
    relative = email_config("filemail://mail/outbox", base_dir=Path("/srv/shop"))
    assert relative["EMAIL_FILE_PATH"] == "/srv/shop/mail/outbox" and "EMAIL_HOST" not in relative
    with pytest.raises(ValueError, match="needs a directory"):
        email_config("filemail://")
