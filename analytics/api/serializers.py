"""Shapes of ``GET /api/analytics/summary`` (money as numbers with two decimals)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from orders.models import OrderChannel, OrderStatus

# analytics.periods.EARLIEST_DAY..LATEST_DAY (1970-01-01..9998-12-31) as the schema says it.
DAY_IN_RANGE_PATTERN = (
    r"^(19[7-9][0-9]|[2-8][0-9]{3}|9[0-8][0-9]{2}|99[0-8][0-9]|999[0-8])-[0-9]{2}-[0-9]{2}$"
)


LINE_REVENUE = "Σ of the lines' net amounts after their share of the discounts (line total − tax)."


@extend_schema_field({"type": "string", "format": "date", "pattern": DAY_IN_RANGE_PATTERN})
class DayField(serializers.DateField):
    """A day of the analytics range: 1970-01-01 to 9998-12-31 (checked by ``analytics.periods``)."""


class SummaryQuerySerializer(serializers.Serializer):
    # ``from`` is a Python keyword: declared through the class namespace.
    locals()["from"] = DayField(
        required=False, help_text="First day (YYYY-MM-DD, shop time zone). Default: 29 days before `to`."
    )
    to = DayField(required=False, help_text="Last day (YYYY-MM-DD, shop time zone). Default: today.")
    channel = serializers.ChoiceField(
        choices=OrderChannel.choices, required=False, help_text="Only this sales channel (default: both)."
    )


class AnalyticsPeriodSerializer(serializers.Serializer):
    locals()["from"] = serializers.DateField(source="start", help_text="First day, included.")
    to = serializers.DateField(source="end", help_text="Last day, included.")
    days = serializers.IntegerField()


class AnalyticsMoneyKpiSerializer(serializers.Serializer):
    value = serializers.DecimalField(max_digits=16, decimal_places=2, min_value=0)
    previous = serializers.DecimalField(max_digits=16, decimal_places=2, min_value=0)
    change = serializers.DecimalField(max_digits=16, decimal_places=2, help_text="value − previous")
    change_pct = serializers.DecimalField(
        max_digits=10,
        decimal_places=1,
        allow_null=True,
        help_text="Relative change in %; null when previous is 0.",
    )


class AnalyticsRevenueKpiSerializer(serializers.Serializer):
    """A revenue figure: no minimum (an order discounted to nothing whose shipping a voucher
    also gives away has a negative revenue: that shipping was given away, docs/analytics.md)."""

    value = serializers.DecimalField(max_digits=16, decimal_places=2)
    previous = serializers.DecimalField(max_digits=16, decimal_places=2)
    change = serializers.DecimalField(max_digits=16, decimal_places=2, help_text="value − previous")
    change_pct = serializers.DecimalField(
        max_digits=10,
        decimal_places=1,
        allow_null=True,
        help_text="Relative change in %; null when previous is 0.",
    )


class AnalyticsCountKpiSerializer(serializers.Serializer):
    value = serializers.IntegerField()
    previous = serializers.IntegerField()
    change = serializers.IntegerField(help_text="value − previous")
    change_pct = serializers.DecimalField(
        max_digits=10,
        decimal_places=1,
        allow_null=True,
        help_text="Relative change in %; null when previous is 0.",
    )


class AnalyticsKpisSerializer(serializers.Serializer):
    revenue = AnalyticsRevenueKpiSerializer(
        help_text="Net sales: Σ (subtotal − discount) of paid, shipped and delivered orders, after "
        "every discount (a shipping discount too), without shipping and tax. "
        "revenue + shipping + tax = Σ order totals."
    )
    orders = AnalyticsCountKpiSerializer(help_text="Orders that count as revenue.")
    average_order_value = AnalyticsRevenueKpiSerializer(help_text="revenue ÷ orders.")
    units_sold = AnalyticsCountKpiSerializer(help_text="Units in orders that count as revenue.")
    new_customers = AnalyticsCountKpiSerializer(help_text="Customers who signed up in the period.")
    cancellation_rate = AnalyticsMoneyKpiSerializer(
        help_text="cancelled ÷ orders placed, in percent; `change` is in percentage points."
    )
    orders_placed = AnalyticsCountKpiSerializer(help_text="Every order placed, any status.")
    discount = AnalyticsMoneyKpiSerializer(
        help_text="Σ discounts (net, lines and shipping) of the orders that count as revenue."
    )
    shipping = AnalyticsMoneyKpiSerializer(
        help_text="Σ shipping (net, before its discount) of the orders that count as revenue."
    )
    tax = AnalyticsMoneyKpiSerializer(help_text="Σ tax of the orders that count as revenue.")


class AnalyticsDaySerializer(serializers.Serializer):
    date = serializers.DateField()
    revenue = serializers.DecimalField(
        max_digits=16, decimal_places=2, help_text="Net sales after discounts (no minimum: see kpis.revenue)."
    )
    orders = serializers.IntegerField(help_text="Orders that count as revenue.")
    orders_placed = serializers.IntegerField()
    discount = serializers.DecimalField(max_digits=16, decimal_places=2, min_value=0)
    shipping = serializers.DecimalField(max_digits=16, decimal_places=2, min_value=0)
    tax = serializers.DecimalField(max_digits=16, decimal_places=2, min_value=0)


class AnalyticsStatusCountSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=OrderStatus.choices)
    orders = serializers.IntegerField()


class AnalyticsProductSerializer(serializers.Serializer):
    id = serializers.CharField(help_text="Product id (prod_…).")
    name = serializers.CharField()
    revenue = serializers.DecimalField(max_digits=16, decimal_places=2, min_value=0, help_text=LINE_REVENUE)
    units = serializers.IntegerField()
    discount = serializers.DecimalField(
        max_digits=16, decimal_places=2, min_value=0, help_text="The lines' share of the discounts (net)."
    )
    tax = serializers.DecimalField(max_digits=16, decimal_places=2, min_value=0)


class AnalyticsCategorySerializer(serializers.Serializer):
    id = serializers.CharField(
        allow_null=True, help_text="Category id (cat_…); null for uncategorised products."
    )
    name = serializers.CharField()
    revenue = serializers.DecimalField(max_digits=16, decimal_places=2, min_value=0, help_text=LINE_REVENUE)
    units = serializers.IntegerField()
    discount = serializers.DecimalField(
        max_digits=16, decimal_places=2, min_value=0, help_text="The lines' share of the discounts (net)."
    )
    tax = serializers.DecimalField(max_digits=16, decimal_places=2, min_value=0)


class AnalyticsLowStockSerializer(serializers.Serializer):
    id = serializers.CharField()
    name = serializers.CharField()
    quantity = serializers.IntegerField()


class AnalyticsLatestOrderSerializer(serializers.Serializer):
    id = serializers.CharField()
    status = serializers.ChoiceField(choices=OrderStatus.choices)
    channel = serializers.CharField(help_text="shop | inventory_api")
    total_amount = serializers.DecimalField(max_digits=14, decimal_places=2, min_value=0)
    currency = serializers.CharField()
    created_at = serializers.DateTimeField()


class AnalyticsSummarySerializer(serializers.Serializer):
    period = AnalyticsPeriodSerializer()
    previous_period = AnalyticsPeriodSerializer()
    channel = serializers.CharField(
        source="period.channel", allow_null=True, help_text="null = both channels"
    )
    currency = serializers.CharField()
    time_zone = serializers.CharField(help_text="Days are calendar days in this time zone.")
    kpis = AnalyticsKpisSerializer()
    revenue_per_day = AnalyticsDaySerializer(many=True)
    orders_by_status = AnalyticsStatusCountSerializer(many=True)
    top_products_by_revenue = AnalyticsProductSerializer(many=True)
    top_products_by_units = AnalyticsProductSerializer(many=True)
    revenue_by_category = AnalyticsCategorySerializer(many=True)
    low_stock_threshold = serializers.IntegerField()
    low_stock_products = AnalyticsLowStockSerializer(many=True)
    latest_orders = AnalyticsLatestOrderSerializer(many=True)
