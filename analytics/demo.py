"""Demo order history (``seed_demo``'s orders and the dashboard's screenshot test).

Every order tells the truth about itself:

- it was placed in the past (never later than now), by a customer who had joined by then, to
  that customer's own address (inventory-API orders: by the demo store manager, no address);
- its timeline (``OrderEvent`` rows) holds the events its status implies, in order, with the
  actors the real services record: placed (``pending``, the customer), paid (``payment``,
  "payment captured"), shipped and delivered (an admin), cancelled (then refunded by
  ``payment``) or ``payment_failed``. Steps that would lie in the future have not happened
  yet: a recent order is still ``paid`` or ``shipped``;
- its stock is in the ledger: a ``sale`` row per line when placed, a ``release`` row when it
  was cancelled or its payment failed, and one ``restock`` row per product before the history
  starts for the units the history sold, so every product's ledger still sums to its stock;
- its price breakdown is consistent: with ``priced``, the pricing function's
  (``pricing.engine.price``, docs/pricing.md): a shop order pays the demo's shipping (free from
  a subtotal of 50.00) and tax at the demo's rates per tax class, and some used the
  ``WELCOME10`` voucher; an inventory-API order has no shipping, tax or discount, as in the
  shop (``PRICED_HISTORY``, on). Without it no order has any: subtotal = total.

Written in bulk with the times things happened; the rollups are rebuilt afterwards.
"""

from __future__ import annotations

import bisect
import random
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from accounts.demo import demo_address
from accounts.models import Role, StoreManager, User
from catalog.models import ProductVariant, StockMovement, StockMovementReason, TaxClass
from catalog.stock import stock_history_write
from ecommerce.common.demo import timestamps_as_given
from orders.models import Order, OrderChannel, OrderEvent, OrderLine, OrderStatus
from pricing.engine import price
from pricing.types import (
    DiscountInput,
    DiscountKind,
    DiscountSource,
    LineInput,
    LinePrice,
    Pricing,
    ShippingInput,
)

from .periods import shop_today, shop_tz
from .services import rollup_rebuild

S = OrderStatus
DEMO_MANAGER = "mgr_demo_warehouse"
HISTORY_STOCK_NOTE = "stock for the demo order history"
# what becomes of a shop order (inventory-API orders are paid on arrival and fulfilled)
_FATES = [("fulfil", 84), ("cancel", 8), ("fail", 4), ("pending", 4)]
_CARRIERS = ("DHL", "UPS", "DPD", "GLS", "Royal Mail")
# How the history's shop orders were priced (demo figures: the shop's own configuration may
# differ today, as a real shop's does from its past orders).
DEMO_TAX_RATES: dict[str, Decimal] = {
    TaxClass.STANDARD: Decimal("19.00"),
    TaxClass.REDUCED: Decimal("7.00"),
    TaxClass.ZERO: Decimal("0"),
}
DEMO_SHIPPING_METHOD = {"id": "shm_demo_standard", "name": "Standard", "min_days": 2, "max_days": 4}
DEMO_SHIPPING_PRICE = Decimal("4.90")
DEMO_FREE_SHIPPING_FROM = Decimal("50.00")  # the method costs nothing from this subtotal (as entered)
DEMO_VOUCHER = DiscountInput(
    key="WELCOME10", source=DiscountSource.VOUCHER, kind=DiscountKind.PERCENTAGE, value=Decimal("10")
)
DEMO_VOUCHER_SHARE = 0.12  # of shop orders
# The demo history's shop orders carry shipping, tax and (some) the voucher, as the pricing
# function computes them.
PRICED_HISTORY = True


@dataclass
class _Step:
    """One timeline event: ``from_status → to_status`` at ``at`` by ``actor`` (customer, admin,
    payment or the store manager), with a note."""

    from_status: str
    to_status: str
    at: datetime
    actor: str
    note: str = ""


@dataclass
class _Plan:
    order: Order
    lines: list[tuple[ProductVariant, int]]
    steps: list[_Step] = field(default_factory=list)
    released_at: datetime | None = None
    prices: list[LinePrice] | None = None  # per line, in ``lines`` order; None: not priced


