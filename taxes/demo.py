"""Demo tax rates for ``manage.py seed_demo`` (once; safe to run again)."""

from __future__ import annotations

from decimal import Decimal

from .models import TaxRate
from .services import tax_rate_create

# (country, region, class, percent)
DEMO_RATES = [
    ("US", "CA", "standard", "7.25"),
    ("US", "NY", "standard", "4.00"),
    ("US", "TX", "standard", "6.25"),
    ("DE", None, "standard", "19.00"),
    ("DE", None, "reduced", "7.00"),
    ("FR", None, "standard", "20.00"),
    ("FR", None, "reduced", "5.50"),
    ("GB", None, "standard", "20.00"),
    ("GB", None, "reduced", "5.00"),
]


def demo_tax_rates_seed() -> int:
    """A few US state rates and European rates; nothing when rates exist. Returns how many."""
    if TaxRate.objects.exists():
        return 0
    for country, region, tax_class, rate in DEMO_RATES:
        tax_rate_create(country=country, region=region, tax_class=tax_class, rate=Decimal(rate))
    return len(DEMO_RATES)
