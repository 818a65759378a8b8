"""Builders of the pricing function's inputs (pricing.types), with the defaults the tests share:
a line at 19% in no category, shipping at 19%, discounts on the whole order."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from pricing.types import DiscountInput, DiscountKind, DiscountSource, LineInput, Scope, ShippingInput


def line(
    key: str,
    unit_price: str | Decimal,
    quantity: int = 1,
    *,
    rate: str | Decimal = "19",
    product: str | None = None,
    categories: Iterable[str] = (),
) -> LineInput:
    """A line for variant ``key`` of product ``product`` (default ``prd_<key>``)."""
    return LineInput(
        key=key,
        product_key=product or f"prd_{key}",
        category_keys=frozenset(categories),
        quantity=quantity,
        unit_price=Decimal(unit_price),
        tax_rate=Decimal(rate),
    )


def shipping(price: str | Decimal, rate: str | Decimal = "19", key: str = "shm_standard") -> ShippingInput:
    return ShippingInput(key=key, price=Decimal(price), tax_rate=Decimal(rate))


def scope(
    *, categories: Iterable[str] = (), products: Iterable[str] = (), variants: Iterable[str] = ()
) -> Scope:
    return Scope(categories=frozenset(categories), products=frozenset(products), variants=frozenset(variants))


def voucher(
    key: str,
    kind: DiscountKind,
    value: str | Decimal = "0",
    *,
    applies_to: Scope | None = None,
    min_subtotal: str | Decimal | None = None,
) -> DiscountInput:
    return _discount(key, DiscountSource.VOUCHER, kind, value, applies_to, min_subtotal)


def promotion(
    key: str,
    kind: DiscountKind,
    value: str | Decimal = "0",
    *,
    applies_to: Scope | None = None,
    min_subtotal: str | Decimal | None = None,
) -> DiscountInput:
    return _discount(key, DiscountSource.PROMOTION, kind, value, applies_to, min_subtotal)


def _discount(
    key: str,
    source: DiscountSource,
    kind: DiscountKind,
    value: str | Decimal,
    applies_to: Scope | None,
    min_subtotal: str | Decimal | None,
) -> DiscountInput:
    return DiscountInput(
        key=key,
        source=source,
        kind=kind,
        value=Decimal(value),
        scope=applies_to or Scope(),
        min_subtotal=None if min_subtotal is None else Decimal(min_subtotal),
    )
