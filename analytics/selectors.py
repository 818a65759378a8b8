"""Reads for the dashboard, its CSV exports and ``GET /api/analytics/summary``: one set of
functions for all three. Every figure is summed by the database, from the daily rollups
(orders, revenue, units) or straight from the tables (new customers, low stock, latest orders).

Rules (also in the README):

- Revenue = Σ (``subtotal − discount_total``) of orders that are ``paid``, ``shipped`` or
  ``delivered`` (inventory-API orders are stored as ``paid``): net sales after every discount
  (a shipping discount included). ``pending``, ``cancelled`` and ``payment_failed`` never count.
- Discount, shipping and tax = Σ ``discount_total``, ``shipping_total``, ``tax_total`` of the
  same orders, so that revenue + shipping + tax = Σ ``total_amount``, exactly.
- A product's (and a category's) revenue = Σ (``total − tax``) of its lines in those orders:
  net, after the line's share of the discounts (a shipping discount is on no line).
- Orders = orders counted as revenue; orders placed = every order, any status.
- Average order value = revenue ÷ orders. Units sold = Σ line quantities of revenue orders.
- Cancellation rate = cancelled ÷ orders placed in the period, in percent.
- New customers = users with role ``customer`` whose ``date_joined`` falls in the period.
- Each figure is compared with the previous period of equal length.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.conf import settings
from django.db.models import Count, F, Q, Sum, Window
from django.db.models.functions import Coalesce, RowNumber

from accounts.models import Role, User
from catalog.models import Product
from orders.models import Order, OrderStatus

from .models import DailyOrderStats, DailyProductSales
from .periods import REVENUE_STATUSES, Period, local_midnight, shop_today
from .querysets import order_stats_live, order_units_live, product_sales_live

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
TOP_LIMIT = 10
LOW_STOCK_LIMIT = 20
LATEST_ORDERS_LIMIT = 10
# Reported beside the revenue (docs/analytics.md): revenue + shipping + tax = Σ total_amount.
MONEY_PARTS = ("discount", "shipping", "tax")


@dataclass(frozen=True)
class Kpi:
    """A figure for the period and for the period before it."""

    value: Decimal | int
    previous: Decimal | int

    @property
    def change(self) -> Decimal | int:
        return self.value - self.previous

    @property
    def change_pct(self) -> Decimal | None:
        """Relative change in percent (one decimal); ``None`` when the previous value is 0."""
        if not self.previous:
            return None
        return (Decimal(self.change) * 100 / Decimal(self.previous)).quantize(Decimal("0.1"), ROUND_HALF_UP)


@dataclass(frozen=True)
class StatusCount:
    status: str
    label: str
    orders: int
    revenue: Decimal
    units: int
    discount: Decimal = ZERO
    shipping: Decimal = ZERO
    tax: Decimal = ZERO


@dataclass(frozen=True)
class DayPoint:
    date: date
    revenue: Decimal
    orders: int
    orders_placed: int
    discount: Decimal = ZERO
    shipping: Decimal = ZERO
    tax: Decimal = ZERO


@dataclass(frozen=True)
class ProductFigure:
    pk: int
    id: str
    name: str
    revenue: Decimal
    units: int
    discount: Decimal = ZERO
    tax: Decimal = ZERO


@dataclass(frozen=True)
class CategoryFigure:
    id: str | None
    name: str
    revenue: Decimal
    units: int
    discount: Decimal = ZERO
    tax: Decimal = ZERO


@dataclass(frozen=True)
class LowStockProduct:
    pk: int
    id: str
    name: str
    quantity: int


@dataclass(frozen=True)
class LatestOrder:
    pk: int
    id: str
    status: str
    channel: str
    total_amount: Decimal
    currency: str
    customer_email: str
    created_at: datetime


@dataclass(frozen=True)
class Summary:
    period: Period
    previous_period: Period
    currency: str
    time_zone: str
    kpis: dict[str, Kpi]
    orders_by_status: list[StatusCount]
    revenue_per_day: list[DayPoint]
    top_products_by_revenue: list[ProductFigure]
    top_products_by_units: list[ProductFigure]
    revenue_by_category: list[CategoryFigure]
    low_stock_products: list[LowStockProduct]
    low_stock_threshold: int
    latest_orders: list[LatestOrder] = field(default_factory=list)


def _money(value: Decimal | None) -> Decimal:
    """Sums come back as ``Decimal('20')`` on SQLite: always two places."""
    return Decimal(value or 0).quantize(CENT)


def _channel(period: Period) -> Q:
    return Q(channel=period.channel) if period.channel else Q()


def _ratio(numerator: Decimal | int, denominator: Decimal | int, *, scale: int = 1) -> Decimal:
    if not denominator:
        return ZERO
    return (Decimal(numerator) * scale / Decimal(denominator)).quantize(CENT, ROUND_HALF_UP)


def status_breakdown(*, period: Period) -> tuple[list[StatusCount], list[StatusCount]]:
    """Orders, revenue (with discount, shipping and tax) and units per status, for ``period``
    and its previous period (one query).

    Every status is listed, in the order of ``OrderStatus``, zeros included.
    """
    previous = period.previous
    current_q, previous_q = Q(day__gte=period.start), Q(day__lte=previous.end)
    rows: dict[str, Mapping[str, Any]] = {
        row["status"]: row
        for row in DailyOrderStats.objects.filter(
            _channel(period), day__gte=previous.start, day__lte=period.end
        )
        .values("status")
        .annotate(
            **{
                f"n_{column}{suffix}": Coalesce(Sum(column, filter=condition), zero)
                for suffix, condition in (("", current_q), ("_prev", previous_q))
                for column, zero in (
                    ("orders", 0),
                    ("revenue", ZERO),
                    ("units", 0),
                    *((money, ZERO) for money in MONEY_PARTS),
                )
            }
        )
        .order_by()
    }
    current: list[StatusCount]
    before: list[StatusCount]
    row: Mapping[str, Any]
    current, before = [], []
    for status, label in OrderStatus.choices:
        row = rows.get(status, {})
        for out, suffix in ((current, ""), (before, "_prev")):
            out.append(
                StatusCount(
                    status=status,
                    label=str(label),
                    orders=row.get(f"n_orders{suffix}", 0),
                    revenue=_money(row.get(f"n_revenue{suffix}")),
                    units=row.get(f"n_units{suffix}", 0),
                    discount=_money(row.get(f"n_discount{suffix}")),
                    shipping=_money(row.get(f"n_shipping{suffix}")),
                    tax=_money(row.get(f"n_tax{suffix}")),
                )
            )
    return current, before


def new_customers(*, period: Period) -> Kpi:
    """Customers who signed up in the period and in the previous one (one query; no channel)."""
    previous = period.previous
    totals = User.objects.filter(
        role=Role.CUSTOMER, date_joined__gte=previous.starts_at, date_joined__lt=period.ends_before
    ).aggregate(
        current=Count("id", filter=Q(date_joined__gte=period.starts_at)),
        previous=Count("id", filter=Q(date_joined__lt=period.starts_at)),
    )
    return Kpi(value=totals["current"], previous=totals["previous"])


def kpis_get(*, period: Period) -> tuple[dict[str, Kpi], list[StatusCount]]:
    """The six KPIs (plus orders placed, and the discount, shipping and tax beside the revenue)
    with their previous values, and the status breakdown of ``period``. Two queries."""
    current, before = status_breakdown(period=period)

    def totals(rows: list[StatusCount]) -> dict[str, Any]:
        counted = [row for row in rows if row.status in REVENUE_STATUSES]
        revenue = sum((row.revenue for row in counted), ZERO)
        orders = sum(row.orders for row in counted)
        units = sum(row.units for row in counted)
        placed = sum(row.orders for row in rows)
        cancelled = next(row.orders for row in rows if row.status == OrderStatus.CANCELLED)
        return {
            "revenue": revenue,
            **{part: sum((getattr(row, part) for row in counted), ZERO) for part in MONEY_PARTS},
            "orders": orders,
            "orders_placed": placed,
            "average_order_value": _ratio(revenue, orders),
            "units_sold": units,
            "cancellation_rate": _ratio(cancelled, placed, scale=100),
        }

    now, then = totals(current), totals(before)
    kpis = {name: Kpi(value=now[name], previous=then[name]) for name in now}
    kpis["new_customers"] = new_customers(period=period)
    order = ["revenue", "orders", "average_order_value", "units_sold", "new_customers"]
    order += ["cancellation_rate", "orders_placed", *MONEY_PARTS]
    return {name: kpis[name] for name in order}, current


def revenue_per_day(*, period: Period) -> list[DayPoint]:
    """Revenue (with discount, shipping and tax), revenue orders and orders placed for every day
    of the period (zeros included)."""
    counted = Q(status__in=REVENUE_STATUSES)
    rows: dict[date, Mapping[str, Any]] = {
        row["day"]: row
        for row in DailyOrderStats.objects.filter(
            _channel(period), day__gte=period.start, day__lte=period.end
        )
        .values("day")
        .annotate(
            n_revenue=Coalesce(Sum("revenue", filter=counted), ZERO),
            n_orders=Coalesce(Sum("orders", filter=counted), 0),
            n_placed=Coalesce(Sum("orders"), 0),
            **{f"n_{part}": Coalesce(Sum(part, filter=counted), ZERO) for part in MONEY_PARTS},
        )
        .order_by("day")
    }
    points: list[DayPoint] = []
    row: Mapping[str, Any]
    for day in period.dates():
        row = rows.get(day, {})
        points.append(
            DayPoint(
                day,
                _money(row.get("n_revenue")),
                row.get("n_orders", 0),
                row.get("n_placed", 0),
                discount=_money(row.get("n_discount")),
                shipping=_money(row.get("n_shipping")),
                tax=_money(row.get("n_tax")),
            )
        )
    return points


def top_products_ranked(
    *, period: Period, limit: int = TOP_LIMIT
) -> tuple[list[ProductFigure], list[ProductFigure]]:
    """The ``limit`` best-selling products of the period by revenue and by units (ties: lower
    pk first). Two queries: totals grouped by product id alone and ranked by the database
    (window functions), then the names of the few products ranked."""
    totals = (
        DailyProductSales.objects.filter(_channel(period), day__gte=period.start, day__lte=period.end)
        .values("product_id")
        .annotate(
            n_revenue=Sum("revenue"), n_units=Sum("units"), n_discount=Sum("discount"), n_tax=Sum("tax")
        )
        .filter(n_units__gt=0)
        .annotate(
            revenue_rank=Window(RowNumber(), order_by=[F("n_revenue").desc(), F("product_id").asc()]),
            units_rank=Window(RowNumber(), order_by=[F("n_units").desc(), F("product_id").asc()]),
        )
        .filter(Q(revenue_rank__lte=limit) | Q(units_rank__lte=limit))
    )
    rows = list(totals)
    if not rows:
        return [], []
    names = {
        pk: (public_id, name)
        for pk, public_id, name in Product.objects.filter(pk__in=[r["product_id"] for r in rows]).values_list(
            "id", "public_id", "name"
        )
    }

    def figure(row: Mapping[str, Any]) -> ProductFigure:
        public_id, name = names[row["product_id"]]
        return ProductFigure(
            pk=row["product_id"],
            id=public_id,
            name=name,
            revenue=_money(row["n_revenue"]),
            units=row["n_units"],
            discount=_money(row["n_discount"]),
            tax=_money(row["n_tax"]),
        )

    by_revenue = sorted((r for r in rows if r["revenue_rank"] <= limit), key=lambda r: r["revenue_rank"])
    by_units = sorted((r for r in rows if r["units_rank"] <= limit), key=lambda r: r["units_rank"])
    return [figure(r) for r in by_revenue], [figure(r) for r in by_units]


def top_products(*, period: Period, by: str = "revenue", limit: int = TOP_LIMIT) -> list[ProductFigure]:
    """The best-selling products of the period by ``revenue`` or ``units`` (CSV export)."""
    if by not in ("revenue", "units"):
        raise ValueError(f"unknown ranking {by!r}")
    by_revenue, by_units = top_products_ranked(period=period, limit=limit)
    return by_revenue if by == "revenue" else by_units


def revenue_by_category(*, period: Period, limit: int = TOP_LIMIT) -> list[CategoryFigure]:
    """Line revenue (and discount, tax) per category the products are filed under (a product in
    two categories counts in both; products without a category are grouped as "Uncategorised")."""
    rows = (
        DailyProductSales.objects.filter(_channel(period), day__gte=period.start, day__lte=period.end)
        .values("product__categories__public_id", "product__categories__name")
        .annotate(
            n_revenue=Sum("revenue"), n_units=Sum("units"), n_discount=Sum("discount"), n_tax=Sum("tax")
        )
        .filter(n_units__gt=0)
        .order_by("-n_revenue", "product__categories__name")[:limit]
    )
    return [
        CategoryFigure(
            id=row["product__categories__public_id"],
            name=row["product__categories__name"] or "Uncategorised",
            revenue=_money(row["n_revenue"]),
            units=row["n_units"],
            discount=_money(row["n_discount"]),
            tax=_money(row["n_tax"]),
        )
        for row in rows
    ]


def low_stock_products(
    *, threshold: int | None = None, limit: int = LOW_STOCK_LIMIT
) -> list[LowStockProduct]:
    """Products on sale with fewer than ``threshold`` (``LOW_STOCK_THRESHOLD``) units in total
    (over their active variants), fewest first."""
    threshold = settings.LOW_STOCK_THRESHOLD if threshold is None else threshold
    rows = (
        Product.objects.filter(discontinued=False, quantity__lt=threshold)  # type: ignore[misc]  # the annotation
        .order_by("quantity", "name", "id")
        .values("id", "public_id", "name", "quantity")[:limit]
    )
    return [
        LowStockProduct(pk=r["id"], id=r["public_id"], name=r["name"], quantity=r["quantity"]) for r in rows
    ]


def latest_orders(*, period: Period, limit: int = LATEST_ORDERS_LIMIT) -> list[LatestOrder]:
    """The newest orders placed in the period (any status)."""
    rows = (
        Order.objects.filter(
            _channel(period), created_at__gte=period.starts_at, created_at__lt=period.ends_before
        )
        .order_by("-created_at", "-id")
        .values(
            "id", "public_id", "status", "channel", "total_amount", "currency", "customer_email", "created_at"
        )[:limit]
    )
    return [
        LatestOrder(
            pk=r["id"],
            id=r["public_id"],
            status=r["status"],
            channel=r["channel"],
            total_amount=r["total_amount"],
            currency=r["currency"],
            customer_email=r["customer_email"],
            created_at=r["created_at"],
        )
        for r in rows
    ]


def analytics_summary(*, period: Period) -> Summary:
    """Every figure of the dashboard for ``period`` (nine queries)."""
    kpis, statuses = kpis_get(period=period)
    by_revenue, by_units = top_products_ranked(period=period)
    return Summary(
        period=period,
        previous_period=period.previous,
        currency=settings.SHOP_CURRENCY,
        time_zone=settings.SHOP_TIME_ZONE,
        kpis=kpis,
        orders_by_status=statuses,
        revenue_per_day=revenue_per_day(period=period),
        top_products_by_revenue=by_revenue,
        top_products_by_units=by_units,
        revenue_by_category=revenue_by_category(period=period),
        low_stock_products=low_stock_products(),
        low_stock_threshold=settings.LOW_STOCK_THRESHOLD,
        latest_orders=latest_orders(period=period),
    )


# --- The nightly rollup check (analytics.tasks.rollup_check) ------------------------------------


def rollup_mismatches(*, days: int | None = None, today: date | None = None) -> list[date]:
    """The shop-local days among the last ``days`` (default ``ANALYTICS_CHECK_DAYS``, today
    included) whose rollup rows differ from a live aggregate of the orders (zero rows ignored)."""
    from datetime import timedelta

    last = today or shop_today()
    first = last - timedelta(days=(days if days is not None else settings.ANALYTICS_CHECK_DAYS) - 1)
    starts_at, ends_before = local_midnight(first), local_midnight(last + timedelta(days=1))

    def money(value: Any) -> Decimal:
        return Decimal(value or 0).quantize(CENT)

    rolled: set[tuple[Any, ...]] = set()
    for r in DailyOrderStats.objects.filter(day__gte=first, day__lte=last):
        parts = tuple(money(getattr(r, part)) for part in MONEY_PARTS)
        if r.orders or r.revenue or r.units or any(parts):
            rolled.add(("o", r.day, r.channel, r.status, r.orders, money(r.revenue), r.units, *parts))
    for p in DailyProductSales.objects.filter(day__gte=first, day__lte=last):
        if p.units or p.revenue or p.discount or p.tax:
            rolled.add(
                (
                    "p",
                    p.day,
                    p.channel,
                    p.product_id,
                    p.units,
                    money(p.revenue),
                    money(p.discount),
                    money(p.tax),
                )
            )
    units = {
        (r["day"], r["k_channel"], r["k_status"]): r["units"]
        for r in order_units_live(starts_at=starts_at, ends_before=ends_before)
    }
    live: set[tuple[Any, ...]] = set()
    for row in order_stats_live(starts_at=starts_at, ends_before=ends_before):
        key = (row["day"], row["k_channel"], row["k_status"])
        parts = tuple(money(row[part]) for part in MONEY_PARTS)
        live.add(("o", *key, row["orders"], money(row["revenue"]), units.get(key) or 0, *parts))
    for row in product_sales_live(starts_at=starts_at, ends_before=ends_before):
        live.add(
            (
                "p",
                row["day"],
                row["k_channel"],
                row["k_product"],
                row["units"],
                money(row["revenue"]),
                money(row["discount"]),
                money(row["tax"]),
            )
        )
    return sorted({row[1] for row in rolled ^ live})
