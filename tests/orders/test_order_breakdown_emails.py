"""The order emails show the price breakdown (orders/breakdown.py): lines with quantity, unit
price, discount and tax; subtotal, discount with its codes, shipping with its method, tax per
rate and total. An order without a discount, shipping or tax reads exactly as before.

Sent through the queue and the worker (in-process) to the locmem backend, as a checkout's are."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core import mail

from ecommerce.common.email import email_queue
from orders.models import OrderStatus
from tests.factories import Breakdown, CategoryFactory, OrderFactory, ProductFactory, promotion, voucher

pytestmark = pytest.mark.django_db


@pytest.fixture
def send(django_capture_on_commit_callbacks):
    def send(order, kind: str, status: str = OrderStatus.PAID) -> mail.EmailMultiAlternatives:
        """Queue the ``kind`` email of ``order``; on commit the worker sends it: the message."""
        with django_capture_on_commit_callbacks(execute=True):
            email_queue(
                event_id=f"evt_{kind}_{order.public_id}",
                to="buyer@example.com",
                kind=f"orders.{kind}",
                context={"order_id": order.public_id, "status": status},
            )
        return mail.outbox[-1]

    return send


def _html(message) -> str:
    return next(content for content, mime in message.alternatives if mime == "text/html")


@pytest.fixture
def example_order():
    """docs/pricing.md's first worked example (net entry): tee 2 × 25.00 with 15% off apparel,
    mug 1 × 12.99, SAVE5 (5.00 off), shipping 4.90, 19% tax."""
    apparel = CategoryFactory(name="Apparel")
    tee = ProductFactory(name="Tee", price=Decimal("25.00"))
    tee.categories.add(apparel)
    mug = ProductFactory(name="Mug", price=Decimal("12.99"))
    return OrderFactory(
        lines=[(tee, 2), (mug, 1)],
        breakdown=Breakdown(
            tax_rate=Decimal("19"),
            shipping=Decimal("4.90"),
            shipping_name="DHL Paket",
            discounts=[
                promotion("prm_summer", "15", categories=frozenset({apparel.public_id})),
                voucher("SAVE5", "fixed", "5.00"),
            ],
        ),
    )


def test_confirmation_shows_lines_and_totals(example_order, send):
    message = send(example_order, "confirmation")
    assert message.subject == f"Your order {example_order.public_id} is confirmed"
    assert message.body == (
        f"Thank you for your order {example_order.public_id}.\n"
        "\n2 x Tee at 25.00 = 50.00, discount -11.33, tax 19% 7.35, total 46.02"
        "\n1 x Mug at 12.99 = 12.99, discount -1.17, tax 19% 2.25, total 14.07"
        "\n"
        "\nSubtotal: 62.99 USD"
        "\nDiscount (SAVE5): -12.50 USD"
        "\nShipping (DHL Paket): 4.90 USD"
        "\nTax 19% on 55.39: 10.53 USD"
        "\nTotal: 65.92 USD"
        "\nStatus: Paid\n"
    )
    html = _html(message)
    assert (
        "<td>Tee</td><td>2</td><td>25.00</td><td>50.00</td><td>-11.33</td><td>7.35 (19%)</td><td>46.02</td>"
        in html
    )
    assert '<tr class="order-discount"><td colspan="6">Discount (SAVE5)</td><td>-12.50</td></tr>' in html
    assert '<tr class="order-shipping"><td colspan="6">Shipping (DHL Paket)</td><td>4.90</td></tr>' in html
    assert '<tr class="order-tax"><td colspan="6">Tax 19% on 55.39</td><td>10.53</td></tr>' in html
    assert "<th>65.92 USD</th>" in html


def test_status_email_carries_the_breakdown_too(example_order, send):
    message = send(example_order, "status", OrderStatus.SHIPPED)
    assert message.subject == f"Your order {example_order.public_id} is now shipped"
    assert message.body.startswith(
        f"Your order {example_order.public_id} is now: Shipped.\n\n2 x Tee at 25.00"
    )
    assert "\nDiscount (SAVE5): -12.50 USD\nShipping (DHL Paket): 4.90 USD\n" in message.body
    assert message.body.endswith("\nTotal: 65.92 USD\n")
    assert '<tr class="order-tax">' in _html(message)


def test_tax_per_rate_gross_entry_and_free_shipping(send):
    """Two rates, prices entered gross, free shipping by voucher: one tax row per rate (no row
    for the untaxed shipping), the shipping at its net price and the discount taking it back."""
    book = ProductFactory(name="Book", price=Decimal("10.70"))
    tee = ProductFactory(name="Tee", price=Decimal("23.80"))
    order = OrderFactory(
        lines=[(book, 1), (tee, 1)],
        breakdown=Breakdown(
            tax_rate=Decimal("19"),
            tax_rates={book: Decimal("7")},
            shipping=Decimal("5.95"),
            discounts=[voucher("FREESHIP", "free_shipping")],
            prices_include_tax=True,
        ),
    )
    body = send(order, "confirmation").body
    # book 10.70 gross at 7% = 10.00 + 0.70; tee 23.80 at 19% = 20.00 + 3.80; shipping 5.95 gross = 5.00 net
    assert "\n1 x Book at 10.00 = 10.00, tax 7% 0.70, total 10.70" in body
    assert "\n1 x Tee at 20.00 = 20.00, tax 19% 3.80, total 23.80" in body
    assert (
        "\nSubtotal: 30.00 USD\nDiscount (FREESHIP): -5.00 USD\nShipping (Standard): 5.00 USD"
        "\nTax 7% on 10.00: 0.70 USD\nTax 19% on 20.00: 3.80 USD\nTotal: 34.50 USD\n"
    ) in body


def test_an_order_without_breakdown_reads_as_before(send):
    """No discount, shipping or tax: no zero rows, the emails of before checkout v2."""
    product = ProductFactory(name="Arabica", price=Decimal("10.00"))
    order = OrderFactory(lines=[(product, 2)])
    confirmation = send(order, "confirmation")
    status = send(order, "status", OrderStatus.DELIVERED)
    assert confirmation.body == (
        f"Thank you for your order {order.public_id}.\n\n2 x Arabica at 10.00 = 20.00\n\nTotal: 20.00 USD\nStatus: Paid\n"
    )
    assert _html(confirmation) == (
        f"<p>Thank you for your order <strong>{order.public_id}</strong>.</p>\n<table>\n"
        "  <tr><td>2 &times; Arabica</td><td>20.00</td></tr>\n"
        "  <tr><th>Total</th><th>20.00 USD</th></tr>\n</table>\n"
    )
    assert status.body == f"Your order {order.public_id} is now: Delivered.\n\nTotal: 20.00 USD\n"
    assert _html(status) == (
        f"<p>Your order <strong>{order.public_id}</strong> is now: <strong>Delivered</strong>.</p>\n"
        "<p>Total: 20.00 USD</p>\n"
    )
    for text in (confirmation.body, status.body):
        assert (
            "Subtotal" not in text and "Discount" not in text and "Tax" not in text and "Shipping" not in text
        )


def test_a_promotion_without_code_and_a_free_method(send):
    """A discount with no code is "Discount"; a chosen method that costs nothing is shown (the
    customer chose it); no tax, no tax rows or columns."""
    product = ProductFactory(name="Mug", price=Decimal("12.00"))
    order = OrderFactory(
        lines=[(product, 1)],
        breakdown=Breakdown(
            shipping=Decimal("0.00"), shipping_name="Pickup", discounts=[promotion("prm_ten", "10")]
        ),
    )
    message = send(order, "confirmation")
    assert "\n1 x Mug at 12.00 = 12.00, discount -1.20, total 10.80" in message.body
    assert (
        "\nSubtotal: 12.00 USD\nDiscount: -1.20 USD\nShipping (Pickup): 0.00 USD\nTotal: 10.80 USD\n"
        in message.body
    )
    assert "Tax" not in message.body and "<th>Tax</th>" not in _html(message)
