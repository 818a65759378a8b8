"""The shop's one pricing function, :func:`price`. The rules, with worked examples, are in
``docs/pricing.md``; in short:

1. Amounts are computed as entered (gross or net), rounded half up to 0.01 once per line per step.
2. Stacking: the largest applicable percentage promotion per line; then the vouchers, percentage
   ones before fixed ones, each on what is left of its eligible lines, allocated to them by the
   largest-remainder method; then free shipping.
3. Tax per line (and on shipping after its discount), rounded half up.
4. ``total == subtotal - discount + shipping + tax`` exactly.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Context, Decimal, localcontext

from pricing.money import ZERO, allocate, round_money, to_minor
from pricing.types import (
    DiscountInput,
    DiscountKind,
    DiscountSource,
    LineInput,
    LinePrice,
    Pricing,
    RejectionReason,
    Scope,
    ShippingInput,
    TaxLine,
)

HUNDRED = Decimal(100)
# Rounding to the cent is always explicit (round_money); this context only keeps products and
# quotients exact enough, whatever context the caller's thread has set.
_CONTEXT = Context(prec=40)


@dataclass
class _Line:
    """A line while the discounts are taken off it, in the entered basis."""

    source: LineInput
    entered: Decimal
    remaining: Decimal
    shares: list[tuple[str, Decimal]] = field(default_factory=list)

    def take(self, key: str, amount: Decimal) -> None:
        self.remaining -= amount
        if amount:
            self.shares.append((key, amount))


@dataclass(frozen=True)
class _Taxed:
    """One taxed amount (a line or the shipping): net subtotal and discount, tax, gross total."""

    subtotal: Decimal
    discount: Decimal
    tax: Decimal
    total: Decimal


def price(
    lines: Sequence[LineInput],
    *,
    shipping: ShippingInput | None,
    discounts: Sequence[DiscountInput],
    prices_include_tax: bool,
) -> Pricing:
    """Price ``lines`` with ``shipping`` and ``discounts``; amounts as entered are gross when
    ``prices_include_tax``, else net. Raises ``ValueError`` on inputs outside the contract of
    :mod:`pricing.types` (a negative price, a quantity below 1, a percentage outside (0, 100], a
    fixed promotion, a repeated line or discount key, an amount finer than the cent)."""
    _validate(lines, shipping, discounts)
    with localcontext(_CONTEXT):
        return _price(lines, shipping, discounts, prices_include_tax)


def _price(
    lines: Sequence[LineInput],
    shipping: ShippingInput | None,
    discounts: Sequence[DiscountInput],
    gross: bool,
) -> Pricing:
    work = []
    for line in lines:
        entered = round_money(line.unit_price * line.quantity)
        work.append(_Line(source=line, entered=entered, remaining=entered))
    subtotal_entered = round_money(sum((w.entered for w in work), ZERO))
    applied: set[str] = set()
    rejected: dict[str, RejectionReason] = {}

    def admit(discount: DiscountInput) -> list[int] | None:
        """The indexes of the discount's eligible lines, or None (and why) when it cannot apply."""
        if discount.min_subtotal is not None and discount.min_subtotal > subtotal_entered:
            rejected[discount.key] = RejectionReason.MIN_SUBTOTAL
            return None
        eligible = [i for i, w in enumerate(work) if _in_scope(w.source, discount.scope)]
        if not eligible or (discount.kind == DiscountKind.FREE_SHIPPING and shipping is None):
            rejected[discount.key] = RejectionReason.NOT_APPLICABLE
            return None
        return eligible

    # a. Automatic percentage promotions: the largest applicable one per line (the first on a tie).
    promotions = [
        (promotion, set(indexes))
        for promotion in _of(discounts, DiscountSource.PROMOTION, DiscountKind.PERCENTAGE)
        if (indexes := admit(promotion)) is not None
    ]
    for index, w in enumerate(work):
        best: DiscountInput | None = None
        for promotion, covered in promotions:
            if index in covered and (best is None or promotion.value > best.value):
                best = promotion
        if best is not None:
            w.take(best.key, round_money(w.remaining * best.value / HUNDRED))
            applied.add(best.key)
    for promotion, _ in promotions:
        if promotion.key not in applied:
            rejected[promotion.key] = RejectionReason.SUPERSEDED

    # b. Vouchers in input order, percentage ones before fixed ones, on what is left of each line.
    vouchers = [
        *_of(discounts, DiscountSource.VOUCHER, DiscountKind.PERCENTAGE),
        *_of(discounts, DiscountSource.VOUCHER, DiscountKind.FIXED),
    ]
    for voucher in vouchers:
        if (eligible := admit(voucher)) is None:
            continue
        weights = [work[i].remaining for i in eligible]
        base = sum(weights, ZERO)
        if voucher.kind == DiscountKind.PERCENTAGE:
            amount = round_money(base * voucher.value / HUNDRED)
        else:
            amount = min(voucher.value, base)
        for i, share in zip(eligible, allocate(amount, weights), strict=True):
            work[i].take(voucher.key, share)
        applied.add(voucher.key)

    # c. Free shipping: the first admissible one (promotions before vouchers) makes it free.
    free_shipping = [
        *_of(discounts, DiscountSource.PROMOTION, DiscountKind.FREE_SHIPPING),
        *_of(discounts, DiscountSource.VOUCHER, DiscountKind.FREE_SHIPPING),
    ]
    shipping_free = False
    for free in free_shipping:
        if admit(free) is None:
            continue
        if shipping_free:
            rejected[free.key] = RejectionReason.SUPERSEDED
            continue
        shipping_free = True
        applied.add(free.key)

    # Tax, per line and on the shipping.
    priced = []
    for w in work:
        line = w.source
        discount_entered = sum((amount for _, amount in w.shares), ZERO)
        taxed = _tax(w.entered, discount_entered, line.tax_rate, gross)
        unit = _tax(round_money(line.unit_price), ZERO, line.tax_rate, gross)
        priced.append(
            LinePrice(
                key=line.key,
                quantity=line.quantity,
                unit_price=line.unit_price,
                unit_price_net=unit.subtotal,
                unit_price_gross=unit.total,
                tax_rate=line.tax_rate,
                subtotal=taxed.subtotal,
                discount=taxed.discount,
                tax=taxed.tax,
                total=taxed.total,
                discounts=tuple(w.shares),
            )
        )
    if shipping is None:
        ship = _Taxed(ZERO, ZERO, ZERO, ZERO)
    else:
        entered = round_money(shipping.price)
        ship = _tax(entered, entered if shipping_free else ZERO, shipping.tax_rate, gross)

    subtotal = sum((p.subtotal for p in priced), ZERO)
    discount = sum((p.discount for p in priced), ZERO) + ship.discount
    tax = sum((p.tax for p in priced), ZERO) + ship.tax
    taxed_amounts = [(p.tax_rate, p.subtotal - p.discount, p.tax) for p in priced]
    if shipping is not None:
        taxed_amounts.append((shipping.tax_rate, ship.subtotal - ship.discount, ship.tax))
    return Pricing(
        lines=tuple(priced),
        subtotal=subtotal,
        discount=discount,
        shipping=ship.subtotal,
        shipping_discount=ship.discount,
        shipping_tax=ship.tax,
        tax=tax,
        total=subtotal - discount + ship.subtotal + tax,
        subtotal_entered=subtotal_entered,
        applied=tuple(d.key for d in discounts if d.key in applied),
        rejected=tuple((d.key, str(rejected[d.key])) for d in discounts if d.key in rejected),
        tax_breakdown=_breakdown(taxed_amounts),
    )


