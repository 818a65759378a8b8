"""``{% analytics_cards %}``: the KPI cards of the last 30 days on the admin index."""

from __future__ import annotations

from typing import Any

from django import template
from django.conf import settings

from analytics.periods import period_for_preset
from analytics.selectors import kpis_get

register = template.Library()

CARD_KPIS = ("revenue", "orders", "average_order_value", "cancellation_rate")


@register.inclusion_tag("admin/analytics/index_cards.html", takes_context=True)
def analytics_cards(context: dict[str, Any]) -> dict[str, Any]:
    period = period_for_preset("30d")
    kpis, _ = kpis_get(period=period)
    return {
        "period": period,
        "kpis": {name: kpis[name] for name in CARD_KPIS},
        "currency": settings.SHOP_CURRENCY,
        "request": context.get("request"),
    }


# Figures whose rise is neither good nor bad in itself: shown without a colour.
NEUTRAL_KPIS = ("discount", "shipping", "tax")


@register.filter
def kpi_trend(kpi: Any, name: str = "") -> str:
    """``up``/``down``/``flat``, and ``good``/``bad`` (a higher cancellation rate is bad; the
    discount, shipping and tax are neither)."""
    if not kpi.change:
        return "flat"
    up = kpi.change > 0
    if name in NEUTRAL_KPIS:
        return "up" if up else "down"
    good = not up if name == "cancellation_rate" else up
    return f"{'up' if up else 'down'} {'good' if good else 'bad'}"
