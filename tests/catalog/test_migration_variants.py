"""Migrations ``catalog`` 0005, ``cart`` 0002 and ``orders`` 0005 (issue #15) on a database
filled by the previous release's ``seed_demo``: nothing is lost forwards, and backwards the
v1 schema gets the same numbers back.

The v1 code is the parent of the commit that added ``catalog/migrations/0005_variants.py``,
taken from git (``git archive``) into a temporary directory; it migrates and seeds a scratch
database of the vendor the suite runs on (a file on SQLite, a new database on PostgreSQL and
MariaDB). Then this tree's ``migrate`` runs forwards and backwards on it. Every step runs in a
subprocess, as ``make run`` would; the numbers are read with plain SQL (``_SNAPSHOT``), which
works on both schemas.
"""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import sys
import tarfile
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]

# Run with ``manage.py shell -c``: the numbers that must survive, as JSON on stdout.
_SNAPSHOT = r"""
import json
from decimal import Decimal
from django.db import connection

def plain(value):  # MariaDB sums integers into decimals
    return int(value) if isinstance(value, Decimal) and value == value.to_integral_value() else value

def rows(sql):
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return [[plain(value) for value in row] for row in cursor.fetchall()]

tables = set(connection.introspection.table_names())
v2 = "catalog_productvariant" in tables
out = {"v2": v2}
out["products"] = rows("SELECT public_id, CAST(price AS CHAR(20)) FROM catalog_product ORDER BY public_id")
if v2:
    out["stock"] = rows(
        "SELECT p.public_id, SUM(v.quantity), COUNT(*) FROM catalog_product p"
        " JOIN catalog_productvariant v ON v.product_id = p.id GROUP BY p.public_id ORDER BY p.public_id"
    )
    out["ledger_off_variant"] = rows(
        "SELECT COUNT(*) FROM orders_stockmovement m JOIN catalog_productvariant v ON v.id = m.variant_id"
        " WHERE v.product_id <> m.product_id"
    )[0][0]
    out["cart"] = rows(
        "SELECT c.user_id, p.public_id, l.quantity, l.saved_for_later FROM cart_cartline l"
        " JOIN cart_cart c ON c.id = l.cart_id JOIN catalog_productvariant v ON v.id = l.variant_id"
        " JOIN catalog_product p ON p.id = v.product_id ORDER BY c.user_id, p.public_id"
    )
    out["lines_without_sku"] = rows(
        "SELECT COUNT(*) FROM orders_orderline l JOIN catalog_productvariant v ON v.id = l.variant_id"
        " WHERE l.sku <> v.sku OR v.product_id <> l.product_id"
    )[0][0]
else:
    out["stock"] = rows("SELECT public_id, quantity, 1 FROM catalog_product ORDER BY public_id")
    out["cart"] = rows(
        "SELECT c.user_id, p.public_id, l.quantity, l.saved_for_later FROM cart_cartline l"
        " JOIN cart_cart c ON c.id = l.cart_id JOIN catalog_product p ON p.id = l.product_id"
        " ORDER BY c.user_id, p.public_id"
    )
out["ledger"] = rows(
    "SELECT p.public_id, SUM(m.delta), COUNT(*) FROM orders_stockmovement m"
    " JOIN catalog_product p ON p.id = m.product_id GROUP BY p.public_id ORDER BY p.public_id"
)
out["order_lines"] = rows(
    "SELECT COUNT(*), SUM(quantity), CAST(SUM(line_total) AS CHAR(30)) FROM orders_orderline"
)
out["orders"] = rows("SELECT COUNT(*), CAST(SUM(total_amount) AS CHAR(30)) FROM orders_order")
print(json.dumps(out, default=str))
"""


