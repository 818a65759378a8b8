"""Demo vouchers and promotions for ``manage.py seed_demo`` (once; safe to run again)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from catalog.models import Category

from .models import Promotion, Voucher
from .services import promotion_create, voucher_create


def demo_discounts_seed() -> tuple[int, int]:
    """Vouchers WELCOME10 (10 %, once per customer), SAVE5 (5 off from 30) and SHIPFREE (free
    shipping, 100 uses), and two promotions running now: free shipping over 100 and 15 % off the
    first category. Nothing when vouchers or promotions exist. Returns (vouchers, promotions)."""
    if Voucher.objects.exists() or Promotion.objects.exists():
        return 0, 0
    voucher_create(
        data={
            "code": "WELCOME10",
            "kind": "percentage",
            "value": Decimal("10"),
            "usage_limit_per_customer": 1,
        }
    )
    voucher_create(
        data={"code": "SAVE5", "kind": "fixed", "value": Decimal("5"), "min_subtotal": Decimal("30")}
    )
    voucher_create(data={"code": "SHIPFREE", "kind": "free_shipping", "usage_limit": 100})
    now = timezone.now()
    promotion_create(
        data={
            "name": "Free shipping over 100",
            "kind": "free_shipping",
            "min_subtotal": Decimal("100"),
            "starts_at": now - timedelta(days=1),
            "ends_at": now + timedelta(days=365),
        }
    )
    promotions = 1
    category = Category.objects.filter(parent=None).order_by("position", "name").first()
    if category is not None:
        promotion_create(
            data={
                "name": f"{category.name} week",
                "kind": "percentage",
                "value": Decimal("15"),
                "applies_to": {"categories": [category.public_id]},
                "starts_at": now - timedelta(days=1),
                "ends_at": now + timedelta(days=7),
            }
        )
        promotions += 1
    return 3, promotions