def _tax(entered: Decimal, discount_entered: Decimal, rate: Decimal, gross: bool) -> _Taxed:
    """Rule 3 of docs/pricing.md for one amount as entered and its discount as entered."""
    if not gross:
        taxed = entered - discount_entered
        tax = round_money(taxed * rate / HUNDRED)
        return _Taxed(subtotal=entered, discount=discount_entered, tax=tax, total=taxed + tax)
    taxed_gross = entered - discount_entered
    tax = round_money(taxed_gross * rate / (HUNDRED + rate))
    subtotal = entered - round_money(entered * rate / (HUNDRED + rate))
    return _Taxed(subtotal=subtotal, discount=subtotal - (taxed_gross - tax), tax=tax, total=taxed_gross)


def _in_scope(line: LineInput, scope: Scope) -> bool:
    """A line is eligible when the scope is empty, or names its variant, its product or one of
    its categories."""
    if not (scope.variants or scope.products or scope.categories):
        return True
    return (
        line.key in scope.variants
        or line.product_key in scope.products
        or not scope.categories.isdisjoint(line.category_keys)
    )


def _of(
    discounts: Iterable[DiscountInput], source: DiscountSource, kind: DiscountKind
) -> list[DiscountInput]:
    return [d for d in discounts if d.source == source and d.kind == kind]


def _breakdown(taxed_amounts: Iterable[tuple[Decimal, Decimal, Decimal]]) -> tuple[TaxLine, ...]:
    """One row per rate (19 and 19.00 are one rate), sorted by rate: the net base and the tax."""
    rows: dict[Decimal, TaxLine] = {}
    for rate, base, tax in taxed_amounts:
        row = rows.get(rate)
        rows[rate] = (
            TaxLine(rate=rate, base=base, tax=tax)
            if row is None
            else (TaxLine(rate=row.rate, base=row.base + base, tax=row.tax + tax))
        )
    return tuple(rows[rate] for rate in sorted(rows))


def _validate(
    lines: Sequence[LineInput], shipping: ShippingInput | None, discounts: Sequence[DiscountInput]
) -> None:
    def cents(amount: Decimal, what: str) -> None:
        if not amount.is_finite() or amount < 0:
            raise ValueError(f"{what} must be a non-negative amount, not {amount}")
        to_minor(amount)

    def rate(value: Decimal, what: str) -> None:
        if not value.is_finite() or value < 0:
            raise ValueError(f"{what} must be a non-negative percentage, not {value}")

    for line in lines:
        if line.quantity < 1:
            raise ValueError(f"line {line.key}: quantity must be at least 1, not {line.quantity}")
        cents(line.unit_price, f"line {line.key}: unit_price")
        rate(line.tax_rate, f"line {line.key}: tax_rate")
    if len({line.key for line in lines}) != len(lines):
        raise ValueError("line keys must be unique")
    if shipping is not None:
        cents(shipping.price, "shipping price")
        rate(shipping.tax_rate, "shipping tax_rate")
    for discount in discounts:
        if discount.kind == DiscountKind.PERCENTAGE and not (0 < discount.value <= 100):
            raise ValueError(f"discount {discount.key}: a percentage is in (0, 100], not {discount.value}")
        if discount.kind == DiscountKind.FIXED:
            if discount.source != DiscountSource.VOUCHER:
                raise ValueError(f"discount {discount.key}: a promotion is a percentage or free shipping")
            cents(discount.value, f"discount {discount.key}: value")
            if not discount.value:
                raise ValueError(f"discount {discount.key}: a fixed amount must be above 0")
    if len({discount.key for discount in discounts}) != len(discounts):
        raise ValueError("discount keys must be unique")
