"""The live aggregates behind the rollups: grouped and summed by the database, with days cut
by the database's own time-zone conversion (``TruncDate(..., tzinfo=SHOP_TIME_ZONE)``).

Money (docs/analytics.md): an order's revenue is ``subtotal − discount_total`` (net sales after
every discount), its shipping ``shipping_total`` and its tax ``tax_total``; they add up to
``total_amount``. A line's revenue is ``total − tax`` (net, after its share of the discounts).

``analytics_rollup`` copies them into the rollup tables; the tests compare the incrementally
kept rollups with them.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from django.db.models import Count, DecimalField, F, Q, QuerySet, Sum
from django.db.models.functions import TruncDate

from orders.models import Order, OrderLine

from .periods import REVENUE_STATUSES, shop_tz

MONEY = DecimalField(max_digits=16, decimal_places=2)


def _created_between(prefix: str, starts_at: datetime | None, ends_before: datetime | None) -> Q:
    condition = Q()
    if starts_at is not None:
        condition &= Q(**{f"{prefix}created_at__gte": starts_at})
    if ends_before is not None:
        condition &= Q(**{f"{prefix}created_at__lt": ends_before})
    return condition


def order_stats_live(
    *, starts_at: datetime | None = None, ends_before: datetime | None = None
) -> QuerySet[Order, Mapping[str, Any]]:
    """Rows ``{day, k_channel, k_status, orders, revenue, discount, shipping, tax}`` of the orders
    created in the range (every output column is aliased, so ``INSERT … SELECT`` can name them
    on every database)."""
    return (
        Order.objects.filter(_created_between("", starts_at, ends_before))
        .annotate(day=TruncDate("created_at", tzinfo=shop_tz()), k_channel=F("channel"), k_status=F("status"))
        .values("day", "k_channel", "k_status")
        .annotate(
            orders=Count("id"),
            revenue=Sum(F("subtotal") - F("discount_total"), output_field=MONEY),
            discount=Sum("discount_total"),
            shipping=Sum("shipping_total"),
            tax=Sum("tax_total"),
        )
        .order_by()
    )


def order_units_live(
    *, starts_at: datetime | None = None, ends_before: datetime | None = None
) -> QuerySet[OrderLine, Mapping[str, Any]]:
    """Rows ``{day, k_channel, k_status, units}``: units of the orders created in the range."""
    return (
        OrderLine.objects.filter(_created_between("order__", starts_at, ends_before))
        .annotate(
            day=TruncDate("order__created_at", tzinfo=shop_tz()),
            k_channel=F("order__channel"),
            k_status=F("order__status"),
        )
        .values("day", "k_channel", "k_status")
        .annotate(units=Sum("quantity"))
        .order_by()
    )


def product_sales_live(
    *, starts_at: datetime | None = None, ends_before: datetime | None = None
) -> QuerySet[OrderLine, Mapping[str, Any]]:
    """Rows ``{day, k_channel, k_product, units, revenue, discount, tax}`` of the lines of
    revenue orders."""
    return (
        OrderLine.objects.filter(
            _created_between("order__", starts_at, ends_before), order__status__in=REVENUE_STATUSES
        )
        .annotate(
            day=TruncDate("order__created_at", tzinfo=shop_tz()),
            k_channel=F("order__channel"),
            k_product=F("product_id"),
        )
        .values("day", "k_channel", "k_product")
        .annotate(
            units=Sum("quantity"),
            revenue=Sum(F("total") - F("tax"), output_field=MONEY),
            discount=Sum("discount"),
            tax=Sum("tax"),
        )
        .order_by()
    )
