"""``manage.py check --deploy``: trusted mode is an Error unless acknowledged, then a Warning;
production settings default to api_key (issue #18, item 1)."""

from __future__ import annotations

import subprocess
from io import StringIO
from pathlib import Path

import pytest
from django.core.checks import Error, Warning
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.test import override_settings

from inventory.checks import inventory_access_mode_check
from tests.helpers import manage_py, production_environ

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
    return manage_py("check", "--deploy", "--fail-level", "ERROR", env=production_environ(**env))


def test_production_settings_default_to_api_key_and_pass():
    result = production_check()
    mode = manage_py(
        "shell",
        "--no-imports",
        "-c",
        "from django.conf import settings; print(settings.INVENTORY_ACCESS_MODE)",
        env=production_environ(),
    )

    assert mode.stdout.strip() == "api_key", mode.stderr
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
