"""The orders admin: list, search, detail with its timeline, the status-change buttons of the
order page and the list actions, both through the state machine and the order service."""

import re
from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission
from django.core.management import call_command
from django.urls import reverse

from catalog.models import StockMovement
from orders.models import Order, OrderEvent, OrderStatus
from tests.factories import (
    AdminUserFactory,
    Breakdown,
    CategoryFactory,
    OrderFactory,
    ProductFactory,
    UserFactory,
    promotion,
    voucher,
)
from tests.helpers.orders import checkout_body

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(client):
    client.force_login(AdminUserFactory())
    return client


@pytest.fixture
def paid_order(shopper):
    _, api = shopper
    product = ProductFactory(quantity=5)
    api.post("/api/cart/items/", {"product_id": product.public_id}, format="json")
    return Order.objects.get(public_id=api.post("/api/orders/", checkout_body(), format="json").json()["id"])


def test_list_search_and_detail(staff_client, paid_order):
    response = staff_client.get(
        "/admin/orders/order/", {"q": paid_order.customer_email, "status__exact": "paid"}
    )
    assert response.status_code == 200 and paid_order.public_id in response.content.decode()
    detail = staff_client.get(f"/admin/orders/order/{paid_order.pk}/change/")
    assert detail.status_code == 200 and paid_order.lines.get().name in detail.content.decode()
    assert staff_client.get("/admin/catalog/stockmovement/").status_code == 200


def test_actions_follow_the_state_machine(staff_client, paid_order):
    staff_client.post("/admin/orders/order/", {"action": "mark_shipped", "_selected_action": [paid_order.pk]})
    paid_order.refresh_from_db()
    assert paid_order.status == OrderStatus.SHIPPED
    response = staff_client.post(
        "/admin/orders/order/", {"action": "mark_cancelled", "_selected_action": [paid_order.pk]}, follow=True
    )
    assert "cannot become cancelled" in response.content.decode()
    paid_order.refresh_from_db()
    assert paid_order.status == OrderStatus.SHIPPED


def test_purge_command(paid_order, capsys):
    call_command("purge_idempotency_keys")
    assert "Deleted 0 idempotency keys." in capsys.readouterr().out


def _buttons(html: str) -> set[str]:
    return set(re.findall(r'<button type="submit" name="to_status" value="([a-z_]+)"', html))


def _page(client, order) -> str:
    response = client.get(reverse("admin:orders_order_change", args=[order.pk]))
    assert response.status_code == 200
    return response.content.decode()


def _transition(client, order, to_status, note=""):
    return client.post(
        reverse("admin:orders_order_transition", args=[order.pk]),
        {"to_status": to_status, "note": note},
        follow=True,
    )


def test_order_page_shows_timeline_and_only_allowed_buttons(staff_client, paid_order):
    html = _page(staff_client, paid_order)
    assert _buttons(html) == {"shipped", "cancelled"}
    assert 'id="events-group"' in html and "Timeline" in html  # the OrderEvent inline
    assert "payment captured" in html  # the pending → paid event of checkout
    assert "12 Analytical Row<br>N1 7AA London<br>GB" in html  # the shipping address, as lines
    Order.objects.filter(pk=paid_order.pk).update(status=OrderStatus.SHIPPED)
    assert _buttons(_page(staff_client, paid_order)) == {"delivered"}
    Order.objects.filter(pk=paid_order.pk).update(status=OrderStatus.PENDING)
    assert _buttons(_page(staff_client, paid_order)) == {"paid", "cancelled"}  # never payment_failed
    Order.objects.filter(pk=paid_order.pk).update(status=OrderStatus.DELIVERED)
    html = _page(staff_client, paid_order)
    assert _buttons(html) == set() and "No further status change is possible." in html


def test_button_applies_the_transition_and_writes_the_event(staff_client, paid_order):
    admin = staff_client.session["_auth_user_id"]
    response = _transition(staff_client, paid_order, "shipped", note="DHL 0042")
    assert response.status_code == 200 and "is now shipped" in response.content.decode()
    paid_order.refresh_from_db()
    assert paid_order.status == OrderStatus.SHIPPED
    event = OrderEvent.objects.filter(order=paid_order).latest("id")
    assert (event.from_status, event.to_status, event.note, event.actor_label) == (
        "paid",
        "shipped",
        "DHL 0042",
        "admin",
    )
    assert str(event.actor_id) == admin
    assert "DHL 0042" in response.content.decode()  # back on the page, in the timeline
    assert _buttons(response.content.decode()) == {"delivered"}


def test_cancel_button_returns_stock_and_refunds(staff_client, paid_order):
    product = paid_order.lines.get().product
    before = type(product).objects.get(pk=product.pk).quantity
    _transition(staff_client, paid_order, "cancelled")
    paid_order.refresh_from_db()
    assert paid_order.status == OrderStatus.CANCELLED
    assert type(product).objects.get(pk=product.pk).quantity == before + 1
    assert StockMovement.objects.filter(order=paid_order, reason="release", delta=1).exists()
    notes = list(OrderEvent.objects.filter(order=paid_order).values_list("note", flat=True))
    assert any(note.startswith("refunded") for note in notes)


