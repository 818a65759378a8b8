"""``GET /api/analytics/summary``: the dashboard's figures as JSON (admins only)."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.permissions import IsAdmin
from analytics.periods import period_parse
from analytics.selectors import analytics_summary

from .serializers import AnalyticsSummarySerializer, SummaryQuerySerializer

_KPI = {"value": 107.0, "previous": 40.0, "change": 67.0, "change_pct": 167.5}
_PRODUCT = {
    "id": "prod_3kTMd9xQ2b7VfLr8",
    "name": "Gift box",
    "revenue": 75.0,
    "units": 3,
    "discount": 0.0,
    "tax": 14.25,
}
SUMMARY_EXAMPLE = OpenApiExample(
    "Summary (abridged)",
    response_only=True,
    value={
        "period": {"from": "2025-03-24", "to": "2025-03-30", "days": 7},
        "previous_period": {"from": "2025-03-17", "to": "2025-03-23", "days": 7},
        "channel": None,
        "currency": "USD",
        "time_zone": "Europe/Berlin",
        "kpis": {
            "revenue": _KPI,
            "orders": {"value": 3, "previous": 2, "change": 1, "change_pct": 50.0},
            "average_order_value": {"value": 35.67, "previous": 20.0, "change": 15.67, "change_pct": 78.4},
            "units_sold": {"value": 8, "previous": 4, "change": 4, "change_pct": 100.0},
            "new_customers": {"value": 1, "previous": 0, "change": 1, "change_pct": None},
            "cancellation_rate": {"value": 16.67, "previous": 33.33, "change": -16.66, "change_pct": -50.0},
            "orders_placed": {"value": 6, "previous": 3, "change": 3, "change_pct": 100.0},
            "discount": {"value": 5.0, "previous": 0.0, "change": 5.0, "change_pct": None},
            "shipping": {"value": 9.8, "previous": 4.9, "change": 4.9, "change_pct": 100.0},
            "tax": {"value": 20.33, "previous": 7.6, "change": 12.73, "change_pct": 167.5},
        },
        "revenue_per_day": [
            {
                "date": "2025-03-24",
                "revenue": 20.0,
                "orders": 1,
                "orders_placed": 1,
                "discount": 5.0,
                "shipping": 4.9,
                "tax": 4.73,
            }
        ],
        "orders_by_status": [{"status": "paid", "orders": 2}, {"status": "cancelled", "orders": 1}],
        "top_products_by_revenue": [_PRODUCT],
        "top_products_by_units": [_PRODUCT],
        "revenue_by_category": [
            {
                "id": "cat_9sKd02LmQa7Bv1Xz",
                "name": "Coffee",
                "revenue": 95.0,
                "units": 5,
                "discount": 5.0,
                "tax": 18.05,
            }
        ],
        "low_stock_threshold": 5,
        "low_stock_products": [{"id": "prod_Q8wmZ1xL0pT4sV2c", "name": "Tea", "quantity": 2}],
        "latest_orders": [
            {
                "id": "ord_Hx82kQm1Zr0Tb7Yd",
                "status": "delivered",
                "channel": "shop",
                "total_amount": 50.0,
                "currency": "USD",
                "created_at": "2025-03-29T23:30:00Z",
            }
        ],
    },
)


class AnalyticsSummaryApi(APIView):
    permission_classes = [IsAdmin]

    @extend_schema(
        tags=["analytics"],
        summary="Sales figures for a period (admins)",
        description=(
            "Revenue, orders, average order value, units sold, new customers and cancellation rate, "
            "each with the previous period of equal length; revenue per day, orders per status, top "
            "products by revenue and by units, revenue by category, low-stock products and the latest "
            "orders. Days are calendar days in the shop's time zone (`time_zone`). Revenue counts "
            "paid, shipped and delivered orders; pending, cancelled and payment_failed never count. "
            "Revenue is net sales after every discount (subtotal − discount); the discount, the "
            "shipping and the tax of the same orders are reported beside it (`kpis.discount`, "
            "`kpis.shipping`, `kpis.tax`, and per day), so that revenue + shipping + tax is what the "
            "orders totalled. "
            "The period is at most 731 days; `from` after `to` is a 400."
        ),
        parameters=[SummaryQuerySerializer],
        responses={200: AnalyticsSummarySerializer},
        examples=[SUMMARY_EXAMPLE],
    )
    def get(self, request: Request) -> Response:
        query = SummaryQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        period = period_parse(
            start=query.validated_data.get("from"),
            end=query.validated_data.get("to"),
            channel=query.validated_data.get("channel"),
        )
        return Response(AnalyticsSummarySerializer(analytics_summary(period=period)).data)
