"""The admin order page in headless Chromium (Debian's package, driven by Playwright): log in,
open a paid order, find its timeline and exactly the buttons the state machine allows, press
"Mark as shipped" and see the new event on the timeline. The page's own parts use no inline
script or style (a strict Content-Security-Policy forbids them)."""

from __future__ import annotations

import pytest

from orders.models import OrderEvent, OrderStatus
from orders.services import order_transition
from tests.factories import AdminUserFactory, OrderFactory, ProductFactory
from tests.helpers import PASSWORD
from tests.helpers.browser import ARGS, CHROMIUM, sync_playwright_or_skip


@pytest.mark.django_db(transaction=True)
def test_order_page_timeline_and_buttons_in_headless_chromium(live_server):
    sync_playwright = sync_playwright_or_skip()
    admin = AdminUserFactory()
    order = OrderFactory(status=OrderStatus.PENDING, lines=[(ProductFactory(name="Kettle"), 1)])
    OrderEvent.objects.create(order=order, from_status="", to_status=OrderStatus.PENDING, actor=order.user)
    order_transition(
        order_public_id=order.public_id, to_status=OrderStatus.PAID, actor=admin, note="paid by bank transfer"
    )

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 1000})
            page.goto(f"{live_server.url}/admin/login/?next=/admin/orders/order/{order.pk}/change/")
            page.fill("input[name=username]", admin.email)
            page.fill("input[name=password]", PASSWORD)
            page.click("input[type=submit]")
            page.wait_for_url(f"**/admin/orders/order/{order.pk}/change/")

            timeline = page.locator("#events-group")
            assert timeline.locator("h2").inner_text().strip().lower() == "timeline"
            assert "paid by bank transfer" in timeline.inner_text()
            assert timeline.locator("tbody tr.has_original").count() == 2  # placed, paid

            buttons = page.locator("#order-transitions button[name=to_status]")
            assert sorted(buttons.evaluate_all("els => els.map(e => e.value)")) == ["cancelled", "shipped"]
            assert page.locator("#order-transitions [style]").count() == 0
            assert page.locator("#order-transitions script").count() == 0
            # the buttons are styled by the static stylesheet, not inline
            assert (
                page.evaluate("getComputedStyle(document.querySelector('.order-transition-buttons')).display")
                == "flex"
            )

            page.fill("#id_transition_note", "DHL 123")
            page.click("button[value=shipped]")
            page.wait_for_selector("ul.messagelist li.success")
            assert "is now shipped" in page.inner_text("ul.messagelist")
            assert page.locator("#events-group tbody tr.has_original").count() == 3
            assert "DHL 123" in page.inner_text("#events-group")
            values = page.locator("#order-transitions button[name=to_status]").evaluate_all(
                "els => els.map(e => e.value)"
            )
            assert values == ["delivered"]
        finally:
            browser.close()
    order.refresh_from_db()
    assert order.status == OrderStatus.SHIPPED
    assert order.events.filter(to_status=OrderStatus.SHIPPED, actor=admin, note="DHL 123").exists()
