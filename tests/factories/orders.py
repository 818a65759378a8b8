"""Factories for orders and their lines.

``OrderFactory(lines=[(product, quantity), …], created_at=…)`` builds the lines at the
products' prices and sets the order's totals; ``created_at`` is written after the insert (the
field is ``auto_now_add``).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import factory

from orders.models import Order, OrderChannel, OrderLine, OrderStatus

from .accounts import UserFactory
from .catalog import ProductFactory


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
