"""``python manage.py resend_failed_emails``: deliver the emails whose first send failed."""

from typing import Any

from django.core.management.base import BaseCommand

from ecommerce.common.email import failed_emails_resend


class Command(BaseCommand):
    help = "Re-send emails that could not be sent (mail server down). Safe to run from cron."

    def handle(self, *args: Any, **options: Any) -> None:
        sent, failing = failed_emails_resend()
        self.stdout.write(f"Sent {sent}, still failing {failing}.")
