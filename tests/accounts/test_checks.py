"""Deploy checks of the accounts app."""

from __future__ import annotations

from django.core.management import call_command
from django.test import override_settings

from accounts.checks import check_email_not_in_logs


def test_console_email_in_production_is_flagged():
    with override_settings(EMAIL_BACKEND="django.core.mail.backends.console.EmailBackend"):
        assert [message.id for message in check_email_not_in_logs()] == ["accounts.W001"]
    with override_settings(EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend"):
        assert check_email_not_in_logs() == []


def test_w001_is_a_deploy_check_only(capsys):
    with override_settings(EMAIL_BACKEND="django.core.mail.backends.console.EmailBackend"):
        call_command("check", "--fail-level", "CRITICAL")
        assert "accounts.W001" not in capsys.readouterr().err
        call_command("check", "--deploy", "--fail-level", "CRITICAL")  # other apps may add errors
        assert "accounts.W001" in capsys.readouterr().err
