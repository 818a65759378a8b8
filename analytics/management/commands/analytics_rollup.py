"""``python manage.py analytics_rollup [--from YYYY-MM-DD] [--to YYYY-MM-DD]``: rebuild the
dashboard's daily rollups from the orders (all days by default)."""

from __future__ import annotations

import time
from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from analytics.services import rollup_rebuild


class Command(BaseCommand):
    help = (
        "Recompute the analytics rollups from the orders (after a bulk import, after changing "
        "SHOP_TIME_ZONE, or to repair). Orders placed through the order services keep them current."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--from", dest="start", type=date.fromisoformat, help="First shop-local day.")
        parser.add_argument("--to", dest="end", type=date.fromisoformat, help="Last shop-local day.")

    def handle(self, *args: Any, **options: Any) -> None:
        began = time.perf_counter()
        result = rollup_rebuild(start=options["start"], end=options["end"])
        self.stdout.write(
            f"Rebuilt {result.order_rows} order rows and {result.product_rows} product rows "
            f"in {time.perf_counter() - began:.1f} s."
        )
