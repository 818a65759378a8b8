"""Headless Chromium (Debian package) driven by Playwright's Python package: log into the admin,
open the dashboard, wait for the charts, check that every canvas is drawn and the KPI cards show
the hand-computed numbers, and save ``docs/dashboard.png`` (shown in the README)."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest

from analytics.demo import demo_orders_seed
from analytics.services import rollup_rebuild
from tests.conftest import PASSWORD
from tests.factories import AdminUserFactory, CategoryFactory, ProductFactory

from .conftest import build_shop

pytestmark = pytest.mark.browser  # `make test-fast` leaves it out

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
SCREENSHOT = Path(__file__).resolve().parents[2] / "docs" / "dashboard.png"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

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


def _playwright():
    if not Path(CHROMIUM).exists():
        pytest.skip("chromium is not installed (apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:  # pragma: no cover - pinned in requirements-dev.txt
        pytest.skip("the playwright package is not installed")
    return sync_playwright


@pytest.mark.django_db(transaction=True)
def test_dashboard_in_headless_chromium(live_server, settings):
    sync_playwright = _playwright()
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
            SCREENSHOT.parent.mkdir(exist_ok=True)
            page.screenshot(path=str(SCREENSHOT), full_page=True)
        finally:
            browser.close()
    assert SCREENSHOT.stat().st_size > 50_000
