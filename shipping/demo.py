"""Demo shipping zones and methods for ``manage.py seed_demo`` (once; safe to run again)."""

from __future__ import annotations

from decimal import Decimal

from .models import RateType, ShippingZone
from .services import shipping_zone_create

D = Decimal


def demo_shipping_seed() -> int:
    """Zones for the United States, Canada and Mexico, Europe and the rest of the world, each with
    its methods; nothing when zones exist. Returns the number of zones created."""
    if ShippingZone.objects.exists():
        return 0
    shipping_zone_create(
        name="United States",
        countries=["US"],
        methods=[
            {
                "name": "Standard",
                "rate_type": RateType.SUBTOTAL_TIERS,
                "price": D("6.99"),
                "tiers": [{"from": D("25.00"), "price": D("4.99")}],
                "free_above": D("75.00"),
                "min_days": 3,
                "max_days": 5,
            },
            {"name": "Express", "price": D("14.99"), "min_days": 1, "max_days": 2},
        ],
    )
    shipping_zone_create(
        name="Canada and Mexico",
        countries=["CA", "MX"],
        methods=[{"name": "Standard", "price": D("12.99"), "min_days": 5, "max_days": 8}],
    )
    shipping_zone_create(
        name="Europe",
        countries=["AT", "BE", "CH", "DE", "DK", "ES", "FR", "GB", "IE", "IT", "NL", "PL", "PT", "SE"],
        methods=[
            {
                "name": "International parcel",
                "rate_type": RateType.WEIGHT_TIERS,
                "price": D("14.99"),
                "tiers": [
                    {"from": D("2000"), "price": D("24.99")},
                    {"from": D("10000"), "price": D("39.99")},
                ],
                "min_days": 5,
                "max_days": 10,
            }
        ],
    )
    shipping_zone_create(
        name="Rest of the world",
        countries=["*"],
        methods=[{"name": "International", "price": D("29.99"), "min_days": 7, "max_days": 21}],
    )
    return 4
