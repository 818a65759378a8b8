"""``python manage.py reconcile_pending_orders``: settle shop orders whose checkout died mid-way."""

from datetime import timedelta
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from orders.services import orders_pending_reconcile


class Command(BaseCommand):
    help = (
        "Ask the payment gateway about every shop order still pending after "
        "PENDING_ORDER_RECONCILE_AFTER_MINUTES (default 15): paid there -> paid; not paid -> "
        "payment_failed with its stock returned. Exits 1 if some could not be settled now."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--older-than-minutes",
            type=int,
            default=None,
            help="Override PENDING_ORDER_RECONCILE_AFTER_MINUTES for this run.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        minutes = options["older_than_minutes"]
        report = orders_pending_reconcile(
            older_than=timedelta(minutes=minutes) if minutes is not None else None
        )
        self.stdout.write(
            f"Paid: {len(report.paid)} {' '.join(report.paid)}\n"
            f"Failed: {len(report.failed)} {' '.join(report.failed)}\n"
            f"Still pending: {len(report.pending)} {' '.join(report.pending)}"
        )
        if report.pending:
            raise CommandError(
                f"{len(report.pending)} pending orders could not be settled now; run again later."
            )
