"""Voucher uses: claimed when an order is placed (total and per-customer limits, atomically),
released once when it fails or is cancelled."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import transaction

from accounts.services import user_delete
from discounts.exceptions import VoucherExhausted
from discounts.models import Voucher, VoucherUse
from discounts.services import voucher_create, voucher_uses_claim, voucher_uses_release
from tests.factories import UserFactory
from tests.helpers import PASSWORD

pytestmark = pytest.mark.django_db
D = Decimal


def _voucher(code: str = "TEN", **extra) -> Voucher:
    return voucher_create(data={"code": code, "kind": "percentage", "value": D("10"), **extra})


def _state(voucher: Voucher) -> tuple[int, int]:
    voucher.refresh_from_db()
    return voucher.used_count, VoucherUse.objects.filter(voucher=voucher, released_at__isnull=True).count()


def test_a_claim_counts_one_use_per_voucher_and_records_it():
    ten, five = _voucher(), _voucher("FIVE", usage_limit=5)
    user = UserFactory()
    voucher_uses_claim(vouchers=[five, ten], order_ref="ord_1", user_id=user.pk, email="Ada@Example.com")
    assert _state(ten) == (1, 1) and _state(five) == (1, 1)
    use = VoucherUse.objects.get(voucher=ten)
    assert (use.order_ref, use.user_id, use.email, use.released_at) == (
        "ord_1",
        user.pk,
        "ada@example.com",
        None,
    )
    # the same order again (a retried completion): not counted twice
    voucher_uses_claim(vouchers=[ten], order_ref="ord_1", user_id=user.pk, email="ada@example.com")
    assert _state(ten) == (1, 1)


def test_the_usage_limit_is_a_409_naming_the_code_and_nothing_of_the_call_stays():
    ten, one = _voucher(), _voucher("ONE", usage_limit=1)
    voucher_uses_claim(vouchers=[one], order_ref="ord_1", user_id=None, email="a@example.com")
    with pytest.raises(VoucherExhausted) as caught:
        voucher_uses_claim(vouchers=[ten, one], order_ref="ord_2", user_id=None, email="b@example.com")
    assert (caught.value.status_code, caught.value.code) == (409, "VOUCHER_EXHAUSTED")
    assert caught.value.details == {"ONE": "usage limit reached"}
    assert _state(ten) == (0, 0) and _state(one) == (1, 1)  # TEN (claimed first, by pk) rolled back


def test_an_inactive_voucher_cannot_be_claimed():
    off = _voucher(is_active=False)
    with pytest.raises(VoucherExhausted):
        voucher_uses_claim(vouchers=[off], order_ref="ord_1", user_id=None, email="a@example.com")
    assert _state(off) == (0, 0)


def test_the_per_customer_limit_counts_the_account_and_the_email():
    once = _voucher(usage_limit_per_customer=1)
    ada, bob = UserFactory(), UserFactory()
    voucher_uses_claim(vouchers=[once], order_ref="ord_1", user_id=ada.pk, email="ada@example.com")
    for user_id, email in [
        (ada.pk, "other@example.com"),
        (None, "ADA@example.com"),
        (bob.pk, "ada@example.com"),
    ]:
        with pytest.raises(VoucherExhausted) as caught:
            voucher_uses_claim(vouchers=[once], order_ref="ord_x", user_id=user_id, email=email)
        assert caught.value.details == {"TEN": "usage limit per customer reached"}
    voucher_uses_claim(vouchers=[once], order_ref="ord_2", user_id=bob.pk, email="bob@example.com")
    assert _state(once) == (2, 2)
    # a released use no longer counts
    voucher_uses_release(order_ref="ord_1")
    voucher_uses_claim(vouchers=[once], order_ref="ord_3", user_id=None, email="ada@example.com")
    assert _state(once) == (2, 2)


def test_release_gives_the_uses_back_once():
    ten, one = _voucher(), _voucher("ONE", usage_limit=1)
    voucher_uses_claim(vouchers=[ten, one], order_ref="ord_1", user_id=None, email="a@example.com")
    voucher_uses_claim(vouchers=[ten], order_ref="ord_2", user_id=None, email="b@example.com")
    voucher_uses_release(order_ref="ord_1")
    assert _state(ten) == (1, 1) and _state(one) == (0, 0)
    assert VoucherUse.objects.filter(order_ref="ord_1", released_at__isnull=False).count() == 2
    voucher_uses_release(order_ref="ord_1")  # twice: nothing more
    voucher_uses_release(order_ref="ord_unknown")
    assert _state(ten) == (1, 1) and _state(one) == (0, 0)
    # the use given back can be taken by another order
    voucher_uses_claim(vouchers=[one], order_ref="ord_3", user_id=None, email="c@example.com")
    assert _state(one) == (1, 1)


def test_a_claim_inside_the_callers_transaction_goes_with_its_rollback():
    ten = _voucher()
    with pytest.raises(RuntimeError), transaction.atomic():
        voucher_uses_claim(vouchers=[ten], order_ref="ord_1", user_id=None, email="a@example.com")
        raise RuntimeError("payment phase failed")
    assert _state(ten) == (0, 0)


def test_deleting_an_account_forgets_the_email_of_its_uses():
    ten = _voucher()
    ada = UserFactory()
    voucher_uses_claim(vouchers=[ten], order_ref="ord_1", user_id=ada.pk, email=ada.email)
    user_delete(user=ada, password=PASSWORD)
    use = VoucherUse.objects.get()
    assert (use.user_id, use.email) == (None, "")
    assert _state(ten) == (1, 1)
