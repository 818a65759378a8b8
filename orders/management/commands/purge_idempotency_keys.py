"""``python manage.py purge_idempotency_keys``: delete checkout idempotency keys past retention."""

from typing import Any

from django.core.management.base import BaseCommand

from orders.services import idempotency_keys_purge


class Command(BaseCommand):
    help = "Delete Idempotency-Key records older than IDEMPOTENCY_KEY_TTL_HOURS (default 24)."

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(f"Deleted {idempotency_keys_purge()} idempotency keys.")
