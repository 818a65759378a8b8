"""An order's price breakdown as people read it: the order emails and the Django admin.

One place turns the stored amounts (``Order``/``OrderLine``, docs/pricing.md) into lines and
rows. Amounts are shown the way they are stored and the way the API gives them: net, plus tax,
so that every line reads ``amount − discount + tax = total`` and the rows
``subtotal − discount + shipping + tax = total``. A row is shown only for what the order has: an
order without a discount, shipping or tax (placed before checkout v2, or through the inventory
API) has no rows but its total, and reads as it always did.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from .models import Order, OrderLine

ZERO = Decimal("0.00")


def rate_label(rate: Decimal | str) -> str:
    """``19.00`` → ``19%``, ``5.50`` → ``5.5%``."""
    try:
        value = Decimal(rate)
    except (InvalidOperation, TypeError, ValueError):
        return f"{rate}%"
    text = format(value.normalize(), "f")
    return f"{text}%"


@dataclass(frozen=True)
class LineView:
    """A line: ``quantity × unit_price = amount`` (net, before discounts), its share of the
    discounts, its tax at ``tax_rate`` and its ``total`` (``amount − discount + tax``)."""

    name: str
    options: Mapping[str, Any]
    quantity: int
    unit_price: Decimal
    amount: Decimal
    discount: Decimal
    tax_rate: Decimal
    tax: Decimal
    total: Decimal

    @property
    def tax_rate_label(self) -> str:
        return rate_label(self.tax_rate)

    @property
    def options_label(self) -> str:
        return ", ".join(f"{name}: {value}" for name, value in self.options.items())


@dataclass(frozen=True)
class AmountRow:
    """A row of the totals: ``kind`` is ``subtotal``, ``discount``, ``shipping`` or ``tax``;
    ``amount`` is signed (a discount is negative)."""

    kind: str
    label: str
    amount: Decimal
    detail: str = ""


@dataclass(frozen=True)
class OrderBreakdown:
    lines: list[LineView]
    rows: list[AmountRow]
    total: Decimal
    currency: str
    taxed: bool

    @property
    def detailed(self) -> bool:
        """Whether the order has anything but its lines' sum (a discount, shipping or tax)."""
        return bool(self.rows)


def _decimal(value: Any) -> Decimal:
    try:
        return Decimal(str(value))
    except (InvalidOperation, TypeError, ValueError):
        return ZERO


def order_breakdown(order: Order, lines: Iterable[OrderLine]) -> OrderBreakdown:
    """The breakdown of ``order`` with ``lines`` (in the order to show them)."""
    views = [
        LineView(
            name=line.name,
            options=line.options if isinstance(line.options, dict) else {},
            quantity=line.quantity,
            unit_price=line.unit_price_net,
            # the net amount before discounts; = line_total for an order without a breakdown
            amount=line.total - line.tax + line.discount,
            discount=line.discount,
            tax_rate=line.tax_rate,
            tax=line.tax,
            total=line.total,
        )
        for line in lines
    ]
    discount, shipping, tax = order.discount_total, order.shipping_total, order.tax_total
    method = order.shipping_method if isinstance(order.shipping_method, dict) else {}
    rows: list[AmountRow] = []
    if discount:
        codes = ", ".join(str(code) for code in order.discount_codes or [])
        rows.append(AmountRow("discount", f"Discount ({codes})" if codes else "Discount", -discount))
    if shipping or method:
        name = str(method.get("name") or "")
        rows.append(AmountRow("shipping", f"Shipping ({name})" if name else "Shipping", shipping))
    if tax:
        per_rate = [
            AmountRow(
                "tax",
                f"Tax {rate_label(row.get('rate', ''))}",
                _decimal(row.get("tax")),
                detail=f"on {_decimal(row.get('base'))}",
            )
            for row in (order.tax_breakdown or [])
            if isinstance(row, dict) and _decimal(row.get("tax"))
        ]
        rows.extend(per_rate or [AmountRow("tax", "Tax", tax)])
    if rows:
        rows.insert(0, AmountRow("subtotal", "Subtotal", order.subtotal))
    return OrderBreakdown(
        lines=views, rows=rows, total=order.total_amount, currency=order.currency, taxed=bool(tax)
    )