def _demo_shipping_price(lines: list[tuple[ProductVariant, int]]) -> Decimal:
    entered = sum((variant.price * quantity for variant, quantity in lines), Decimal("0.00"))
    return Decimal("0.00") if entered >= DEMO_FREE_SHIPPING_FROM else DEMO_SHIPPING_PRICE


def _demo_pricing(lines: list[tuple[ProductVariant, int]], *, with_voucher: bool) -> Pricing:
    """A shop order's amounts: the demo's tax rates and shipping, and the voucher if used."""
    standard = DEMO_TAX_RATES[TaxClass.STANDARD]
    return price(
        [
            LineInput(
                key=variant.public_id,
                product_key=variant.product.public_id,
                category_keys=frozenset(),
                quantity=quantity,
                unit_price=variant.price,
                tax_rate=DEMO_TAX_RATES.get(variant.tax_class, standard),
            )
            for variant, quantity in lines
        ],
        shipping=ShippingInput(
            key=str(DEMO_SHIPPING_METHOD["id"]), price=_demo_shipping_price(lines), tax_rate=standard
        ),
        discounts=[DEMO_VOUCHER] if with_voucher else [],
        prices_include_tax=getattr(settings, "PRICES_INCLUDE_TAX", False),
    )


def _timeline(
    rng: random.Random, *, channel: str, placed: datetime, now: datetime
) -> tuple[list[_Step], str]:
    """The events of one order up to ``now`` and its fate (``fulfil``, ``cancel``, ``fail``,
    ``pending``); later steps are dropped: they have not happened yet."""
    if channel == OrderChannel.INVENTORY_API:
        fate = "fulfil"
        steps = [_Step("", S.PAID, placed, "manager")]
        paid_at = placed
    else:
        fate = rng.choices([f for f, _ in _FATES], [w for _, w in _FATES])[0]
        if fate == "pending" and placed < now - timedelta(hours=36):
            fate = "fulfil"  # a payment is never left pending for long
        steps = [_Step("", S.PENDING, placed, "customer")]
        if fate == "pending":
            return steps, fate
        if fate == "fail":
            steps.append(
                _Step(S.PENDING, S.PAYMENT_FAILED, placed + timedelta(seconds=20), "payment", "card_declined")
            )
            return [s for s in steps if s.at <= now], fate
        paid_at = placed + timedelta(seconds=rng.randint(15, 120))
        steps.append(_Step(S.PENDING, S.PAID, paid_at, "payment", "payment captured"))
    if fate == "cancel":
        cancelled = paid_at + timedelta(minutes=rng.randint(10, 36 * 60))
        by_customer = rng.random() < 0.6
        note = "customer asked to cancel" if by_customer else "out of stock at the warehouse"
        steps.append(_Step(S.PAID, S.CANCELLED, cancelled, "customer" if by_customer else "admin", note))
        steps.append(_Step(S.CANCELLED, S.CANCELLED, cancelled + timedelta(seconds=5), "payment", "refunded"))
    else:
        shipped = paid_at + timedelta(minutes=rng.randint(6 * 60, 48 * 60))
        carrier = rng.choice(_CARRIERS)
        tracking = f"shipped with {carrier}, tracking {rng.randint(10**9, 10**10 - 1)}"
        steps.append(_Step(S.PAID, S.SHIPPED, shipped, "admin", tracking))
        delivered = shipped + timedelta(minutes=rng.randint(20 * 60, 5 * 24 * 60))
        steps.append(_Step(S.SHIPPED, S.DELIVERED, delivered, "admin", f"delivered by {carrier}"))
    return [s for s in steps if s.at <= now], fate


