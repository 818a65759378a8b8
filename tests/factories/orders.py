"""Factories for orders and their lines.

``OrderFactory(lines=[(product, quantity), …], created_at=…)`` builds the lines at the
products' prices and sets the order's totals; ``created_at`` is written after the insert (the
field is ``auto_now_add``).

``OrderFactory(lines=[…], breakdown=Breakdown(tax_rate=…, shipping=…, discounts=[…]))`` prices
the lines with the shop's pricing function (``pricing.engine.price``, docs/pricing.md) and
stores the whole breakdown, as a checkout does: the order's discount, shipping and tax (per
rate), codes and shipping method, and each line's net/gross unit price, rate, discount, tax and
total. Without it an order has no discount, shipping or tax (subtotal = total), like the orders
placed before checkout v2 and the inventory API's.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import factory

from orders.models import Order, OrderChannel, OrderLine, OrderStatus
from pricing.engine import price
from pricing.types import DiscountInput, DiscountKind, DiscountSource, LineInput, Scope, ShippingInput

from .accounts import UserFactory
from .catalog import ProductFactory

ZERO = Decimal("0.00")


@dataclass(frozen=True)
class Breakdown:
    """How ``OrderFactory`` prices its lines: ``tax_rate`` (percent) on every line and on the
    shipping, unless ``tax_rates`` gives a product its own; ``shipping`` (the method's price as
    entered; ``None``: no shipping) named ``shipping_name``; ``discounts`` in the engine's
    order; prices entered gross when ``prices_include_tax``."""

    tax_rate: Decimal = ZERO
    tax_rates: Mapping[Any, Decimal] = field(default_factory=dict)  # product → rate
    shipping: Decimal | None = None
    shipping_name: str = "Standard"
    discounts: Sequence[DiscountInput] = ()
    prices_include_tax: bool = False
    billing_address: Mapping[str, str] = field(default_factory=dict)


def voucher(
    code: str, kind: str, value: str = "0", *, min_subtotal: str | None = None, **scope: frozenset[str]
) -> DiscountInput:
    """A voucher for :class:`Breakdown`: ``voucher("SAVE5", "fixed", "5.00")``,
    ``voucher("TEN", "percentage", "10")``, ``voucher("FREESHIP", "free_shipping")``."""
    return DiscountInput(
        key=code,
        source=DiscountSource.VOUCHER,
        kind=DiscountKind(kind),
        value=Decimal(value),
        scope=Scope(**scope),
        min_subtotal=None if min_subtotal is None else Decimal(min_subtotal),
    )


def promotion(key: str, percent: str, **scope: frozenset[str]) -> DiscountInput:
    """An automatic percentage promotion for :class:`Breakdown`."""
    return DiscountInput(
        key=key,
        source=DiscountSource.PROMOTION,
        kind=DiscountKind.PERCENTAGE,
        value=Decimal(percent),
        scope=Scope(**scope),
    )


class OrderFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Order
        skip_postgeneration_save = True

    channel = OrderChannel.SHOP
    status = OrderStatus.PAID
    user = factory.SubFactory(UserFactory)
    customer_ref = factory.LazyAttribute(lambda o: o.user.public_id if o.user else "")
    customer_email = factory.LazyAttribute(lambda o: o.user.email if o.user else "")
    currency = "USD"
    total_amount = Decimal("0.00")
    # No discount, shipping or tax unless given: the subtotal is the total (the check constraint
    # order_total_is_its_breakdown holds).
    subtotal = factory.LazyAttribute(lambda o: o.total_amount)

    @classmethod
    def _create(cls, model_class: type[Order], *args: Any, **kwargs: Any) -> Order:
        created_at = kwargs.pop("created_at", None)
        order = super()._create(model_class, *args, **kwargs)
        if created_at is not None:
            model_class.objects.filter(pk=order.pk).update(created_at=created_at)
            order.created_at = created_at
        return order

    @factory.post_generation
    def lines(self, create: bool, extracted: list[tuple[Any, int]] | None, **kwargs: Any) -> None:
        if not create or not extracted:
            return
        for product, quantity in extracted:
            OrderLineFactory(order=self, product=product, quantity=quantity)
        total = sum((line.line_total for line in self.lines.all()), Decimal("0.00"))
        Order.objects.filter(pk=self.pk).update(subtotal=total, total_amount=total)
        self.subtotal = self.total_amount = total

    @factory.post_generation
    def breakdown(self, create: bool, extracted: Breakdown | None, **kwargs: Any) -> None:
        if not create or extracted is None:
            return
        _price_order(self, extracted)


def _price_order(order: Order, spec: Breakdown) -> None:
    """Price the order's lines as a checkout does and store every amount on the order and its
    lines (in the database and on ``order``)."""
    lines = list(order.lines.select_related("product").order_by("pk"))
    rates = {line.pk: Decimal(spec.tax_rates.get(line.product, spec.tax_rate)) for line in lines}
    categories = {
        line.pk: frozenset(line.product.categories.values_list("public_id", flat=True)) for line in lines
    }
    shipping = (
        ShippingInput(key="shm_factory", price=Decimal(spec.shipping), tax_rate=Decimal(spec.tax_rate))
        if spec.shipping is not None
        else None
    )
    amounts = price(
        [
            LineInput(
                key=line.variant_public_id,
                product_key=line.product_public_id,
                category_keys=categories[line.pk],
                quantity=line.quantity,
                unit_price=line.unit_price,
                tax_rate=rates[line.pk],
            )
            for line in lines
        ],
        shipping=shipping,
        discounts=list(spec.discounts),
        prices_include_tax=spec.prices_include_tax,
    )
    for line, priced in zip(lines, amounts.lines, strict=True):
        line.unit_price_net, line.unit_price_gross = priced.unit_price_net, priced.unit_price_gross
        line.tax_rate, line.discount, line.tax, line.total = (
            priced.tax_rate,
            priced.discount,
            priced.tax,
            priced.total,
        )
    OrderLine.objects.bulk_update(
        lines, ["unit_price_net", "unit_price_gross", "tax_rate", "discount", "tax", "total"]
    )
    vouchers = {d.key for d in spec.discounts if d.source == DiscountSource.VOUCHER}
    values: dict[str, Any] = {
        "subtotal": amounts.subtotal,
        "discount_total": amounts.discount,
        "shipping_total": amounts.shipping,
        "tax_total": amounts.tax,
        "total_amount": amounts.total,
        "prices_include_tax": spec.prices_include_tax,
        "discount_codes": [key for key in amounts.applied if key in vouchers],
        "shipping_method": (
            {
                "id": "shm_factory",
                "name": spec.shipping_name,
                "price": str(spec.shipping),
                "min_days": 2,
                "max_days": 4,
            }
            if spec.shipping is not None
            else {}
        ),
        "tax_breakdown": [
            {"rate": str(tax.rate), "base": str(tax.base), "tax": str(tax.tax)}
            for tax in amounts.tax_breakdown
        ],
        "billing_address": dict(spec.billing_address),
    }
    Order.objects.filter(pk=order.pk).update(**values)
    for name, value in values.items():
        setattr(order, name, value)


class OrderLineFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OrderLine

    order = factory.SubFactory(OrderFactory)
    product = factory.SubFactory(ProductFactory)
    variant = factory.LazyAttribute(lambda o: o.product.variants.order_by("pk").first())
    product_public_id = factory.LazyAttribute(lambda o: o.product.public_id)
    variant_public_id = factory.LazyAttribute(lambda o: o.variant.public_id)
    sku = factory.LazyAttribute(lambda o: o.variant.sku)
    options = factory.LazyAttribute(lambda o: dict(o.variant.options))
    name = factory.LazyAttribute(lambda o: o.product.name)
    unit_price = factory.LazyAttribute(lambda o: o.variant.price)
    quantity = 1
    line_total = factory.LazyAttribute(lambda o: o.unit_price * o.quantity)
    unit_price_net = factory.LazyAttribute(lambda o: o.unit_price)
    unit_price_gross = factory.LazyAttribute(lambda o: o.unit_price)
    total = factory.LazyAttribute(lambda o: o.line_total)
