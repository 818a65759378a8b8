"""The money arithmetic of the pricing function: half-up rounding to the cent, amounts in minor
units (integer cents) and the largest-remainder split of an amount over weights.

Every function here is exact: rounding happens only in :func:`round_money`, where the rules of
``docs/pricing.md`` ask for it.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
ZERO = Decimal("0.00")


def round_money(amount: Decimal) -> Decimal:
    """``amount`` rounded half up to 0.01 (a tie goes away from zero: 0.125 -> 0.13)."""
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


def to_minor(amount: Decimal, exponent: int = 2) -> int:
    """``amount`` in minor units (``exponent`` 2: cents), exactly; a ``ValueError`` when the
    amount is not a whole number of minor units (12.345 in cents) or not finite."""
    if exponent < 0:
        raise ValueError(f"exponent must be >= 0, not {exponent}")
    sign, digits, exp = amount.as_tuple()
    if not isinstance(exp, int):
        raise ValueError(f"{amount} is not an amount")
    coefficient = int("".join(map(str, digits)))
    shift = exp + exponent
    scale: int = 10 ** abs(shift)
    if shift >= 0:
        units = coefficient * scale
    else:
        units, rest = divmod(coefficient, scale)
        if rest:
            raise ValueError(f"{amount} is not a whole number of minor units (exponent {exponent})")
    return -units if sign else units


def from_minor(units: int, exponent: int = 2) -> Decimal:
    """The amount of ``units`` minor units, exactly, with ``exponent`` places: 1234 -> 12.34."""
    if exponent < 0:
        raise ValueError(f"exponent must be >= 0, not {exponent}")
    digits = tuple(int(c) for c in str(abs(units)))
    return Decimal((1 if units < 0 else 0, digits, -exponent))


def allocate(amount: Decimal, weights: Sequence[Decimal]) -> list[Decimal]:
    """``amount`` split over ``weights`` in proportion, to the cent, by the largest-remainder
    method: each share is first rounded down, then the cents left over go one each to the
    largest remainders, the earlier weight first on a tie. The shares sum to ``amount`` exactly,
    a zero weight gets nothing, and when ``amount <= sum(weights)`` no share exceeds its weight.
    """
    total = to_minor(amount)
    units = [to_minor(weight) for weight in weights]
    if total < 0 or any(unit < 0 for unit in units):
        raise ValueError("allocate takes a non-negative amount and non-negative weights")
    whole = sum(units)
    if whole == 0:
        if total:
            raise ValueError(f"cannot allocate {amount} over weights that sum to 0")
        return [ZERO for _ in units]
    shares: list[int] = []
    remainders: list[int] = []
    for unit in units:
        share, remainder = divmod(total * unit, whole)
        shares.append(share)
        remainders.append(remainder)
    left = total - sum(shares)
    for index in sorted(range(len(units)), key=lambda i: (-remainders[i], i))[:left]:
        shares[index] += 1
    return [from_minor(share) for share in shares]