def demo_orders_seed(
    *,
    days: int = 90,
    orders_per_day: int = 12,
    end: date | None = None,
    seed: int = 42,
    now: datetime | None = None,
    priced: bool = PRICED_HISTORY,
) -> int:
    """Create about ``orders_per_day`` orders a day for ``days`` days up to ``end`` (default
    today), with a weekly rhythm and a slow upward trend, none later than ``now``. Returns how
    many orders were created. Does nothing when there are no products on sale. With ``priced``,
    shop orders carry shipping, tax and some a discount (the module's docstring)."""
    rng = random.Random(seed)  # noqa: S311 - demo data, not security
    voucher_rng = random.Random(seed + 1)  # noqa: S311 - its own: the history is the same as before
    products = list(  # the variants sold: each with its product
        ProductVariant.objects.filter(product__discontinued=False, is_active=True)
        .select_related("product")
        .order_by("product_id", "id")[:60]
    )
    if not products:
        return 0
    now = now or timezone.now()
    customers = list(User.objects.filter(role=Role.CUSTOMER, is_active=True).order_by("date_joined", "id"))
    joined = [customer.date_joined for customer in customers]
    addresses: dict[int, dict[str, str]] = {}
    admin = User.objects.filter(is_staff=True, is_active=True).order_by("id").first()
    manager, _ = StoreManager.objects.get_or_create(external_id=DEMO_MANAGER)
    end = end or shop_today()
    tz = shop_tz()
    popularity = [1 / (rank + 1) for rank in range(len(products))]
    plans: list[_Plan] = []
    for offset in range(days):
        day = end - timedelta(days=days - 1 - offset)
        trend = 0.7 + 0.6 * offset / max(days - 1, 1)
        weekend = 1.35 if day.weekday() >= 5 else 1.0
        for _ in range(max(0, round(rng.gauss(orders_per_day * trend * weekend, 2)))):
            placed = datetime.combine(
                day, time(rng.randint(7, 22), rng.randint(0, 59), rng.randint(0, 59)), tzinfo=tz
            )
            channel = OrderChannel.INVENTORY_API if rng.random() < 0.25 else OrderChannel.SHOP
            picked = rng.choices(products, popularity, k=rng.randint(1, 4))
            lines = [(product, rng.randint(1, 3)) for product in dict.fromkeys(picked)]
            known = bisect.bisect_right(joined, placed)  # customers who had joined by then
            if placed > now:
                continue  # later today: not placed yet
            if channel == OrderChannel.SHOP and not known:
                channel = OrderChannel.INVENTORY_API
            customer = customers[rng.randrange(known)] if channel == OrderChannel.SHOP else None
            steps, _fate = _timeline(rng, channel=channel, placed=placed, now=now)
            total = sum((p.price * q for p, q in lines), Decimal("0.00"))
            if customer is not None and customer.pk not in addresses:
                addresses[customer.pk] = demo_address(customer)
            paid = any(step.to_status == S.PAID for step in steps)
            amounts = (
                _demo_pricing(lines, with_voucher=voucher_rng.random() < DEMO_VOUCHER_SHARE)
                if priced and channel == OrderChannel.SHOP
                else None
            )
            order = Order(
                channel=channel,
                status=steps[-1].to_status,
                user=customer,
                manager=manager if customer is None else None,
                customer_ref=customer.public_id if customer else f"cust_{rng.randint(1, 999)}",
                customer_email=customer.email if customer else "",
                shipping_address=dict(addresses[customer.pk]) if customer else {},
                payment_reference=f"ch_demo{rng.getrandbits(48):012x}" if paid and customer else "",
                currency=settings.SHOP_CURRENCY,
                subtotal=total,
                total_amount=total,
                created_at=placed,
                updated_at=steps[-1].at,
            )
            if amounts is not None:
                _priced(order, lines, amounts)
            released = next(
                (
                    s.at
                    for s in steps
                    if s.to_status in (S.CANCELLED, S.PAYMENT_FAILED) and s.from_status != s.to_status
                ),
                None,
            )
            plans.append(
                _Plan(
                    order=order,
                    lines=lines,
                    steps=steps,
                    released_at=released,
                    prices=list(amounts.lines) if amounts is not None else None,
                )
            )
    if plans:
        _write(plans, admin=admin, manager=manager)
    rollup_rebuild()
    return len(plans)


def _priced(order: Order, lines: list[tuple[ProductVariant, int]], amounts: Pricing) -> None:
    """Copy a shop order's amounts onto it, as checkout does."""
    order.subtotal, order.discount_total = amounts.subtotal, amounts.discount
    order.shipping_total, order.tax_total, order.total_amount = amounts.shipping, amounts.tax, amounts.total
    order.prices_include_tax = getattr(settings, "PRICES_INCLUDE_TAX", False)
    order.shipping_method = {**DEMO_SHIPPING_METHOD, "price": str(_demo_shipping_price(lines))}
    order.discount_codes = [key for key in amounts.applied if key == DEMO_VOUCHER.key]
    order.billing_address = dict(order.shipping_address)
    order.tax_breakdown = [
        {"rate": str(tax.rate), "base": str(tax.base), "tax": str(tax.tax)} for tax in amounts.tax_breakdown
    ]


