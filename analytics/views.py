"""The analytics dashboard inside the Django admin, and its CSV exports.

Wired into ``admin.site`` by ``analytics/admin.py`` (staff only, admin login for everyone else).
The figures come from :func:`analytics.selectors.analytics_summary`, the same selectors as the
API.
"""

from __future__ import annotations

import csv
from decimal import Decimal
from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import reverse

from ecommerce.common.exceptions import InvalidRequest
from orders.models import OrderChannel

from .periods import PRESETS, Period, period_parse
from .selectors import Summary, analytics_summary, revenue_per_day, top_products

EXPORT_TOP_LIMIT = 100
DEFAULT_PRESET = "30d"


class DashboardFilterForm(forms.Form):
    range = forms.ChoiceField(choices=list(PRESETS.items()), required=False)
    start = forms.DateField(required=False, label="From", widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(required=False, label="To", widget=forms.DateInput(attrs={"type": "date"}))
    channel = forms.ChoiceField(choices=[("", "Both channels"), *OrderChannel.choices], required=False)

    def period(self) -> tuple[Period, str]:
        """The chosen period and preset; the default (last 30 days) when the input is invalid.

        Field errors are left on the form for the page to show.
        """
        if not self.is_valid():
            return period_parse(preset=DEFAULT_PRESET), DEFAULT_PRESET
        data = self.cleaned_data
        preset = data["range"] or ("custom" if data["start"] or data["end"] else DEFAULT_PRESET)
        try:
            period = period_parse(
                preset=preset, start=data["start"], end=data["end"], channel=data["channel"]
            )
        except InvalidRequest as error:
            for field, message in error.details.items():
                self.add_error(
                    "start" if field == "from" else field if field in self.fields else None, message
                )
            return period_parse(preset=DEFAULT_PRESET), DEFAULT_PRESET
        return period, preset


def _filter(request: HttpRequest) -> tuple[DashboardFilterForm, Period, str]:
    form = DashboardFilterForm(request.GET)
    period, preset = form.period()
    return form, period, preset


def _query(period: Period) -> str:
    query = f"range=custom&start={period.start.isoformat()}&end={period.end.isoformat()}"
    return query + (f"&channel={period.channel}" if period.channel else "")


def _number(value: Decimal | int) -> float | int:
    return float(value) if isinstance(value, Decimal) else value


def chart_data(summary: Summary) -> dict[str, Any]:
    """What ``dashboard.js`` draws (numbers as JSON numbers; display only)."""
    return {
        "currency": summary.currency,
        "days": {
            "labels": [point.date.isoformat() for point in summary.revenue_per_day],
            "revenue": [_number(point.revenue) for point in summary.revenue_per_day],
            "shipping": [_number(point.shipping) for point in summary.revenue_per_day],
            "tax": [_number(point.tax) for point in summary.revenue_per_day],
            "orders": [point.orders for point in summary.revenue_per_day],
        },
        "statuses": {
            "labels": [row.label for row in summary.orders_by_status],
            "keys": [row.status for row in summary.orders_by_status],
            "orders": [row.orders for row in summary.orders_by_status],
        },
        "topRevenue": {
            "labels": [p.name for p in summary.top_products_by_revenue],
            "values": [_number(p.revenue) for p in summary.top_products_by_revenue],
        },
        "topUnits": {
            "labels": [p.name for p in summary.top_products_by_units],
            "values": [p.units for p in summary.top_products_by_units],
        },
        "categories": {
            "labels": [c.name for c in summary.revenue_by_category],
            "values": [_number(c.revenue) for c in summary.revenue_by_category],
        },
    }


def dashboard_view(request: HttpRequest) -> TemplateResponse:
    """``/admin/analytics/``: KPIs, charts (with tables underneath), low stock, latest orders."""
    form, period, preset = _filter(request)
    summary = analytics_summary(period=period)
    query = _query(period)
    context = {
        **admin.site.each_context(request),
        "title": "Analytics",
        "form": form,
        "summary": summary,
        "kpis": summary.kpis,
        # revenue + shipping + tax: what the revenue orders totalled (docs/analytics.md)
        "takings": sum(
            (summary.kpis[name].value for name in ("revenue", "shipping", "tax")), Decimal("0.00")
        ),
        "chart_data": chart_data(summary),
        "preset": preset,
        "presets": [
            (key, label, f"?range={key}" + (f"&channel={period.channel}" if period.channel else ""))
            for key, label in PRESETS.items()
            if key != "custom"
        ],
        "export_daily_url": f"{reverse('admin:analytics_export_daily')}?{query}",
        "export_products_url": f"{reverse('admin:analytics_export_products')}?{query}",
        "export_units_url": f"{reverse('admin:analytics_export_products')}?{query}&by=units",
    }
    return TemplateResponse(request, "admin/analytics/dashboard.html", context)


def _csv_cell(value: Any) -> Any:
    """Neutralise spreadsheet formulas in text cells (CSV injection)."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def _csv_response(filename: str, header: list[str], rows: list[list[Any]]) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    writer = csv.writer(response)
    writer.writerow(header)
    writer.writerows([[_csv_cell(cell) for cell in row] for row in rows])
    return response


def _file_suffix(period: Period) -> str:
    return f"{period.start.isoformat()}_{period.end.isoformat()}" + (
        f"_{period.channel}" if period.channel else ""
    )


def export_daily_view(request: HttpRequest) -> HttpResponse:
    """CSV of the daily series: date, revenue, orders (revenue), orders placed, then the
    discount, shipping and tax of the revenue orders (added after the first four columns)."""
    _, period, _ = _filter(request)
    rows = [
        [
            point.date.isoformat(),
            f"{point.revenue:.2f}",
            point.orders,
            point.orders_placed,
            f"{point.discount:.2f}",
            f"{point.shipping:.2f}",
            f"{point.tax:.2f}",
        ]
        for point in revenue_per_day(period=period)
    ]
    return _csv_response(
        f"revenue-per-day_{_file_suffix(period)}.csv",
        ["date", "revenue", "orders", "orders_placed", "discount", "shipping", "tax"],
        rows,
    )


def export_products_view(request: HttpRequest) -> HttpResponse:
    """CSV of the top products of the period by revenue (``?by=units``: by units), with their
    lines' discount and tax after the first five columns."""
    _, period, _ = _filter(request)
    by = "units" if request.GET.get("by") == "units" else "revenue"
    rows = [
        [
            rank,
            product.id,
            product.name,
            product.units,
            f"{product.revenue:.2f}",
            f"{product.discount:.2f}",
            f"{product.tax:.2f}",
        ]
        for rank, product in enumerate(top_products(period=period, by=by, limit=EXPORT_TOP_LIMIT), start=1)
    ]
    return _csv_response(
        f"top-products-by-{by}_{_file_suffix(period)}.csv",
        ["rank", "product_id", "name", "units", "revenue", "discount", "tax"],
        rows,
    )
