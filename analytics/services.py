"""Writes of the analytics app: keeping the daily rollups current and rebuilding them.

``order_stats_record`` runs in the transaction that changes an order (creation and every status
change): the order services send ``orders.signals.order_status_changed`` and
:func:`order_stats_receiver` (connected in ``AnalyticsConfig.ready``) records it, so the dashboard never reads a stale rollup. It adds
deltas with one atomic upsert per table (``analytics.queries``: ``INSERT …
ON CONFLICT/ON DUPLICATE KEY … SET x = x + delta``): concurrent order changes commute, and rows
are written in key order so two transactions never deadlock on them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.db import connection, transaction

from orders.models import Order, OrderLine

from .models import DailyOrderStats, DailyProductSales
from .periods import REVENUE_STATUSES, local_day, local_midnight
from .queries import insert_select, order_stats_add, product_sales_add
from .querysets import order_stats_live, order_units_live, product_sales_live


def order_stats_record(
    *, order: Order, from_status: str, to_status: str, lines: Iterable[OrderLine] | None = None
) -> None:
    """Apply one order change to the rollups, inside the caller's transaction.

    ``from_status`` is ``""`` when the order has just been created (with its lines and totals).
    ``lines`` may be passed when they are in memory (saves the query that reads them).
    Two or three queries: the lines (unless given), the order rows, and the product rows when
    the order moves into or out of the revenue statuses. The money is split as
    docs/analytics.md says: revenue ``subtotal − discount_total``, discount, shipping, tax.
    """
    if from_status == to_status:
        return
    line_values: list[tuple[int, int, Decimal, Decimal, Decimal]]
    if lines is None:
        line_values = list(order.lines.values_list("product_id", "quantity", "total", "tax", "discount"))
    else:
        line_values = [
            (line.product_id, line.quantity, line.total, line.tax, line.discount) for line in lines
        ]
    units = sum(values[1] for values in line_values)
    day = local_day(order.created_at)
    money = (
        order.subtotal - order.discount_total,
        order.discount_total,
        order.shipping_total,
        order.tax_total,
    )
    revenue, discount, shipping, tax = (Decimal(amount) for amount in money)
    rows: list[tuple[Any, ...]] = [
        (day, order.channel, to_status, 1, revenue, units, discount, shipping, tax)
    ]
    if from_status:
        rows.append((day, order.channel, from_status, -1, -revenue, -units, -discount, -shipping, -tax))
    order_stats_add(rows)

    counted_before, counted_now = from_status in REVENUE_STATUSES, to_status in REVENUE_STATUSES
    if counted_before == counted_now:
        return
    sign = 1 if counted_now else -1
    zero = Decimal("0.00")
    per_product: dict[int, tuple[int, Decimal, Decimal, Decimal]] = {}
    for product_id, quantity, line_total, line_tax, line_discount in line_values:
        n, net, off, taxed = per_product.get(product_id, (0, zero, zero, zero))
        per_product[product_id] = (
            n + quantity,
            net + Decimal(line_total) - Decimal(line_tax),
            off + Decimal(line_discount),
            taxed + Decimal(line_tax),
        )
    product_sales_add(
        [
            (day, order.channel, product_id, sign * n, sign * net, sign * off, sign * taxed)
            for product_id, (n, net, off, taxed) in per_product.items()
        ],
    )


def order_stats_receiver(
    sender: type[Order],
    *,
    order: Order,
    from_status: str,
    to_status: str,
    lines: Iterable[OrderLine] | None = None,
    **kwargs: Any,
) -> None:
    """Receiver of :data:`orders.signals.order_status_changed`: :func:`order_stats_record`."""
    order_stats_record(order=order, from_status=from_status, to_status=to_status, lines=lines)


@dataclass(frozen=True)
class RollupResult:
    start: date | None
    end: date | None
    order_rows: int
    product_rows: int


def rollup_rebuild(*, start: date | None = None, end: date | None = None) -> RollupResult:
    """Recompute the rollups of days ``start``..``end`` (shop-local, both included; ``None`` =
    unbounded) from the orders, in one transaction.

    On PostgreSQL the rollup tables are locked against concurrent ``order_stats_record`` calls
    for the duration, so a change committed meanwhile is counted exactly once.
    """
    starts_at = local_midnight(start) if start else None
    ends_before = local_midnight(end + timedelta(days=1)) if end else None
    with transaction.atomic(durable=True):
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                tables = ", ".join(
                    connection.ops.quote_name(m._meta.db_table) for m in (DailyOrderStats, DailyProductSales)
                )
                cursor.execute(f"LOCK TABLE {tables} IN SHARE ROW EXCLUSIVE MODE")
        for model in (DailyOrderStats, DailyProductSales):
            rows = model.objects.all()
            if start:
                rows = rows.filter(day__gte=start)
            if end:
                rows = rows.filter(day__lte=end)
            rows.delete()
        order_rows = insert_select(
            DailyOrderStats,
            {
                "day": "day",
                "channel": "k_channel",
                "status": "k_status",
                "orders": "orders",
                "revenue": "revenue",
                "discount": "discount",
                "shipping": "shipping",
                "tax": "tax",
            },
            order_stats_live(starts_at=starts_at, ends_before=ends_before),
        )
        insert_select(
            DailyOrderStats,
            {"day": "day", "channel": "k_channel", "status": "k_status", "units": "units"},
            order_units_live(starts_at=starts_at, ends_before=ends_before),
            set_on_conflict=("day", "channel", "status"),
        )
        product_rows = insert_select(
            DailyProductSales,
            {
                "day": "day",
                "channel": "k_channel",
                "product_id": "k_product",
                "units": "units",
                "revenue": "revenue",
                "discount": "discount",
                "tax": "tax",
            },
            product_sales_live(starts_at=starts_at, ends_before=ends_before),
        )
    return RollupResult(start=start, end=end, order_rows=order_rows, product_rows=product_rows)
