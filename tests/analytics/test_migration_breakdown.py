"""``analytics`` 0003 (revenue net of discounts, shipping and tax apart): rollups written under
the old definition (revenue = Σ total_amount, product revenue = Σ line_total) become, forwards,
exactly what a rebuild under the new one writes; backwards they are the old ones again."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from analytics.services import rollup_rebuild
from tests.helpers.analytics import build_priced_shop, build_shop, live_state, rollup_state

BEFORE = [("analytics", "0002_product_sales_no_fk_lock")]
D = Decimal


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def _leaf():
    executor = MigrationExecutor(connection)
    return [node for node in executor.loader.graph.leaf_nodes() if node[0] == "analytics"]


@pytest.mark.django_db(transaction=True)
def test_the_backfill_moves_the_rollups_to_the_new_definition_and_back(settings):
    settings.SHOP_TIME_ZONE = "Europe/Berlin"
    build_shop()  # orders without a breakdown: their rows never move
    priced = build_priced_shop()
    rollup_rebuild()
    expected = rollup_state()
    assert expected == live_state()
    try:
        old = _migrate(BEFORE)
        # backwards: the old definitions, from the rows' own columns and the orders
        OldOrderStats = old.get_model("analytics", "DailyOrderStats")
        OldProductSales = old.get_model("analytics", "DailyProductSales")
        assert {f.name for f in OldOrderStats._meta.get_fields()} >= {"revenue", "units"}
        assert "tax" not in {f.name for f in OldOrderStats._meta.get_fields()}
        rows = {(r.day, r.channel, r.status): r.revenue for r in OldOrderStats.objects.all()}
        assert rows[date(2025, 3, 24), "shop", "paid"] == D("85.92")  # q1 65.92 + o1 20.00
        assert rows[date(2025, 3, 25), "shop", "delivered"] == D("55.39")  # q2's total
        assert rows[date(2025, 3, 26), "shop", "cancelled"] == D("115.92")  # q4 65.92 + o4 50.00
        tee = {r.day: r.revenue for r in OldProductSales.objects.filter(product_id=priced.tee.pk)}
        assert tee[date(2025, 3, 25)] == D("100.00")  # q2 and q3: 2 × 25.00 each, as entered
        assert tee[date(2025, 3, 26)] == D("25.00")  # q5, no breakdown
    finally:
        _migrate(_leaf())
    assert rollup_state() == expected  # forwards: what a rebuild writes
    assert rollup_state() == live_state()
