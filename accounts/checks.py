"""Deploy checks of the accounts app (``manage.py check --deploy``; see SHARED_CONVENTIONS)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Tags, Warning, register

CONSOLE_EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"


@register(Tags.security, deploy=True)
def check_email_not_in_logs(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """``accounts.W001``: the console email backend prints every email, verification and
    password-reset keys included, into the log stream (stdout)."""
    if settings.EMAIL_BACKEND == CONSOLE_EMAIL_BACKEND:
        return [
            Warning(
                "EMAIL_URL=consolemail:// prints every email, with its verification and password-reset "
                "keys, into the logs.",
                hint="Set EMAIL_URL to smtp+tls://… (or filemail:///dir for a staging box).",
                id="accounts.W001",
            )
        ]
    return []
