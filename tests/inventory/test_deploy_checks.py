"""``manage.py check --deploy``: trusted mode is an Error unless acknowledged, then a Warning;
production settings default to api_key (issue #18, item 1)."""

from __future__ import annotations

import os
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.checks import Error, Warning
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.test import override_settings

from inventory.checks import inventory_access_mode_check

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    ("mode", "acknowledged", "expected"),
    [
        ("trusted", False, [(Error, "inventory.E001")]),
        ("trusted", True, [(Warning, "inventory.W001")]),
        ("api_key", False, []),
        ("api_key", True, []),
        ("token", False, []),
        ("bogus", False, [(Error, "inventory.E002")]),
    ],
)
def test_access_mode_check(mode, acknowledged, expected):
    with override_settings(INVENTORY_ACCESS_MODE=mode, INVENTORY_TRUSTED_MODE_I_UNDERSTAND=acknowledged):
        messages = inventory_access_mode_check()

    assert [(type(m), m.id) for m in messages] == expected


def test_check_deploy_command_fails_on_unacknowledged_trusted_mode():
    with override_settings(INVENTORY_ACCESS_MODE="trusted", INVENTORY_TRUSTED_MODE_I_UNDERSTAND=False):
        with pytest.raises(SystemCheckError, match="inventory.E001"):
            call_command("check", "--deploy", "--fail-level", "ERROR", stdout=StringIO(), stderr=StringIO())


def test_plain_check_ignores_the_mode():
    """Only ``--deploy`` looks at it: ``make run`` and the tests keep trusted mode without noise."""
    out = StringIO()
    with override_settings(INVENTORY_ACCESS_MODE="trusted", INVENTORY_TRUSTED_MODE_I_UNDERSTAND=False):
        call_command("check", stdout=out, stderr=StringIO())
    assert "inventory" not in out.getvalue()


def production_check(**env: str) -> subprocess.CompletedProcess[str]:
    """``manage.py check --deploy --fail-level ERROR`` under ``ecommerce.settings.production``."""
    environ = {k: v for k, v in os.environ.items() if not k.startswith("INVENTORY_")}
    environ.update(
        DJANGO_SETTINGS_MODULE="ecommerce.settings.production",
        SECRET_KEY="p" * 60 + "-production-secret-for-the-deploy-check",
        ALLOWED_HOSTS="shop.example.com",
        PAYMENT_GATEWAY="orders.payments_http.HttpPaymentGateway",  # required in production
        READ_DOT_ENV="0",
        **env,
    )
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "ERROR"],
        cwd=ROOT,
        env=environ,
        capture_output=True,
        text=True,
        check=False,
    )


def test_production_settings_default_to_api_key_and_pass():
    result = production_check()
    mode = subprocess.run(
        [sys.executable, "-c", "from django.conf import settings; print(settings.INVENTORY_ACCESS_MODE)"],
        cwd=ROOT,
        env={
            **{k: v for k, v in os.environ.items() if not k.startswith("INVENTORY_")},
            "DJANGO_SETTINGS_MODULE": "ecommerce.settings.production",
            "SECRET_KEY": "p" * 60,
            "ALLOWED_HOSTS": "shop.example.com",
            "PAYMENT_GATEWAY": "orders.payments_http.HttpPaymentGateway",
            "READ_DOT_ENV": "0",
        },
        capture_output=True,
        text=True,
        check=True,
    )

    assert mode.stdout.strip() == "api_key"
    assert result.returncode == 0, result.stdout + result.stderr
    assert "inventory." not in result.stdout + result.stderr


def test_production_check_deploy_fails_with_unacknowledged_trusted_mode():
    result = production_check(INVENTORY_ACCESS_MODE="trusted")

    assert result.returncode != 0
    assert "inventory.E001" in result.stderr


def test_production_check_deploy_warns_with_acknowledged_trusted_mode():
    result = production_check(INVENTORY_ACCESS_MODE="trusted", INVENTORY_TRUSTED_MODE_I_UNDERSTAND="1")

    assert result.returncode == 0, result.stdout + result.stderr
    assert "inventory.W001" in result.stdout + result.stderr
    assert "inventory.E001" not in result.stdout + result.stderr
