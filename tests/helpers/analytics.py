"""The analytics rollups and the live aggregate they must equal, in one comparable shape."""

from __future__ import annotations

from decimal import Decimal

from analytics.models import DailyOrderStats, DailyProductSales
from analytics.querysets import order_stats_live, order_units_live, product_sales_live


def rollup_state() -> tuple[set, set]:
    """The non-zero rows of both daily rollups, as sets of tuples."""
    orders = {
        (r.day, r.channel, r.status, r.orders, r.revenue, r.units)
        for r in DailyOrderStats.objects.all()
        if r.orders or r.revenue or r.units
    }
    products = {
        (r.day, r.channel, r.product_id, r.units, r.revenue)
        for r in DailyProductSales.objects.all()
        if r.units or r.revenue
    }
    return orders, products


def live_state() -> tuple[set, set]:
    """The same figures aggregated live from the orders, shaped like ``rollup_state``."""
    units = {(r["day"], r["k_channel"], r["k_status"]): r["units"] for r in order_units_live()}
    orders = {
        (
            r["day"],
            r["k_channel"],
            r["k_status"],
            r["orders"],
            Decimal(r["revenue"]).quantize(Decimal("0.01")),
            units[r["day"], r["k_channel"], r["k_status"]],
        )
        for r in order_stats_live()
    }
    products = {
        (
            r["day"],
            r["k_channel"],
            r["k_product"],
            r["units"],
            Decimal(r["revenue"]).quantize(Decimal("0.01")),
        )
        for r in product_sales_live()
    }
    return orders, products
