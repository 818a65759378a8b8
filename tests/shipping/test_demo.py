"""``seed_demo`` configures the shop (zones, methods, tax rates, vouchers, promotions) once, and
the demo configuration answers the checkout's functions."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.management import call_command
from django.utils import timezone

from discounts.models import Promotion, Voucher
from discounts.selectors import promotions_active, vouchers_for_codes
from shipping.models import ShippingMethod, ShippingZone
from shipping.selectors import shipping_methods_available
from taxes.models import TaxRate
from taxes.selectors import tax_rates_for


@pytest.mark.django_db
def test_seed_demo_configures_the_shop_once(capsys):
    call_command("seed_demo", "--products", "5", "--customers", "2", "--no-orders")
    counts = (ShippingZone.objects.count(), ShippingMethod.objects.count(), TaxRate.objects.count())
    assert counts == (4, 5, 9) and Voucher.objects.count() == 3 and Promotion.objects.count() == 2
    call_command("seed_demo", "--products", "5", "--customers", "2", "--no-orders")
    out = capsys.readouterr().out
    assert "Demo shipping zones: 0 created" in out and "Demo discounts: 0 vouchers, 0 promotions" in out
    assert ShippingZone.objects.count() == 4 and Voucher.objects.count() == 3

    us = shipping_methods_available(country="US", region="CA", subtotal=Decimal("30.00"), weight_grams=500)
    assert [(q.name, q.price) for q in us] == [("Standard", Decimal("4.99")), ("Express", Decimal("14.99"))]
    assert [
        q.name
        for q in shipping_methods_available(country="JP", region=None, subtotal=Decimal("1"), weight_grams=1)
    ] == ["International"]
    assert tax_rates_for(country="US", region="CA")["standard"] == Decimal("7.25")
    now = timezone.now()
    assert [v.code for v in vouchers_for_codes(codes=["welcome10", "SAVE5"], at=now)] == [
        "WELCOME10",
        "SAVE5",
    ]
    assert len(promotions_active(at=now)) == 2
