"""The default SQLite install makes concurrent writers wait instead of failing with
"database is locked" (IMMEDIATE transactions + busy timeout + WAL)."""

import threading
import time

import pytest
from django.db import connections, transaction

from ecommerce.settings.config import database_config


@pytest.fixture
def sqlite_file_alias(tmp_path, django_db_blocker):
    """A real SQLite file configured exactly like the default install (not the test database)."""
    alias = "sqlite_writers"
    connections.settings[alias] = {
        **connections.settings["default"],
        **database_config(f"sqlite:///{tmp_path}/writers.sqlite3", base_dir=tmp_path),
        "TEST": {},
    }
    with django_db_blocker.unblock():
        with connections[alias].cursor() as cursor:
            cursor.execute("CREATE TABLE counter (n INTEGER NOT NULL)")
        connections[alias].close()
        yield alias
        connections[alias].close()
    del connections[alias]
    del connections.settings[alias]


@pytest.mark.concurrency
def test_concurrent_read_then_write_transactions_wait_for_each_other(sqlite_file_alias):
    alias = sqlite_file_alias
    errors: list[BaseException] = []
    first_holds_lock = threading.Event()

    def writer(hold_seconds: float, signal: threading.Event | None) -> None:
        try:
            with transaction.atomic(using=alias):
                with connections[alias].cursor() as cursor:
                    # Read, then write: the pattern that fails at once in DEFERRED mode.
                    cursor.execute("SELECT COUNT(*) FROM counter")
                    if signal:
                        signal.set()
                    time.sleep(hold_seconds)
                    cursor.execute("INSERT INTO counter (n) VALUES (1)")
        except BaseException as exc:  # noqa: BLE001 - collected for the assertion below
            errors.append(exc)
        finally:
            connections[alias].close()

    threads = [threading.Thread(target=writer, args=(0.5, first_holds_lock))]
    threads[0].start()
    first_holds_lock.wait(5)
    threads += [threading.Thread(target=writer, args=(0.0, None)) for _ in range(4)]
    for thread in threads[1:]:
        thread.start()
    for thread in threads:
        thread.join(30)

    assert errors == []
    with connections[alias].cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM counter")
        assert cursor.fetchone() == (5,)
    with connections[alias].cursor() as cursor:
        cursor.execute("PRAGMA journal_mode")
        assert cursor.fetchone()[0].lower() == "wal"
