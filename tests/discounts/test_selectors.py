"""Which discounts apply (``vouchers_for_codes``, ``promotions_active``) and what the pricing
function receives (``discount_inputs``)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from discounts.exceptions import VoucherInvalid
from discounts.selectors import discount_inputs, promotions_active, vouchers_for_codes
from discounts.services import promotion_create, voucher_create
from pricing.types import DiscountInput, DiscountKind, DiscountSource, Scope
from tests.factories import CategoryFactory, ProductFactory

pytestmark = pytest.mark.django_db
D = Decimal


def test_codes_match_in_any_case_and_keep_their_order():
    now = timezone.now()
    ten = voucher_create(data={"code": "spring10", "kind": "percentage", "value": D("10")})
    ship = voucher_create(
        data={"code": "ShipFree", "kind": "free_shipping", "ends_at": now + timedelta(days=1)}
    )
    assert ten.code == "SPRING10" and ship.code == "SHIPFREE"
    assert vouchers_for_codes(codes=[" shipfree", "Spring10"], at=now) == [ship, ten]
    assert vouchers_for_codes(codes=[], at=now) == []


def test_every_unusable_code_is_named_by_its_position():
    now = timezone.now()
    voucher_create(data={"code": "OFF", "kind": "fixed", "value": D("5"), "is_active": False})
    voucher_create(
        data={"code": "LATER", "kind": "fixed", "value": D("5"), "starts_at": now + timedelta(hours=1)}
    )
    voucher_create(data={"code": "OVER", "kind": "fixed", "value": D("5"), "ends_at": now})
    voucher_create(
        data={
            "code": "OK",
            "kind": "fixed",
            "value": D("5"),
            "starts_at": now,
            "ends_at": now + timedelta(seconds=1),
        }
    )
    with pytest.raises(VoucherInvalid) as caught:
        vouchers_for_codes(codes=["OK", "nope", "off", "later", "over", "ok"], at=now)
    error = caught.value
    assert (error.status_code, error.code) == (400, "VOUCHER_INVALID")
    assert error.details == {
        "discount_codes.1": "unknown",
        "discount_codes.2": "inactive",
        "discount_codes.3": "not started",
        "discount_codes.4": "ended",
        "discount_codes.5": "duplicate",
    }


def test_promotions_active_at_a_moment():
    now = timezone.now()
    running = promotion_create(
        data={
            "name": "Week",
            "kind": "percentage",
            "value": D("15"),
            "starts_at": now - timedelta(days=1),
            "ends_at": now + timedelta(days=1),
        }
    )
    promotion_create(
        data={
            "name": "Off",
            "kind": "free_shipping",
            "starts_at": now - timedelta(days=1),
            "ends_at": now + timedelta(days=1),
            "is_active": False,
        }
    )
    promotion_create(
        data={"name": "Over", "kind": "free_shipping", "starts_at": now - timedelta(days=2), "ends_at": now}
    )
    promotion_create(
        data={
            "name": "Soon",
            "kind": "free_shipping",
            "starts_at": now + timedelta(seconds=1),
            "ends_at": now + timedelta(days=2),
        }
    )
    assert promotions_active(at=now) == [running]


def test_discount_inputs_carry_public_ids_and_a_category_covers_its_subtree(django_assert_num_queries):
    now = timezone.now()
    coffee = CategoryFactory()
    espresso = CategoryFactory(parent=coffee)
    beans = CategoryFactory(parent=espresso)
    tea = CategoryFactory()
    mug = ProductFactory()
    variant = mug.variants.get()
    promotion_create(
        data={
            "name": "Coffee week",
            "kind": "percentage",
            "value": D("15"),
            "starts_at": now - timedelta(days=1),
            "ends_at": now + timedelta(days=1),
            "applies_to": {"categories": [coffee.public_id]},
        }
    )
    promotion_create(
        data={
            "name": "Ship",
            "kind": "free_shipping",
            "value": D("3"),
            "min_subtotal": D("50"),
            "starts_at": now - timedelta(days=1),
            "ends_at": now + timedelta(days=1),
        }
    )
    voucher_create(
        data={
            "code": "MUG5",
            "kind": "fixed",
            "value": D("5"),
            "applies_to": {
                "products": [mug.public_id],
                "variants": [variant.public_id],
                "categories": [tea.public_id],
            },
        }
    )
    with django_assert_num_queries(8):  # 2 x (rows + 3 scopes), no more
        vouchers = vouchers_for_codes(codes=["mug5"], at=now)
        promotions = promotions_active(at=now)
    with django_assert_num_queries(1):  # the category tree
        inputs = discount_inputs(vouchers=vouchers, promotions=promotions)
    week, ship = promotions
    assert inputs == [
        DiscountInput(
            key=week.public_id,
            source=DiscountSource.PROMOTION,
            kind=DiscountKind.PERCENTAGE,
            value=D("15.00"),
            scope=Scope(categories=frozenset({coffee.public_id, espresso.public_id, beans.public_id})),
        ),
        DiscountInput(
            key=ship.public_id,
            source=DiscountSource.PROMOTION,
            kind=DiscountKind.FREE_SHIPPING,
            value=D("0.00"),
            min_subtotal=D("50.00"),
        ),
        DiscountInput(
            key="MUG5",
            source=DiscountSource.VOUCHER,
            kind=DiscountKind.FIXED,
            value=D("5.00"),
            scope=Scope(
                categories=frozenset({tea.public_id}),
                products=frozenset({mug.public_id}),
                variants=frozenset({variant.public_id}),
            ),
        ),
    ]
    assert discount_inputs(vouchers=[], promotions=[]) == []
