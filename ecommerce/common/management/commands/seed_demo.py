"""``python manage.py seed_demo [--products N]``: demo users, a demo catalog and, on an empty
shop, 90 days of demo order history for the dashboard (idempotent)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from accounts.demo import DEMO_ACCOUNTS, demo_users_seed
from analytics.demo import demo_orders_seed
from catalog.demo import demo_catalog_seed
from orders.models import Order


class Command(BaseCommand):
    help = "Create the demo admin and customer and a demo catalog. Safe to run again."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--products", type=int, default=200, help="How many products the catalog holds.")
        parser.add_argument("--no-orders", action="store_true", help="Do not create the demo order history.")

    def handle(self, *args: Any, **options: Any) -> None:
        demo_users_seed()
        for account in DEMO_ACCOUNTS:
            self.stdout.write(f"Demo {account.role}: {account.email} / {account.password}")
        created = demo_catalog_seed(products=options["products"])
        self.stdout.write(f"Demo catalog: {created} products created")
        if not options["no_orders"] and not Order.objects.exists():
            self.stdout.write(f"Demo order history: {demo_orders_seed()} orders over 90 days")
