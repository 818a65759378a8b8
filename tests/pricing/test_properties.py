"""Properties of the pricing function over random carts, shipping and discounts (hypothesis,
derandomized: the same examples on every run). The bounds are proven in docs/pricing.md."""

from __future__ import annotations

from dataclasses import dataclass, replace
from decimal import ROUND_FLOOR, Decimal, localcontext
from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st

from pricing.engine import price
from pricing.money import from_minor, round_money, to_minor
from pricing.types import (
    DiscountInput,
    DiscountKind,
    DiscountSource,
    LineInput,
    Pricing,
    Scope,
    ShippingInput,
)

PROPERTY = settings(max_examples=250, deadline=None, derandomize=True, database=None)

VOUCHER, PROMOTION = DiscountSource.VOUCHER, DiscountSource.PROMOTION
PERCENTAGE, FIXED, FREE_SHIPPING = DiscountKind.PERCENTAGE, DiscountKind.FIXED, DiscountKind.FREE_SHIPPING
EVERY_DISCOUNT = [
    (PROMOTION, PERCENTAGE),
    (PROMOTION, FREE_SHIPPING),
    (VOUCHER, PERCENTAGE),
    (VOUCHER, FIXED),
    (VOUCHER, FREE_SHIPPING),
]
# the discounts whose meaning does not change with the basis (a fixed 5.00 is gross in one, net in the other)
BASIS_FREE_DISCOUNTS = [(PROMOTION, PERCENTAGE), (VOUCHER, PERCENTAGE), (PROMOTION, FREE_SHIPPING)]
PRODUCTS = ["prd_0", "prd_1", "prd_2"]
CATEGORIES = ["cat_0", "cat_1", "cat_2"]
VARIANTS = [f"var_{n}" for n in range(5)]

amounts = st.integers(min_value=0, max_value=50_000).map(from_minor)
rates = st.one_of(
    st.sampled_from([Decimal("0"), Decimal("7"), Decimal("19"), Decimal("20.00"), Decimal("25")]),
    st.decimals(min_value=0, max_value=30, places=2),
)
percentages = st.decimals(min_value=Decimal("0.01"), max_value=100, places=2)
scopes = st.one_of(
    st.just(Scope()),
    st.builds(
        Scope,
        categories=st.frozensets(st.sampled_from(CATEGORIES), max_size=2),
        products=st.frozensets(st.sampled_from(PRODUCTS), max_size=1),
        variants=st.frozensets(st.sampled_from(VARIANTS), max_size=2),
    ),
)
shippings = st.none() | st.builds(
    ShippingInput, key=st.just("shm_standard"), price=st.integers(0, 3_000).map(from_minor), tax_rate=rates
)


@st.composite
def carts(draw: st.DrawFn) -> list[LineInput]:
    return [
        LineInput(
            key=variant,
            product_key=draw(st.sampled_from(PRODUCTS)),
            category_keys=draw(st.frozensets(st.sampled_from(CATEGORIES), max_size=2)),
            quantity=draw(st.integers(min_value=1, max_value=5)),
            unit_price=draw(amounts),
            tax_rate=draw(rates),
        )
        for variant in VARIANTS[: draw(st.integers(min_value=0, max_value=len(VARIANTS)))]
    ]


@st.composite
def discount_lists(
    draw: st.DrawFn, kinds: list[tuple[DiscountSource, DiscountKind]], min_subtotals: bool = True
) -> list[DiscountInput]:
    discounts = []
    for n in range(draw(st.integers(min_value=0, max_value=5))):
        source, kind = draw(st.sampled_from(kinds))
        if kind == PERCENTAGE:
            value = draw(percentages)
        elif kind == FIXED:
            value = draw(st.integers(min_value=1, max_value=30_000).map(from_minor))
        else:
            value = Decimal("0")
        minimum = draw(st.none() | st.integers(0, 150_000).map(from_minor)) if min_subtotals else None
        discounts.append(DiscountInput(f"d{n}", source, kind, value, draw(scopes), minimum))
    return discounts


@dataclass(frozen=True)
class Case:
    lines: list[LineInput]
    shipping: ShippingInput | None
    discounts: list[DiscountInput]
    gross: bool

    def price(self) -> Pricing:
        return price(
            self.lines, shipping=self.shipping, discounts=self.discounts, prices_include_tax=self.gross
        )


cases = st.builds(Case, carts(), shippings, discount_lists(EVERY_DISCOUNT), st.booleans())


def _amounts(pricing: Pricing) -> list[Decimal]:
    amounts = [
        pricing.subtotal,
        pricing.discount,
        pricing.shipping,
        pricing.shipping_discount,
        pricing.shipping_tax,
        pricing.tax,
        pricing.total,
        pricing.subtotal_entered,
    ]
    for line in pricing.lines:
        amounts += [
            line.unit_price_net,
            line.unit_price_gross,
            line.subtotal,
            line.discount,
            line.tax,
            line.total,
        ]
        amounts += [amount for _, amount in line.discounts]
    for row in pricing.tax_breakdown:
        amounts += [row.base, row.tax]
    return amounts