def test_disallowed_transition_is_refused(staff_client, paid_order):
    events = OrderEvent.objects.filter(order=paid_order).count()
    for target in ("delivered", "payment_failed", "pending", "nonsense"):
        response = _transition(staff_client, paid_order, target)
        assert response.status_code == 200
        assert "cannot become" in response.content.decode()
    paid_order.refresh_from_db()
    assert paid_order.status == OrderStatus.PAID
    assert OrderEvent.objects.filter(order=paid_order).count() == events
    url = reverse("admin:orders_order_transition", args=[paid_order.pk])
    assert staff_client.get(url, {"to_status": "shipped"}).status_code == 405
    paid_order.refresh_from_db()
    assert paid_order.status == OrderStatus.PAID


def test_transition_needs_change_permission(client, paid_order):
    viewer = UserFactory(is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_order"))
    client.force_login(viewer)
    html = _page(client, paid_order)
    assert _buttons(html) == set() and 'id="order-transitions"' not in html
    assert _transition(client, paid_order, "shipped").status_code == 403
    shopper = UserFactory()
    client.force_login(shopper)
    response = client.post(
        reverse("admin:orders_order_transition", args=[paid_order.pk]), {"to_status": "shipped"}
    )
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
    paid_order.refresh_from_db()
    assert paid_order.status == OrderStatus.PAID


def _field(html: str, name: str) -> str:
    """The read-only value of ``name`` on the order page (whitespace collapsed)."""
    chunk = html.split(f"field-{name}", 1)[1].split('<div class="readonly">', 1)[1].split("</div>", 1)[0]
    return " ".join(chunk.split())


def test_order_page_shows_the_price_breakdown(staff_client):
    """Totals, codes, the shipping method, tax per rate and the billing address; lines with net
    and gross unit price, rate, discount, tax and total; all read-only."""
    apparel = CategoryFactory(name="Apparel")
    tee = ProductFactory(name="Tee", price=Decimal("25.00"))
    tee.categories.add(apparel)
    book = ProductFactory(name="Book", price=Decimal("10.70"))
    order = OrderFactory(
        lines=[(tee, 2), (book, 1)],
        breakdown=Breakdown(
            tax_rate=Decimal("19"),
            tax_rates={book: Decimal("7")},
            shipping=Decimal("4.90"),
            shipping_name="DHL Paket",
            discounts=[
                promotion("prm_summer", "10", categories=frozenset({apparel.public_id})),
                voucher("SAVE5", "fixed", "5.00"),
            ],
            prices_include_tax=True,
            billing_address={
                "name": "Ada Billing",
                "line1": "1 Ledger Lane",
                "city": "Berlin",
                "country": "DE",
            },
        ),
    )
    order.refresh_from_db()
    tee_line, book_line = order.lines.order_by("pk")
    html = _page(staff_client, order)
    assert _field(html, "subtotal") == str(order.subtotal)
    assert _field(html, "discount_display") == f"{order.discount_total} (SAVE5)"
    assert _field(html, "shipping_display") == f"{order.shipping_total} (DHL Paket, 2–4 days)"
    taxes = {row["rate"]: row for row in order.tax_breakdown}
    assert _field(html, "tax_display") == (
        f"{order.tax_total}<br>7%: {taxes['7']['tax']} on {taxes['7']['base']}<br>"
        f"19%: {taxes['19']['tax']} on {taxes['19']['base']}<br>"
    )
    assert _field(html, "total_amount") == str(order.total_amount)
    assert _field(html, "prices_include_tax").startswith('<img src="/static/admin/img/icon-yes.svg"')
    assert _field(html, "billing_address_display") == "Ada Billing<br>1 Ledger Lane<br>Berlin<br>DE<br>"
    # the lines inline: every amount of the breakdown, read-only
    inline = html.split('id="lines-group"', 1)[1].split('id="events-group"', 1)[0]
    for name in ("unit_price_net", "unit_price_gross", "tax_rate_display", "discount", "tax", "total"):
        assert f"column-{name}" in inline
    cells = re.findall(r'<td class="field-(\w+)">\s*<p>(.*?)</p>', inline)
    shown = [dict(cells[:11]), dict(cells[11:])]
    for line, row in zip((tee_line, book_line), shown, strict=True):
        assert row["tax_rate_display"] == f"{line.tax_rate.normalize():f}%"
        for name in (
            "unit_price",
            "line_total",
            "unit_price_net",
            "unit_price_gross",
            "discount",
            "tax",
            "total",
        ):
            assert row[name] == str(getattr(line, name)), name
    assert shown[1]["tax_rate_display"] == "7%" and shown[0]["discount"] != "0.00"
    assert not re.findall(r'<(input|select|textarea)(?![^>]*type="hidden")', inline)  # nothing to edit
    # and the numbers are the engine's: gross entry, 19% and 7%
    assert (tee_line.unit_price_gross, tee_line.unit_price_net, tee_line.tax_rate) == (
        Decimal("25.00"),
        Decimal("21.01"),
        Decimal("19.00"),
    )
    assert (
        order.total_amount == order.subtotal - order.discount_total + order.shipping_total + order.tax_total
    )


def test_order_page_of_an_order_without_breakdown(staff_client, paid_order):
    """An order placed before checkout v2 (or with nothing to add): zeros, no codes, no method."""
    html = _page(staff_client, paid_order)
    assert _field(html, "discount_display") == "0.00"
    assert _field(html, "shipping_display") == "0.00"
    assert _field(html, "tax_display") == "0.00"
    assert _field(html, "billing_address_display") == "-"
    assert _field(html, "total_amount") == str(paid_order.total_amount)
