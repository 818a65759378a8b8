"""The pricing function's rules, one example each, with numbers computed by hand; the three worked
examples of docs/pricing.md are the first tests (the same numbers)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from pricing.engine import price
from pricing.types import DiscountInput, DiscountKind, DiscountSource, LineInput, RejectionReason, TaxLine
from tests.helpers.pricing import line, promotion, scope, shipping, voucher

PERCENTAGE, FIXED, FREE_SHIPPING = DiscountKind.PERCENTAGE, DiscountKind.FIXED, DiscountKind.FREE_SHIPPING


def D(value: str) -> Decimal:
    return Decimal(value)


def _amounts(pricing, *names: str) -> tuple[Decimal, ...]:
    return tuple(getattr(pricing, name) for name in names)


# --- the worked examples of docs/pricing.md ------------------------------------------------------
TEE = line("var_tee", "25.00", 2, categories=["cat_apparel"])
MUG = line("var_mug", "12.99", 1, categories=["cat_kitchen"])
SUMMER = promotion("prm_summer", PERCENTAGE, "15", applies_to=scope(categories=["cat_apparel"]))
SAVE5 = voucher("SAVE5", FIXED, "5.00")
TOTALS = ("subtotal", "discount", "shipping", "shipping_discount", "shipping_tax", "tax", "total")


def test_price_worked_example_1_net_entry() -> None:
    pricing = price(
        [TEE, MUG], shipping=shipping("4.90"), discounts=[SUMMER, SAVE5], prices_include_tax=False
    )

    tee, mug = pricing.lines
    # the tee: 50.00, promotion 15% = 7.50, then its share of SAVE5 (42.50 of 55.49) = 3.83
    assert tee.discounts == (("prm_summer", D("7.50")), ("SAVE5", D("3.83")))
    assert (tee.subtotal, tee.discount, tee.tax, tee.total) == (D("50.00"), D("11.33"), D("7.35"), D("46.02"))
    assert (tee.unit_price_net, tee.unit_price_gross) == (D("25.00"), D("29.75"))
    assert mug.discounts == (("SAVE5", D("1.17")),)
    assert (mug.subtotal, mug.discount, mug.tax, mug.total) == (D("12.99"), D("1.17"), D("2.25"), D("14.07"))
    assert _amounts(pricing, *TOTALS) == (
        D("62.99"),
        D("12.50"),
        D("4.90"),
        D("0.00"),
        D("0.93"),
        D("10.53"),
        D("65.92"),
    )
    assert pricing.subtotal_entered == D("62.99")
    assert pricing.applied == ("prm_summer", "SAVE5")
    assert pricing.rejected == ()
    assert pricing.tax_breakdown == (TaxLine(rate=D("19"), base=D("55.39"), tax=D("10.53")),)


def test_price_worked_example_2_gross_entry() -> None:
    pricing = price([TEE, MUG], shipping=shipping("4.90"), discounts=[SUMMER, SAVE5], prices_include_tax=True)

    tee, mug = pricing.lines
    # the same discounts as entered (gross); the tax is taken out of what is left: 38.67 * 19/119
    assert tee.discounts == (("prm_summer", D("7.50")), ("SAVE5", D("3.83")))
    assert (tee.subtotal, tee.discount, tee.tax, tee.total) == (D("42.02"), D("9.52"), D("6.17"), D("38.67"))
    assert (tee.unit_price_net, tee.unit_price_gross) == (D("21.01"), D("25.00"))
    assert (mug.subtotal, mug.discount, mug.tax, mug.total) == (D("10.92"), D("0.99"), D("1.89"), D("11.82"))
    assert _amounts(pricing, *TOTALS) == (
        D("52.94"),
        D("10.51"),
        D("4.12"),
        D("0.00"),
        D("0.78"),
        D("8.84"),
        D("55.39"),
    )
    assert pricing.subtotal_entered == D("62.99")
    assert pricing.tax_breakdown == (TaxLine(rate=D("19"), base=D("46.55"), tax=D("8.84")),)


FREESHIP = voucher("FREESHIP", FREE_SHIPPING, min_subtotal="50.00")
TEN_OFF = promotion("prm_ten", PERCENTAGE, "10")


def test_price_worked_example_3_free_shipping_from_a_minimum_subtotal() -> None:
    # 50.00 as entered reaches the minimum (which compares before discounts: 45.00 after the 10%)
    pricing = price(
        [line("var_tee", "25.00", 2)],
        shipping=shipping("4.90"),
        discounts=[TEN_OFF, FREESHIP],
        prices_include_tax=False,
    )
    assert pricing.lines[0].tax == D("8.55")
    assert _amounts(pricing, *TOTALS) == (
        D("50.00"),
        D("9.90"),
        D("4.90"),
        D("4.90"),
        D("0.00"),
        D("8.55"),
        D("53.55"),
    )
    assert pricing.applied == ("prm_ten", "FREESHIP")
    assert pricing.tax_breakdown == (TaxLine(rate=D("19"), base=D("45.00"), tax=D("8.55")),)

    # 25.00 does not: shipping is charged and taxed; 22.50 * 19% = 4.275 rounds half up to 4.28
    pricing = price(
        [line("var_tee", "25.00", 1)],
        shipping=shipping("4.90"),
        discounts=[TEN_OFF, FREESHIP],
        prices_include_tax=False,
    )
    assert pricing.lines[0].tax == D("4.28")
    assert _amounts(pricing, *TOTALS) == (
        D("25.00"),
        D("2.50"),
        D("4.90"),
        D("0.00"),
        D("0.93"),
        D("5.21"),
        D("32.61"),
    )
    assert pricing.applied == ("prm_ten",)
    assert pricing.rejected == (("FREESHIP", "min_subtotal"),)


# --- stacking ----------------------------------------------------------------------------------
def test_price_stacks_the_promotion_then_percentage_vouchers_then_fixed_vouchers() -> None:
    # the fixed voucher comes first in the input but acts after the percentage one:
    # 100.00 - 10% (10.00) = 90.00 - 10% (9.00) = 81.00 - 10.00 = 71.00 (fixed first: 72.00)
    pricing = price(
        [line("var_a", "100.00", rate="0")],
        shipping=None,
        discounts=[
            voucher("TENNER", FIXED, "10.00"),
            voucher("TENPC", PERCENTAGE, "10"),
            promotion("prm_ten", PERCENTAGE, "10"),
        ],
        prices_include_tax=False,
    )
    assert pricing.lines[0].discounts == (
        ("prm_ten", D("10.00")),
        ("TENPC", D("9.00")),
        ("TENNER", D("10.00")),
    )
    assert (pricing.discount, pricing.total) == (D("29.00"), D("71.00"))
    assert pricing.applied == ("TENNER", "TENPC", "prm_ten")  # input order


def test_price_vouchers_of_one_kind_act_in_input_order() -> None:
    # 30.00 first, then 100.00 capped at the 70.00 left (the other way round: 100.00 and nothing)
    pricing = price(
        [line("var_a", "100.00", rate="0")],
        shipping=None,
        discounts=[voucher("THIRTY", FIXED, "30.00"), voucher("HUNDRED", FIXED, "100.00")],
        prices_include_tax=False,
    )
    assert pricing.lines[0].discounts == (("THIRTY", D("30.00")), ("HUNDRED", D("70.00")))
    assert pricing.total == D("0.00")


def test_price_applies_only_the_largest_promotion_per_line() -> None:
    sale = scope(categories=["cat_sale"])
    pricing = price(
        [line("var_a", "100.00", rate="0", categories=["cat_sale"]), line("var_b", "100.00", rate="0")],
        shipping=None,
        discounts=[
            promotion("prm_all10", PERCENTAGE, "10"),
            promotion("prm_sale20", PERCENTAGE, "20", applies_to=sale),
            promotion("prm_sale25", PERCENTAGE, "25", applies_to=sale),
        ],
        prices_include_tax=False,
    )
    assert [line.discounts for line in pricing.lines] == [
        (("prm_sale25", D("25.00")),),
        (("prm_all10", D("10.00")),),
    ]
    assert pricing.applied == ("prm_all10", "prm_sale25")
    assert pricing.rejected == (("prm_sale20", RejectionReason.SUPERSEDED),)


def test_price_of_two_equal_promotions_takes_the_first() -> None:
    pricing = price(
        [line("var_a", "10.00", rate="0")],
        shipping=None,
        discounts=[promotion("prm_one", PERCENTAGE, "10"), promotion("prm_two", PERCENTAGE, "10.00")],
        prices_include_tax=False,
    )
    assert pricing.lines[0].discounts == (("prm_one", D("1.00")),)
    assert pricing.rejected == (("prm_two", "superseded"),)


def test_price_rounds_a_promotion_per_line_and_a_voucher_once_on_its_lines() -> None:
    lines = [line(f"var_{n}", "0.05", rate="0") for n in range(3)]
    # the promotion: 10% of 0.05 = 0.005 -> 0.01 on each line (0.03)
    pricing = price(
        lines, shipping=None, discounts=[promotion("prm", PERCENTAGE, "10")], prices_include_tax=False
    )
    assert pricing.discount == D("0.03")
    # the voucher: 10% of 0.15 = 0.015 -> 0.02, split 0.01, 0.01, 0.00 (equal remainders: line order)
    pricing = price(
        lines, shipping=None, discounts=[voucher("TEN", PERCENTAGE, "10")], prices_include_tax=False
    )
    assert [line.discount for line in pricing.lines] == [D("0.01"), D("0.01"), D("0.00")]
    assert [line.discounts for line in pricing.lines] == [(("TEN", D("0.01")),), (("TEN", D("0.01")),), ()]


# --- allocation -------------------------------------------------------------------------------
def test_price_allocates_a_voucher_in_proportion_with_the_remainders_to_the_largest() -> None:
    pricing = price(
        [line("var_a", "30.00", rate="0"), line("var_b", "10.00", rate="0")],
        shipping=None,
        discounts=[voucher("TEN", FIXED, "10.00")],
        prices_include_tax=False,
    )
    assert [line.discount for line in pricing.lines] == [D("7.50"), D("2.50")]

    # 0.10 over 1.00, 2.00, 1.00: 0.025, 0.05, 0.025 -> 0.02, 0.05, 0.02, the cent left to the first tie
    pricing = price(
        [line("var_a", "1.00", rate="0"), line("var_b", "2.00", rate="0"), line("var_c", "1.00", rate="0")],
        shipping=None,
        discounts=[voucher("DIME", FIXED, "0.10")],
        prices_include_tax=False,
    )
    assert [line.discount for line in pricing.lines] == [D("0.03"), D("0.05"), D("0.02")]

    # 1.00 over 0.01, 3.32, 6.67 (10.00): 0.001, 0.332, 0.667 -> 0.00, 0.33, 0.67 (largest remainder .7)
    pricing = price(
        [line("var_a", "0.01", rate="0"), line("var_b", "3.32", rate="0"), line("var_c", "6.67", rate="0")],
        shipping=None,
        discounts=[voucher("ONE", FIXED, "1.00")],
        prices_include_tax=False,
    )
    assert [line.discount for line in pricing.lines] == [D("0.00"), D("0.33"), D("0.67")]


def test_price_caps_a_fixed_voucher_at_what_is_left_and_no_line_goes_below_zero() -> None:
    pricing = price(
        [line("var_a", "8.00")],
        shipping=shipping("4.90"),
        discounts=[voucher("TWENTY", FIXED, "20.00")],
        prices_include_tax=False,
    )
    only = pricing.lines[0]
    assert (only.subtotal, only.discount, only.tax, only.total) == (
        D("8.00"),
        D("8.00"),
        D("0.00"),
        D("0.00"),
    )
    # the voucher does not reach the shipping
    assert (pricing.discount, pricing.shipping, pricing.shipping_tax, pricing.total) == (
        D("8.00"),
        D("4.90"),
        D("0.93"),
        D("5.83"),
    )


# --- scope -------------------------------------------------------------------------------------
LINES_IN_SCOPE = [
    line("var_a", "10.00", rate="0", product="prd_shirt", categories=["cat_men", "cat_shirts"]),
    line("var_b", "10.00", rate="0", product="prd_shirt", categories=["cat_men", "cat_shirts"]),
    line("var_c", "10.00", rate="0", product="prd_mug", categories=["cat_kitchen"]),
]


@pytest.mark.parametrize(
    ("applies_to", "discounted"),
    [
        (scope(), [D("1.00"), D("1.00"), D("1.00")]),
        (scope(variants=["var_b"]), [D("0.00"), D("1.00"), D("0.00")]),
        (scope(products=["prd_shirt"]), [D("1.00"), D("1.00"), D("0.00")]),
        (scope(categories=["cat_shirts"]), [D("1.00"), D("1.00"), D("0.00")]),
        (scope(categories=["cat_kitchen", "cat_garden"]), [D("0.00"), D("0.00"), D("1.00")]),
        (scope(variants=["var_a"], categories=["cat_kitchen"]), [D("1.00"), D("0.00"), D("1.00")]),
    ],
    ids=["whole-order", "variant", "product", "category", "one-of-the-categories", "variant-or-category"],
)
def test_price_applies_a_discount_to_the_lines_in_its_scope(applies_to, discounted) -> None:
    for discount in (
        voucher("TEN", PERCENTAGE, "10", applies_to=applies_to),
        promotion("prm_ten", PERCENTAGE, "10", applies_to=applies_to),
    ):
        pricing = price(LINES_IN_SCOPE, shipping=None, discounts=[discount], prices_include_tax=False)
        assert [line.discount for line in pricing.lines] == discounted


def test_price_rejects_a_discount_with_no_line_in_its_scope() -> None:
    elsewhere = scope(categories=["cat_garden"], products=["prd_hose"], variants=["var_hose"])
    pricing = price(
        LINES_IN_SCOPE,
        shipping=shipping("4.90"),
        discounts=[
            voucher("GARDEN", PERCENTAGE, "10", applies_to=elsewhere),
            voucher("GARDEN5", FIXED, "5.00", applies_to=elsewhere),
            promotion("prm_garden", PERCENTAGE, "10", applies_to=elsewhere),
            voucher("GARDENSHIP", FREE_SHIPPING, applies_to=elsewhere),
        ],
        prices_include_tax=False,
    )
    assert pricing.discount == D("0.00")
    assert pricing.applied == ()
    assert pricing.rejected == (
        ("GARDEN", "not_applicable"),
        ("GARDEN5", "not_applicable"),
        ("prm_garden", "not_applicable"),
        ("GARDENSHIP", "not_applicable"),
    )


# --- minimum subtotal --------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("unit_price", "applies"),
    [("99.99", False), ("100.00", True), ("100.01", True)],
    ids=["below", "equal", "above"],
)
def test_price_applies_a_min_subtotal_discount_from_that_subtotal_on(unit_price, applies) -> None:
    for discount in (
        voucher("BIG", PERCENTAGE, "10", min_subtotal="100.00"),
        voucher("BIG", FIXED, "5.00", min_subtotal="100.00"),
        promotion("BIG", PERCENTAGE, "10", min_subtotal="100.00"),
    ):
        pricing = price(
            [line("var_a", unit_price, rate="0")],
            shipping=None,
            discounts=[discount],
            prices_include_tax=False,
        )
        assert (pricing.discount > 0) is applies
        assert pricing.applied == (("BIG",) if applies else ())
        assert pricing.rejected == (() if applies else (("BIG", "min_subtotal"),))


def test_price_compares_min_subtotal_with_the_subtotal_as_entered() -> None:
    # gross entry: 119.00 as entered is 100.00 net; a minimum of 110.00 is met (the entered amount)
    pricing = price(
        [line("var_a", "119.00")],
        shipping=None,
        discounts=[voucher("BIG", FIXED, "10.00", min_subtotal="110.00")],
        prices_include_tax=True,
    )
    assert (pricing.subtotal, pricing.subtotal_entered, pricing.applied) == (
        D("100.00"),
        D("119.00"),
        ("BIG",),
    )
    assert pricing.total == D("109.00")


# --- free shipping -----------------------------------------------------------------------------
def test_price_free_shipping_takes_off_the_whole_shipping_and_its_tax() -> None:
    for gross in (False, True):
        pricing = price(
            [line("var_a", "10.00")],
            shipping=shipping("5.95"),
            discounts=[voucher("SHIPFREE", FREE_SHIPPING)],
            prices_include_tax=gross,
        )
        assert pricing.shipping_discount == pricing.shipping
        assert pricing.shipping_tax == D("0.00")
        assert pricing.total == sum(line.total for line in pricing.lines)
    assert pricing.shipping == D("5.00")  # gross 5.95 at 19%


def test_price_free_shipping_without_shipping_or_twice() -> None:
    free = [voucher("SHIPFREE", FREE_SHIPPING), promotion("prm_ship", FREE_SHIPPING, min_subtotal="5.00")]
    pricing = price([line("var_a", "10.00")], shipping=None, discounts=free, prices_include_tax=False)
    assert pricing.rejected == (("SHIPFREE", "not_applicable"), ("prm_ship", "not_applicable"))
    # the promotion makes shipping free before the voucher does: the voucher is superseded
    pricing = price(
        [line("var_a", "10.00")], shipping=shipping("4.90"), discounts=free, prices_include_tax=False
    )
    assert pricing.applied == ("prm_ship",)
    assert pricing.rejected == (("SHIPFREE", "superseded"),)
    assert (pricing.shipping_discount, pricing.discount) == (D("4.90"), D("4.90"))


def test_price_free_shipping_in_a_scope_needs_a_line_of_it() -> None:
    books = voucher("BOOKSHIP", FREE_SHIPPING, applies_to=scope(categories=["cat_books"]))
    pricing = price(
        [line("var_a", "10.00")], shipping=shipping("4.90"), discounts=[books], prices_include_tax=False
    )
    assert pricing.rejected == (("BOOKSHIP", "not_applicable"),)
    book = line("var_b", "8.00", categories=["cat_books"])
    pricing = price(
        [line("var_a", "10.00"), book], shipping=shipping("4.90"), discounts=[books], prices_include_tax=False
    )
    assert pricing.shipping_discount == D("4.90")


# --- tax -----------------------------------------------------------------------------------------
def test_price_net_entry_taxes_each_line_rounding_half_up() -> None:
    # 0.50 at 5% = 0.025 -> 0.03 (half up; half-even would give 0.02); 3 x 3.33 at 19% = 1.8981 -> 1.90
    pricing = price(
        [line("var_a", "0.50", rate="5"), line("var_b", "3.33", 3)],
        shipping=None,
        discounts=[],
        prices_include_tax=False,
    )
    assert [(line.tax, line.total) for line in pricing.lines] == [
        (D("0.03"), D("0.53")),
        (D("1.90"), D("11.89")),
    ]


def test_price_gross_entry_takes_the_tax_out_of_each_line() -> None:
    # 11.90 at 19%: tax 1.90, net 10.00; 0.21 at 5%: 0.01 (0.01 exactly: 0.21*5/105); 7.00 at 0%: no tax
    pricing = price(
        [line("var_a", "11.90"), line("var_b", "0.21", rate="5"), line("var_c", "7.00", rate="0")],
        shipping=None,
        discounts=[],
        prices_include_tax=True,
    )
    assert [(line.subtotal, line.tax, line.total) for line in pricing.lines] == [
        (D("10.00"), D("1.90"), D("11.90")),
        (D("0.20"), D("0.01"), D("0.21")),
        (D("7.00"), D("0.00"), D("7.00")),
    ]
    assert pricing.total == D("19.11")


@pytest.mark.parametrize(
    ("gross", "price_entered", "rate", "net", "tax"),
    [
        (False, "4.90", "19", "4.90", "0.93"),  # 0.931
        (False, "4.90", "0", "4.90", "0.00"),  # shipping untaxed (TAX_SHIPPING off)
        (True, "5.95", "19", "5.00", "0.95"),
        (True, "4.90", "7", "4.58", "0.32"),  # 4.90 * 7/107 = 0.3206
    ],
)
def test_price_taxes_the_shipping_at_its_own_rate(gross, price_entered, rate, net, tax) -> None:
    pricing = price(
        [line("var_a", "10.00", rate="0")],
        shipping=shipping(price_entered, rate),
        discounts=[],
        prices_include_tax=gross,
    )
    assert (pricing.shipping, pricing.shipping_tax) == (D(net), D(tax))
    assert pricing.total == D("10.00") + D(net) + D(tax)


def test_price_tax_breakdown_per_rate() -> None:
    pricing = price(
        [
            line("var_a", "10.00"),  # 19%: 1.90
            line("var_b", "5.00", 2, rate="7"),  # 7%: 0.70
            line("var_c", "3.00", rate="0"),
            line("var_d", "1.05", rate="19.00"),  # the same rate as 19: 0.1995 -> 0.20
        ],
        shipping=shipping("4.90"),  # 19%: 0.93
        discounts=[],
        prices_include_tax=False,
    )
    assert pricing.tax_breakdown == (
        TaxLine(rate=D("0"), base=D("3.00"), tax=D("0.00")),
        TaxLine(rate=D("7"), base=D("10.00"), tax=D("0.70")),
        TaxLine(rate=D("19"), base=D("15.95"), tax=D("3.03")),
    )
    assert pricing.tax == D("3.73")
    assert pricing.total == D("32.68")


# --- edges and inputs --------------------------------------------------------------------------
def test_price_of_nothing_is_zero() -> None:
    pricing = price([], shipping=None, discounts=[voucher("TEN", PERCENTAGE, "10")], prices_include_tax=True)
    assert _amounts(pricing, *TOTALS, "subtotal_entered") == (D("0.00"),) * 8
    assert pricing.rejected == (("TEN", "not_applicable"),)
    assert pricing.tax_breakdown == ()


def test_price_gives_amounts_with_two_places() -> None:
    pricing = price([line("var_a", "10")], shipping=shipping("5"), discounts=[], prices_include_tax=False)
    assert str(pricing.subtotal) == "10.00"
    assert str(pricing.shipping) == "5.00"
    assert str(pricing.lines[0].total) == "11.90"


@pytest.mark.parametrize(
    ("lines", "discounts", "message"),
    [
        ([line("var_a", "1.00", 0)], [], "quantity"),
        ([line("var_a", "-1.00")], [], "unit_price"),
        ([line("var_a", "1.005")], [], "minor units"),
        ([line("var_a", "1.00", rate="-1")], [], "tax_rate"),
        ([line("var_a", "1.00"), line("var_a", "2.00")], [], "line keys"),
        ([], [voucher("X", PERCENTAGE, "0")], "percentage"),
        ([], [voucher("X", PERCENTAGE, "100.01")], "percentage"),
        ([], [voucher("X", FIXED, "0.00")], "above 0"),
        ([], [voucher("X", FIXED, "-1.00")], "non-negative"),
        ([], [promotion("X", FIXED, "1.00")], "promotion"),
        ([], [voucher("X", FREE_SHIPPING), promotion("X", FREE_SHIPPING)], "discount keys"),
    ],
)
def test_price_refuses_inputs_outside_the_contract(lines, discounts, message) -> None:
    with pytest.raises(ValueError, match=message):
        price(lines, shipping=None, discounts=discounts, prices_include_tax=False)


def test_price_refuses_a_negative_shipping_price() -> None:
    with pytest.raises(ValueError, match="shipping price"):
        price([], shipping=shipping("-0.01"), discounts=[], prices_include_tax=False)


def test_price_takes_plain_strings_for_the_enums() -> None:
    """Callers may build inputs from database values ("voucher", "percentage"): StrEnum compares
    equal to its value."""
    raw = DiscountInput(key="TEN", source="voucher", kind="percentage", value=D("10"))
    typed = DiscountInput(
        key="TEN", source=DiscountSource.VOUCHER, kind=DiscountKind.PERCENTAGE, value=D("10")
    )
    lines = [LineInput("var_a", "prd_a", frozenset(), 1, D("10.00"), D("0"))]
    assert price(lines, shipping=None, discounts=[raw], prices_include_tax=False) == price(
        lines, shipping=None, discounts=[typed], prices_include_tax=False
    )