@PROPERTY
@given(case=cases)
def test_price_total_is_subtotal_minus_discount_plus_shipping_plus_tax_exactly(case: Case) -> None:
    pricing = case.price()
    assert pricing.total == pricing.subtotal - pricing.discount + pricing.shipping + pricing.tax
    assert pricing.subtotal == sum(line.subtotal for line in pricing.lines)
    assert pricing.discount == sum(line.discount for line in pricing.lines) + pricing.shipping_discount
    for line in pricing.lines:
        assert line.total == line.subtotal - line.discount + line.tax
    # the same in minor units (what the API's totals_minor show): every amount is whole cents
    minor = {
        name: to_minor(getattr(pricing, name))
        for name in ("subtotal", "discount", "shipping", "tax", "total")
    }
    assert minor["total"] == minor["subtotal"] - minor["discount"] + minor["shipping"] + minor["tax"]
    assert all(amount.as_tuple().exponent == -2 for amount in _amounts(pricing))


@PROPERTY
@given(case=cases)
def test_price_discount_is_between_zero_and_what_it_may_take(case: Case) -> None:
    pricing = case.price()
    free_shipping = {d.key for d in case.discounts if d.kind == FREE_SHIPPING} & set(pricing.applied)
    assert 0 <= pricing.discount <= pricing.subtotal + (pricing.shipping if free_shipping else 0)
    assert pricing.shipping_discount == (pricing.shipping if free_shipping else 0)


@PROPERTY
@given(case=cases)
def test_price_leaves_no_line_amount_negative(case: Case) -> None:
    pricing = case.price()
    assert all(amount >= 0 for amount in _amounts(pricing))
    for line, given_line in zip(pricing.lines, case.lines, strict=True):
        assert line.discount <= line.subtotal
        assert sum(amount for _, amount in line.discounts) <= given_line.unit_price * given_line.quantity
    assert pricing.shipping_discount <= pricing.shipping


@PROPERTY
@given(case=cases)
def test_price_allocations_of_each_discount_sum_to_its_amount(case: Case) -> None:
    """Each discount's amount, recomputed from the rules, equals the sum of its shares over the
    lines; each voucher's shares are within a cent of the proportion of what was left."""
    pricing = case.price()
    entered = [line.unit_price * line.quantity for line in case.lines]
    remaining = list(entered)
    shares = [dict(line.discounts) for line in pricing.lines]

    def eligible(discount: DiscountInput) -> list[int]:
        if discount.min_subtotal is not None and discount.min_subtotal > sum(entered):
            return []
        s = discount.scope
        return [
            i
            for i, line in enumerate(case.lines)
            if not (s.variants or s.products or s.categories)
            or line.key in s.variants
            or line.product_key in s.products
            or s.categories & line.category_keys
        ]

    promotions = [d for d in case.discounts if d.source == PROMOTION and d.kind == PERCENTAGE]
    order = [d.key for d in promotions]
    for i in range(len(case.lines)):
        offered = [d for d in promotions if i in eligible(d)]
        taken = [d.key for d in promotions if d.key in shares[i]]
        if offered:
            best = max(offered, key=lambda d: d.value)  # the first of the largest
            amount = round_money(remaining[i] * best.value / 100)
            assert shares[i].get(best.key, Decimal(0)) == amount
            assert taken == ([best.key] if amount else [])
            remaining[i] -= amount
        else:
            assert taken == []

    vouchers = [
        d for kind in (PERCENTAGE, FIXED) for d in case.discounts if d.source == VOUCHER and d.kind == kind
    ]
    for voucher in vouchers:
        order.append(voucher.key)
        lines = eligible(voucher)
        assert all(voucher.key not in shares[i] for i in range(len(case.lines)) if i not in lines)
        base = sum((remaining[i] for i in lines), Decimal(0))
        amount = (
            round_money(base * voucher.value / 100)
            if voucher.kind == PERCENTAGE
            else min(voucher.value, base)
        )
        got = {i: shares[i].get(voucher.key, Decimal(0)) for i in lines}
        assert sum(got.values()) == amount
        for i, share in got.items():
            assert 0 <= share <= remaining[i]
            if base:  # within a cent of the proportion
                assert abs(share * base - amount * remaining[i]) < base * Decimal("0.01")
            remaining[i] -= share

    for line in pricing.lines:  # shares appear in the order they were taken
        keys = [key for key, _ in line.discounts]
        assert keys == sorted(keys, key=order.index)
    assert all(amount > 0 for line in pricing.lines for _, amount in line.discounts)


