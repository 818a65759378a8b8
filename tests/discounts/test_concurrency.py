"""Voucher uses under real concurrency (PostgreSQL and MariaDB): many orders claiming the same
voucher at once never exceed its limits."""

from __future__ import annotations

import time
from collections import Counter
from decimal import Decimal

import pytest
from django.db import transaction

from discounts.exceptions import VoucherExhausted
from discounts.models import Voucher, VoucherUse
from discounts.services import voucher_create, voucher_uses_claim
from tests.factories import UserFactory
from tests.helpers.concurrency import requires_server_database, run_in_threads

pytestmark = [pytest.mark.concurrency, pytest.mark.django_db(transaction=True)]


def _complete(voucher: Voucher, index: int, *, user_id: int | None = None, email: str = "") -> str:
    """One order's transaction: claim, then stay open a moment (as the rest of a checkout would),
    so that the other claims arrive while it holds the voucher's row."""
    try:
        with transaction.atomic(durable=True):
            voucher_uses_claim(
                vouchers=[voucher],
                order_ref=f"ord_{index}",
                user_id=user_id,
                email=email or f"c{index}@example.com",
            )
            time.sleep(0.05)
        return "placed"
    except VoucherExhausted:
        return "exhausted"


def test_fifty_orders_for_a_voucher_limited_to_ten_place_exactly_ten():
    requires_server_database()
    voucher = voucher_create(
        data={"code": "TEN", "kind": "percentage", "value": Decimal("10"), "usage_limit": 10}
    )

    results = run_in_threads(lambda index: _complete(voucher, index), 50)

    assert Counter(results) == {"placed": 10, "exhausted": 40}
    voucher.refresh_from_db()
    assert voucher.used_count == 10
    assert VoucherUse.objects.filter(voucher=voucher).count() == 10


def test_ten_orders_of_one_customer_with_one_use_each_place_exactly_one():
    requires_server_database()
    user = UserFactory()
    voucher = voucher_create(
        data={"code": "ONCE", "kind": "fixed", "value": Decimal("5"), "usage_limit_per_customer": 1}
    )

    results = run_in_threads(lambda index: _complete(voucher, index, user_id=user.pk, email=user.email), 10)

    assert Counter(results) == {"placed": 1, "exhausted": 9}
    voucher.refresh_from_db()
    assert voucher.used_count == 1
    assert VoucherUse.objects.filter(voucher=voucher, user=user).count() == 1
