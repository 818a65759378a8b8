"""``python manage.py outbox_sweep``: what the beat task ``outbox_sweep`` does, for a shop that
runs without a broker (cron it): dispatch overdue outbox events and send overdue emails."""

from typing import Any

from django.core.management.base import BaseCommand

from ecommerce.events.tasks import outbox_sweep


class Command(BaseCommand):
    help = "Dispatch outbox events and send emails that are overdue (OUTBOX_SWEEP_AFTER_SECONDS)."

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(f"Re-sent {outbox_sweep()} overdue events and emails.")
