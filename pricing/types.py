"""What the pricing function takes and gives (frozen dataclasses; money is ``Decimal``, 2 places).

Amounts "as entered" are gross when prices include tax (``PRICES_INCLUDE_TAX``) and net
otherwise; the totals a :class:`Pricing` reports are net, plus tax, so that
``total == subtotal - discount + shipping + tax`` exactly in both modes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum


class DiscountKind(StrEnum):
    PERCENTAGE = "percentage"
    FIXED = "fixed"
    FREE_SHIPPING = "free_shipping"


class DiscountSource(StrEnum):
    VOUCHER = "voucher"
    PROMOTION = "promotion"


class RejectionReason(StrEnum):
    """Why a discount did not apply (the second item of each :attr:`Pricing.rejected` pair)."""

    MIN_SUBTOTAL = "min_subtotal"  # its min_subtotal exceeds the order subtotal as entered
    NOT_APPLICABLE = "not_applicable"  # no eligible line (free shipping: no shipping either)
    SUPERSEDED = "superseded"  # a promotion larger on each of its lines; shipping already free


@dataclass(frozen=True)
class Scope:
    """What a discount applies to; empty on all three counts means the whole order. A line is
    eligible when its variant, its product or one of its categories is named."""

    categories: frozenset[str] = frozenset()
    products: frozenset[str] = frozenset()
    variants: frozenset[str] = frozenset()


@dataclass(frozen=True)
class LineInput:
    """A line to price: ``key`` is the variant's public id (unique per call)."""

    key: str
    product_key: str
    category_keys: frozenset[str]
    quantity: int
    unit_price: Decimal  # as entered
    tax_rate: Decimal  # percent, e.g. Decimal("19.00"); 0 when untaxed


@dataclass(frozen=True)
class ShippingInput:
    """The chosen shipping method's price (as entered) and the rate that taxes it."""

    key: str
    price: Decimal
    tax_rate: Decimal


@dataclass(frozen=True)
class DiscountInput:
    """A voucher (``key`` = its code) or an automatic promotion (``key`` = its public id)."""

    key: str
    source: DiscountSource
    kind: DiscountKind
    value: Decimal  # percent in (0, 100] for PERCENTAGE; an amount for FIXED; unused for FREE_SHIPPING
    scope: Scope = field(default_factory=Scope)
    min_subtotal: Decimal | None = None  # against the order subtotal as entered, before discounts


@dataclass(frozen=True)
class LinePrice:
    """A priced line. ``subtotal`` and ``discount`` are net; ``total`` is gross and equals
    ``subtotal - discount + tax`` exactly. ``discounts`` lists each discount's share of this line,
    as entered."""

    key: str
    quantity: int
    unit_price: Decimal
    unit_price_net: Decimal
    unit_price_gross: Decimal
    tax_rate: Decimal
    subtotal: Decimal
    discount: Decimal
    tax: Decimal
    total: Decimal
    discounts: tuple[tuple[str, Decimal], ...] = ()


@dataclass(frozen=True)
class TaxLine:
    """The tax of one rate: the net amount it was charged on and the tax."""

    rate: Decimal
    base: Decimal
    tax: Decimal


@dataclass(frozen=True)
class Pricing:
    """Every amount of a checkout. Net amounts plus tax: ``total == subtotal - discount +
    shipping + tax``; ``discount`` includes ``shipping_discount``."""

    lines: tuple[LinePrice, ...]
    subtotal: Decimal
    discount: Decimal
    shipping: Decimal
    shipping_discount: Decimal
    shipping_tax: Decimal
    tax: Decimal
    total: Decimal
    subtotal_entered: Decimal
    applied: tuple[str, ...] = ()
    rejected: tuple[tuple[str, str], ...] = ()
    tax_breakdown: tuple[TaxLine, ...] = ()
