"""``python manage.py seed_demo [--products N] [--customers N]``: the demo admin and customer,
demo customers with addresses, a demo catalog and, on a shop without orders, 90 days of order
history with timelines and stock ledger (idempotent). What it makes: docs/admin.md."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from accounts.demo import DEMO_ACCOUNTS, demo_customers_seed, demo_users_seed
from analytics.demo import demo_orders_seed
from catalog.demo import demo_catalog_seed, demo_images_seed
from discounts.demo import demo_discounts_seed
from orders.models import Order
from shipping.demo import demo_shipping_seed
from taxes.demo import demo_tax_rates_seed


class Command(BaseCommand):
    help = "Create the demo admin and customer and a demo catalog. Safe to run again."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--products", type=int, default=200, help="How many products the catalog holds.")
        parser.add_argument("--customers", type=int, default=80, help="How many demo customers exist.")
        parser.add_argument("--no-orders", action="store_true", help="Do not create the demo order history.")

    def handle(self, *args: Any, **options: Any) -> None:
        demo_users_seed()
        for account in DEMO_ACCOUNTS:
            self.stdout.write(f"Demo {account.role}: {account.email} / {account.password}")
        customers = demo_customers_seed(count=options["customers"])
        self.stdout.write(f"Demo customers: {customers} created")
        created = demo_catalog_seed(products=options["products"])
        self.stdout.write(f"Demo catalog: {created} products created")
        self.stdout.write(f"Demo images: {demo_images_seed()} pictures generated")
        self.stdout.write(f"Demo shipping zones: {demo_shipping_seed()} created")
        self.stdout.write(f"Demo tax rates: {demo_tax_rates_seed()} created")
        vouchers, promotions = demo_discounts_seed()
        self.stdout.write(f"Demo discounts: {vouchers} vouchers, {promotions} promotions created")
        if not options["no_orders"] and not Order.objects.exists():
            self.stdout.write(f"Demo order history: {demo_orders_seed()} orders over 90 days")