def _v1_commit() -> str | None:
    """The commit before the variants migration was added, or None outside a git checkout."""
    git = shutil.which("git")
    if git is None:
        return None
    added = subprocess.run(  # noqa: S603 - fixed arguments
        [git, "log", "--diff-filter=A", "--format=%H", "--", "catalog/migrations/0005_variants.py"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    commits = added.stdout.split()
    return f"{commits[-1]}^" if added.returncode == 0 and commits else None


def _scratch_database(tmp_path: Path) -> tuple[str, str | None]:
    """A ``DATABASE_URL`` for an empty database of the vendor the suite runs on, and the name
    to drop afterwards (None for a file)."""
    db = settings.DATABASES["default"]
    if connection.vendor == "sqlite":
        return f"sqlite:///{tmp_path / 'migration.sqlite3'}", None
    name = f"{db['NAME']}_migration"[:60]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')
            cursor.execute(f'CREATE DATABASE "{name}"')
            auth = db["USER"] + (f":{db['PASSWORD']}" if db.get("PASSWORD") else "")
            return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{name}", name
        cursor.execute(f"DROP DATABASE IF EXISTS `{name}`")
        cursor.execute(f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci")
    auth = db["USER"] + (f":{db['PASSWORD']}" if db.get("PASSWORD") else "")
    host = db["HOST"] or "localhost"
    port = f":{db['PORT']}" if db.get("PORT") else ""
    return f"mysql://{auth}@{host}{port}/{name}", name


def _manage(cwd: Path, url: str, *args: str) -> str:
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "DJANGO_SETTINGS_MODULE": "ecommerce.settings.test",
        "PYTHONDONTWRITEBYTECODE": "1",
    }
    result = subprocess.run(  # noqa: S603 - this interpreter and manage.py
        [sys.executable, "manage.py", *args], cwd=cwd, env=env, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stdout


def _snapshot(url: str) -> dict[str, Any]:
    return json.loads(_manage(ROOT, url, "shell", "-c", _SNAPSHOT).strip().splitlines()[-1])


@pytest.mark.django_db(transaction=True)
def test_variants_migration_keeps_a_seeded_v1_shop_and_is_reversible(tmp_path):
    commit = _v1_commit()
    if commit is None:
        pytest.skip("needs the git history (the v1 code is taken from it)")
    v1 = tmp_path / "v1"
    v1.mkdir()
    git = shutil.which("git") or "git"
    archive = subprocess.run([git, "archive", commit], cwd=ROOT, capture_output=True, check=True)  # noqa: S603
    with tarfile.open(fileobj=io.BytesIO(archive.stdout)) as tar:
        tar.extractall(v1, filter="data")
    url, scratch = _scratch_database(tmp_path)
    try:
        _manage(v1, url, "migrate", "-v", "0")
        _manage(v1, url, "seed_demo", "--products", "120", "--customers", "30")
        before = _snapshot(url)
        assert not before["v2"] and len(before["products"]) == 120
        assert before["order_lines"][0][0] > 100 and before["ledger"]  # a real order history

        _manage(ROOT, url, "migrate", "-v", "0")
        after = _snapshot(url)
        assert after["v2"]
        # every product has exactly one (default) variant with the product's stock and price
        assert after["stock"] == [[public_id, quantity, 1] for public_id, quantity, _ in before["stock"]]
        assert after["products"] == before["products"]
        # every ledger row, cart line and order line moved onto its product's variant, none lost
        assert after["ledger"] == before["ledger"] and after["ledger_off_variant"] == 0
        assert after["cart"] == before["cart"]
        assert after["order_lines"] == before["order_lines"] and after["lines_without_sku"] == 0
        assert after["orders"] == before["orders"]
        # the ledger still sums to the stock, product by product
        ledger = {public_id: total for public_id, total, _ in after["ledger"]}
        assert all(ledger.get(public_id, 0) == quantity for public_id, quantity, _ in after["stock"])

        _manage(ROOT, url, "migrate", "catalog", "0004", "-v", "0")  # cart 0002 and orders 0005 first
        back = _snapshot(url)
        assert not back["v2"]
        assert back == before
    finally:
        if scratch is not None:
            with connection.cursor() as cursor:
                quote = '"' if connection.vendor == "postgresql" else "`"
                cursor.execute(f"DROP DATABASE IF EXISTS {quote}{scratch}{quote}")
