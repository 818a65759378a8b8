"""Headless Chromium (Debian package) driven by Playwright's Python package: log into the admin,
open the dashboard, wait for the charts, check that every canvas is drawn and the KPI cards show
the hand-computed numbers, and take a screenshot (into a temporary folder; ``make screenshots``
sets ``DASHBOARD_SCREENSHOT=docs/dashboard.png`` to refresh the one shown in the README).

Then every kind of HTML page (admin, dashboard, Swagger UI, ReDoc, account pages) is opened
with its real Content-Security-Policy: no violation may be reported and no request may leave
the server (the pages work offline)."""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path

import pytest

from analytics.demo import demo_orders_seed
from analytics.services import rollup_rebuild
from tests.factories import AdminUserFactory, CategoryFactory, ProductFactory
from tests.helpers import PASSWORD
from tests.helpers.analytics import build_shop
from tests.helpers.browser import ARGS, CHROMIUM, sync_playwright_or_skip

pytestmark = pytest.mark.browser  # `make test-fast` leaves it out


# How many canvas pixels are not transparent (a drawn chart has thousands).
DRAWN_PIXELS = """(id) => {
  const canvas = document.getElementById(id);
  const { width, height } = canvas;
  const pixels = canvas.getContext("2d").getImageData(0, 0, width, height).data;
  let drawn = 0;
  for (let i = 3; i < pixels.length; i += 4) { if (pixels[i] !== 0) drawn++; }
  return { drawn, width, height, chart: Boolean(Chart.getChart(canvas)) };
}"""
CANVASES = ["chart-days", "chart-status", "chart-categories", "chart-top-revenue", "chart-top-units"]


@pytest.mark.django_db(transaction=True)
def test_dashboard_in_headless_chromium(live_server, settings, tmp_path):
    sync_playwright = sync_playwright_or_skip()
    # tests never write tracked files: `make screenshots` asks for docs/dashboard.png on purpose
    screenshot = Path(os.environ.get("DASHBOARD_SCREENSHOT") or tmp_path / "dashboard.png")
    settings.SHOP_TIME_ZONE = "Europe/Berlin"
    settings.LOW_STOCK_THRESHOLD = 5
    admin = AdminUserFactory(email="admin@example.com")
    shop = build_shop()
    # realistic months before the hand-computed week, for the screenshot (a quarter and the one before)
    coffee = CategoryFactory(name="Tea")
    for index, price in enumerate(("3.50", "7.90", "12.00", "18.50", "29.00", "45.00")):
        ProductFactory(name=f"Tea blend {index + 1}", price=price, quantity=40).categories.add(coffee)
    demo_orders_seed(days=180, orders_per_day=14, end=date(2025, 3, 16))
    rollup_rebuild()
    assert shop.orders["o1"].pk

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.goto(f"{live_server.url}/admin/login/?next=/admin/analytics/")
            page.fill("input[name=username]", admin.email)
            page.fill("input[name=password]", PASSWORD)
            page.click("input[type=submit]")
            page.wait_for_url("**/admin/analytics/")

            page.goto(f"{live_server.url}/admin/analytics/?range=custom&start=2025-03-24&end=2025-03-30")
            page.wait_for_selector("html[data-analytics-charts=ready]", timeout=15000)
            kpis = {
                name: " ".join(page.inner_text(f"[data-kpi={name}] .analytics-kpi-value").split())
                for name in ("revenue", "orders", "average_order_value", "units_sold", "new_customers")
            }
            assert kpis == {
                "revenue": "107.00 USD",
                "orders": "3",
                "average_order_value": "35.67 USD",
                "units_sold": "8",
                "new_customers": "1",
            }
            assert page.inner_text("[data-kpi=cancellation_rate] .analytics-kpi-value").strip() == "16.67 %"
            for canvas in CANVASES:
                state = page.evaluate(DRAWN_PIXELS, canvas)
                assert state["chart"] and state["width"] > 100 and state["drawn"] > 500, (canvas, state)
            assert page.evaluate("window.analyticsCharts.length") == len(CANVASES)
            # with JavaScript the tables fold away under their charts
            assert page.evaluate("document.querySelectorAll('details.analytics-data[open]').length") == 0

            page.goto(f"{live_server.url}/admin/analytics/?range=custom&start=2024-12-17&end=2025-03-16")
            page.wait_for_selector("html[data-analytics-charts=ready]", timeout=15000)
            for canvas in CANVASES:
                assert page.evaluate(DRAWN_PIXELS, canvas)["drawn"] > 500
            screenshot.parent.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(screenshot), full_page=True)
        finally:
            browser.close()
    assert screenshot.stat().st_size > 50_000


# Reports every CSP violation of the page (Chromium also logs each one to the console).
RECORD_CSP_VIOLATIONS = """() => {
  window.__cspViolations = [];
  document.addEventListener("securitypolicyviolation", (event) => {
    window.__cspViolations.push(`${event.violatedDirective} ${event.blockedURI}`);
  });
}"""


@pytest.mark.django_db(transaction=True)
def test_html_pages_satisfy_their_content_security_policy(live_server):
    """Each page loads, renders, reports no CSP violation and requests nothing from other hosts."""
    sync_playwright = sync_playwright_or_skip()
    admin = AdminUserFactory(email="admin@example.com")
    shop = build_shop()
    order, product = shop.orders["o1"], ProductFactory(name="Checked product")
    pages = {
        "/admin/": "#content",
        "/admin/analytics/?range=custom&start=2025-03-24&end=2025-03-30": "html[data-analytics-charts=ready]",
        "/admin/orders/order/": "#result_list",
        f"/admin/orders/order/{order.pk}/change/": "#content-main form",
        f"/admin/catalog/product/{product.pk}/change/": "#content-main form",
        "/api/docs/": ".swagger-ui .info .title",
        "/api/redoc/": "[role=menu]",
        "/accounts/verify-email/?key=some-key": "h1",
        "/accounts/password/reset/?key=some-key": "h1",
    }
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            page = browser.new_page()
            page.add_init_script(f"({RECORD_CSP_VIOLATIONS})()")
            console: list[str] = []
            page.on("console", lambda message: console.append(message.text))
            requested: list[str] = []
            page.on("request", lambda request: requested.append(request.url))
            page.goto(f"{live_server.url}/admin/login/")
            page.fill("input[name=username]", admin.email)
            page.fill("input[name=password]", PASSWORD)
            page.click("input[type=submit]")
            page.wait_for_url("**/admin/")
            for path, ready in pages.items():
                console.clear()
                requested.clear()
                response = page.goto(f"{live_server.url}{path}")
                assert response is not None and response.status == 200, path
                assert "script-src 'self'" in response.headers["content-security-policy"], path
                page.wait_for_selector(ready, timeout=15000)
                page.wait_for_load_state("networkidle")
                violations = page.evaluate("window.__cspViolations")
                reported = [text for text in console if "Content Security Policy" in text]
                assert violations == [] and reported == [], (path, violations, reported)
                foreign = [
                    url for url in requested if not url.startswith((live_server.url, "blob:", "data:"))
                ]
                assert foreign == [], (path, foreign)
        finally:
            browser.close()
