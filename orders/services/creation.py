"""Order creation: ``order_create_with_stock``, the one path by which any order is created
(shop checkout and the inventory API's ``POST /api/orders/process``)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.utils import timezone

from accounts.models import StoreManager, User
from catalog.stock import LockedVariant, stock_lock, stock_take_locked
from pricing.types import LinePrice, Pricing

from ..models import Order, OrderLine, OrderStatus
from ..outbox import order_events_publish
from ..queries import order_insert, order_lines_insert
from ..signals import order_status_changed
from .lifecycle import order_event_write
from .record import OrderRecord

CENT = Decimal("0.01")


@dataclass(frozen=True)
class OrderPricing:
    """A checkout's prices for the order it places (``orders.pricing``): every amount, and what
    was chosen (shipping method, billing address, codes) to copy into the order."""

    pricing: Pricing
    prices_include_tax: bool
    shipping_method: dict[str, Any] = field(default_factory=dict)
    billing_address: dict[str, Any] = field(default_factory=dict)
    discount_codes: list[str] = field(default_factory=list)


PriceLocked = Callable[[Mapping[int, LockedVariant]], OrderPricing]


def order_create(
    *,
    channel: str,
    quantities: Mapping[str, int] | None = None,
    variant_quantities: Mapping[int, int] | None = None,
    status: str = OrderStatus.PENDING,
    user: User | None = None,
    manager: StoreManager | None = None,
    customer_ref: str = "",
    customer_email: str = "",
    shipping_address: Mapping[str, Any] | None = None,
    actor: User | None = None,
    actor_label: str = "",
    price_locked: PriceLocked | None = None,
) -> OrderRecord:
    """Create an order and take its stock, inside the caller's transaction; returns the order
    with the lines and the event it wrote and the product rows it locked.

    The variants are named as :func:`catalog.stock.stock_lock` names them: by primary key,
    ``variant_quantities`` (the cart's lines), or by public id at the API edge, ``quantities``
    (already merged quantities; a variant id or a single-variant product's id). They are locked
    and checked (with ``manager``, only that manager's products exist) before anything is
    written, so the order row is written once, with its totals; then the stock is taken
    (:func:`catalog.stock.stock_take_locked`). What the buyer saw is copied from the locked
    rows: the product's name, the variant's SKU, options and price; totals are exact decimals.
    Writes the first :class:`OrderEvent` and the outbox events (``orders.outbox``). Raises the
    stock errors of ``stock_lock`` (nothing written). The
    instances returned are not read back.

    ``price_locked`` (a checkout session's) prices the locked rows with shipping, tax and
    discounts (``orders.pricing``) and may refuse (a changed total, a method no longer
    available) before anything is written; without it an order is its lines' sum, untaxed
    (the inventory API, ``docs/pricing.md``).
    """
    locked = stock_lock(
        quantities=quantities,
        variant_quantities=variant_quantities,
        manager_id=manager.pk if manager else None,
    )
    priced = [(product, (product.price * product.wanted).quantize(CENT)) for product in locked.values()]
    total = sum((line_total for _, line_total in priced), Decimal("0.00"))
    breakdown = price_locked(locked) if price_locked is not None else None
    now = timezone.now()
    order = Order(
        created_at=now,
        updated_at=now,
        channel=channel,
        status=status,
        user=user,
        manager=manager,
        customer_ref=customer_ref,
        customer_email=customer_email,
        shipping_address=dict(shipping_address or {}),
        currency=settings.SHOP_CURRENCY,
        subtotal=total,
        total_amount=total,
    )
    line_prices: dict[str, LinePrice] = {}
    if breakdown is not None:
        amounts = breakdown.pricing
        line_prices = {line.key: line for line in amounts.lines}
        order.subtotal, order.total_amount = amounts.subtotal, amounts.total
        order.discount_total, order.shipping_total = amounts.discount, amounts.shipping
        order.tax_total = amounts.tax
        order.prices_include_tax = breakdown.prices_include_tax
        order.shipping_method = breakdown.shipping_method
        order.billing_address = breakdown.billing_address
        order.discount_codes = breakdown.discount_codes
        # Per rate; a shop that charges no tax at all (every rate 0) keeps none.
        order.tax_breakdown = [
            {"rate": str(tax.rate), "base": str(tax.base), "tax": str(tax.tax)}
            for tax in amounts.tax_breakdown
            if any(row.rate for row in amounts.tax_breakdown)
        ]
    order_insert(order)
    stock_take_locked(locked=locked, order_id=order.pk)
    lines = [
        _order_line(order, product, line_total, line_prices.get(product.public_id))
        for product, line_total in priced
    ]
    order_lines_insert(lines)
    event = order_event_write(
        order, from_status="", to_status=status, actor=actor, actor_label=actor_label, at=now
    )
    order_status_changed.send(sender=Order, order=order, from_status="", to_status=status, lines=lines)
    # order.created (and order.paid for an order created paid: the inventory API's)
    order_events_publish(
        ["order.created", *(["order.paid"] if status == OrderStatus.PAID else [])],
        order,
        lines=lines,
        events=[event],
    )
    return OrderRecord(order=order, lines=lines, events=[event], products=locked)


def _order_line(
    order: Order, variant: LockedVariant, line_total: Decimal, price: LinePrice | None
) -> OrderLine:
    """The order line of a locked variant: what the buyer saw, and its price breakdown (without
    one: net = gross = the unit price, no discount, no tax)."""
    line = OrderLine(
        order=order,
        product_id=variant.product_id,
        variant_id=variant.pk,
        product_public_id=variant.product_public_id,
        variant_public_id=variant.public_id,
        sku=variant.sku,
        options=variant.options,
        name=variant.name,
        unit_price=variant.price,
        quantity=variant.wanted,
        line_total=line_total,
        unit_price_net=variant.price,
        unit_price_gross=variant.price,
        total=line_total,
    )
    if price is not None:
        line.unit_price_net, line.unit_price_gross = price.unit_price_net, price.unit_price_gross
        line.tax_rate, line.discount, line.tax, line.total = (
            price.tax_rate,
            price.discount,
            price.tax,
            price.total,
        )
    return line


def order_create_with_stock(**kwargs: Any) -> tuple[Order, list[OrderLine]]:
    """:func:`order_create`, returning ``(order, lines)``."""
    record = order_create(**kwargs)
    return record.order, record.lines
