"""``python manage.py resend_failed_emails``: send the dead-lettered emails again.

Emails are queued rows sent by workers with retries (``ecommerce.common.email``); this command
gives every ``dead`` email a fresh run of attempts, and with ``--pending`` also sends the pending
ones that are due now (without a broker nothing retries them in the background: cron this)."""

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from ecommerce.common.email import emails_resend
from ecommerce.common.models import Email, EmailStatus


class Command(BaseCommand):
    help = "Re-send dead-lettered emails (and, with --pending, pending ones that are due). Safe from cron."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--pending", action="store_true", help="Also send pending emails whose retry is due."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        ids = list(Email.objects.filter(status=EmailStatus.DEAD).values_list("pk", flat=True))
        if options["pending"]:
            ids += Email.objects.filter(
                status=EmailStatus.PENDING, next_attempt_at__lte=timezone.now()
            ).values_list("pk", flat=True)
        queued = emails_resend(ids=ids)
        statuses = dict.fromkeys(EmailStatus.values, 0)
        for status in Email.objects.filter(pk__in=queued).values_list("status", flat=True):
            statuses[status] += 1
        self.stdout.write(
            f"Queued {len(queued)}: sent {statuses['sent']}, pending {statuses['pending']}, "
            f"dead {statuses['dead']}."
        )