@PROPERTY
@given(case=cases)
def test_price_line_taxes_and_shipping_tax_make_the_tax_and_the_breakdown(case: Case) -> None:
    pricing = case.price()
    assert pricing.tax == sum(line.tax for line in pricing.lines) + pricing.shipping_tax
    assert pricing.tax == sum(row.tax for row in pricing.tax_breakdown)
    assert sum(row.base for row in pricing.tax_breakdown) == pricing.total - pricing.tax
    rates = [row.rate for row in pricing.tax_breakdown]
    assert rates == sorted(set(rates))
    assert set(rates) == {line.tax_rate for line in case.lines} | (
        {case.shipping.tax_rate} if case.shipping else set()
    )


@PROPERTY
@given(case=cases)
def test_price_is_deterministic_whatever_the_decimal_context(case: Case) -> None:
    first = case.price()
    assert case.price() == first
    with localcontext() as context:
        context.prec = 6
        context.rounding = ROUND_FLOOR
        assert case.price() == first


@PROPERTY
@given(case=cases)
def test_price_applies_or_rejects_every_discount_once_in_input_order(case: Case) -> None:
    pricing = case.price()
    keys = [d.key for d in case.discounts]
    rejected = [key for key, _ in pricing.rejected]
    assert sorted(list(pricing.applied) + rejected) == sorted(keys)
    assert list(pricing.applied) == [key for key in keys if key in pricing.applied]
    assert rejected == [key for key in keys if key in rejected]
    assert {reason for _, reason in pricing.rejected} <= {"min_subtotal", "not_applicable", "superseded"}
    discounted = {key for line in pricing.lines for key, _ in line.discounts}
    assert discounted <= set(pricing.applied)


# --- net and gross entry agree (docs/pricing.md, "Gross and net entry agree") -----------------------
def _gross(amount: Decimal, rate: Decimal) -> Decimal:
    return round_money(amount * (100 + rate) / 100)


def _bound(line: LineInput, discounts: list[DiscountInput]) -> Fraction:
    """The proven bound, in cents, on |line total (gross entry) - line total (net entry)|."""

    def covers(discount: DiscountInput) -> bool:
        s = discount.scope
        return not (s.variants or s.products or s.categories) or bool(
            line.key in s.variants or line.product_key in s.products or s.categories & line.category_keys
        )

    promoted = any(d.source == PROMOTION and d.kind == PERCENTAGE and covers(d) for d in discounts)
    vouchers = sum(1 for d in discounts if d.source == VOUCHER and d.kind == PERCENTAGE and covers(d))
    if not promoted and not vouchers:
        return Fraction(line.quantity // 2)
    k = 1 + Fraction(line.tax_rate) / 100
    return Fraction(line.quantity, 2) + Fraction(1, 2) + promoted * (1 + k) / 2 + vouchers * 3 * (1 + k) / 2


@PROPERTY
@given(
    lines=carts(),
    shipping=shippings,
    discounts=discount_lists(BASIS_FREE_DISCOUNTS, min_subtotals=False),
)
def test_price_net_and_gross_entry_agree_within_the_documented_bound(
    lines: list[LineInput], shipping: ShippingInput | None, discounts: list[DiscountInput]
) -> None:
    net = price(lines, shipping=shipping, discounts=discounts, prices_include_tax=False)
    gross = price(
        [replace(line, unit_price=_gross(line.unit_price, line.tax_rate)) for line in lines],
        shipping=shipping and replace(shipping, price=_gross(shipping.price, shipping.tax_rate)),
        discounts=discounts,
        prices_include_tax=True,
    )
    bounds = [_bound(line, discounts) for line in lines]
    for bound, on_net, on_gross in zip(bounds, net.lines, gross.lines, strict=True):
        assert abs(to_minor(on_gross.total) - to_minor(on_net.total)) <= bound
    # the shipping agrees exactly
    assert gross.shipping - gross.shipping_discount + gross.shipping_tax == (
        net.shipping - net.shipping_discount + net.shipping_tax
    )
    assert abs(to_minor(gross.total) - to_minor(net.total)) <= sum(bounds)


@PROPERTY
@given(lines=carts(), shipping=shippings)
def test_price_without_discounts_single_units_agree_exactly_in_both_entries(
    lines: list[LineInput], shipping: ShippingInput | None
) -> None:
    lines = [replace(line, quantity=1) for line in lines]
    net = price(lines, shipping=shipping, discounts=[], prices_include_tax=False)
    gross = price(
        [replace(line, unit_price=_gross(line.unit_price, line.tax_rate)) for line in lines],
        shipping=shipping and replace(shipping, price=_gross(shipping.price, shipping.tax_rate)),
        discounts=[],
        prices_include_tax=True,
    )
    assert gross.total == net.total
    assert [line.total for line in gross.lines] == [line.total for line in net.lines]
