"""The order's check constraint ``order_total_is_its_breakdown`` accepts every exact breakdown
and refuses an inexact one, on every database (SQLite computes the sum in floating point:
109.95 − 21.49 is 88.46000000000001 there, so the constraint compares within half a cent)."""

from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from orders.models import Order

pytestmark = pytest.mark.django_db

# (subtotal, discount, shipping, tax): totals a checkout computes, inexact in binary floating point
EXACT = [
    ("109.95", "21.49", "0.00", "0.00"),
    ("62.99", "12.50", "4.90", "10.53"),
    ("0.30", "0.10", "0.00", "0.00"),
]


def _order(subtotal: str, discount: str, shipping: str, tax: str, total: Decimal) -> Order:
    return Order.objects.create(
        currency="USD",
        subtotal=Decimal(subtotal),
        discount_total=Decimal(discount),
        shipping_total=Decimal(shipping),
        tax_total=Decimal(tax),
        total_amount=total,
    )


def test_every_exact_breakdown_is_accepted(request):
    for subtotal, discount, shipping, tax in EXACT:
        total = Decimal(subtotal) - Decimal(discount) + Decimal(shipping) + Decimal(tax)
        assert _order(subtotal, discount, shipping, tax, total).pk


def test_a_total_off_by_a_cent_is_refused():
    with pytest.raises(IntegrityError), transaction.atomic():
        _order("62.99", "12.50", "4.90", "10.53", Decimal("65.93"))