def _line(plan: _Plan, index: int, variant: ProductVariant, quantity: int) -> OrderLine:
    """An order line as checkout writes it: what was bought, and its price breakdown (an
    unpriced order's: net = gross = the unit price, no discount, no tax)."""
    line = OrderLine(
        order=plan.order,
        product_id=variant.product_id,
        variant=variant,
        product_public_id=variant.product.public_id,
        variant_public_id=variant.public_id,
        sku=variant.sku,
        options=variant.options,
        name=variant.product.name,
        unit_price=variant.price,
        quantity=quantity,
        line_total=variant.price * quantity,
        unit_price_net=variant.price,
        unit_price_gross=variant.price,
        total=variant.price * quantity,
    )
    if plan.prices is not None:
        priced = plan.prices[index]
        line.unit_price_net, line.unit_price_gross = priced.unit_price_net, priced.unit_price_gross
        line.tax_rate, line.discount, line.tax, line.total = (
            priced.tax_rate,
            priced.discount,
            priced.tax,
            priced.total,
        )
    return line


def _write(plans: list[_Plan], *, admin: User | None, manager: StoreManager) -> None:
    """Insert the orders, their lines, timelines and stock rows, with the times they happened."""
    with transaction.atomic(), timestamps_as_given(Order, OrderEvent, StockMovement):
        orders = [plan.order for plan in plans]
        Order.objects.bulk_create(orders, batch_size=500)
        if orders[0].pk is None:  # databases that cannot return ids from a bulk insert
            ids = dict(
                Order.objects.filter(public_id__in=[o.public_id for o in orders]).values_list(
                    "public_id", "pk"
                )
            )
            for order in orders:
                order.pk = ids[order.public_id]
        OrderLine.objects.bulk_create(
            [
                _line(plan, index, variant, quantity)
                for plan in plans
                for index, (variant, quantity) in enumerate(plan.lines)
            ],
            batch_size=1000,
        )
        actors = {
            "admin": (admin, "admin"),
            "payment": (None, "payment"),
            "manager": (None, manager.external_id),
        }
        events = []
        for plan in plans:
            for step in plan.steps:
                actor, label = actors.get(step.actor, (plan.order.user, ""))
                if step.actor == "customer" and step.from_status:
                    label = "customer"  # a customer's own change (the first event has no label)
                note = step.note
                if note == "refunded":
                    note = f"refunded ({plan.order.payment_reference.replace('ch_', 're_')})"
                events.append(
                    OrderEvent(
                        order=plan.order,
                        from_status=step.from_status,
                        to_status=step.to_status,
                        actor=actor,
                        actor_label=label,
                        note=note,
                        created_at=step.at,
                    )
                )
        OrderEvent.objects.bulk_create(events, batch_size=1000)

        movements: list[StockMovement] = []
        sold: dict[ProductVariant, int] = {}
        for plan in plans:
            for variant, quantity in plan.lines:
                movements.append(
                    StockMovement(
                        product_id=variant.product_id,
                        variant=variant,
                        order=plan.order,
                        delta=-quantity,
                        reason=StockMovementReason.SALE,
                        created_at=plan.order.created_at,
                    )
                )
                if plan.released_at is not None:
                    movements.append(
                        StockMovement(
                            product_id=variant.product_id,
                            variant=variant,
                            order=plan.order,
                            delta=quantity,
                            reason=StockMovementReason.RELEASE,
                            created_at=plan.released_at,
                        )
                    )
                else:
                    sold[variant] = sold.get(variant, 0) + quantity
        # the units the history sold arrived before it began: the ledger still sums to the stock
        opening = min(plan.order.created_at for plan in plans) - timedelta(days=1)
        movements.extend(
            StockMovement(
                product_id=variant.product_id,
                variant=variant,
                delta=units,
                reason=StockMovementReason.RESTOCK,
                note=HISTORY_STOCK_NOTE,
                created_at=opening,
            )
            for variant, units in sold.items()
        )
        stock_history_write(movements)
