"""Revenue net of discounts, shipping and tax apart (issue #16, docs/analytics.md).

The order rollup gains ``discount``, ``shipping`` and ``tax``, and its ``revenue`` becomes
``Σ (subtotal − discount_total)`` instead of ``Σ total_amount``; the product rollup gains
``discount`` and ``tax``, and its ``revenue`` becomes the lines' ``Σ (total − tax)`` instead of
``Σ line_total``. Orders placed before the price breakdown have no discount, shipping or tax
(``orders`` 0007), so their rows do not change.

The backfill reads the orders that have a breakdown, grouped by the rollups' keys (the day cut
in ``SHOP_TIME_ZONE``, as ``analytics.querysets`` cuts it), and moves each existing row by the
difference between the two definitions, so a row is exactly what a rebuild would write when it
was before. Reversible: backwards, the differences are added back (the order rows from their
own columns, ``revenue + shipping + tax``), then the columns go.
"""

from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import migrations, models
from django.db.models import F, Sum
from django.db.models.functions import TruncDate

# analytics.periods.REVENUE_STATUSES when this was written (a migration keeps its own copy).
REVENUE_STATUSES = ("paid", "shipped", "delivered")
MONEY = models.DecimalField(max_digits=16, decimal_places=2)


def _day(field: str) -> TruncDate:
    return TruncDate(field, tzinfo=ZoneInfo(settings.SHOP_TIME_ZONE))


def _order_groups(apps):
    """(day, channel, status) → Σ discount, shipping, tax of the orders that have any."""
    Order = apps.get_model("orders", "Order")
    return (
        Order.objects.exclude(discount_total=0, shipping_total=0, tax_total=0)
        .annotate(k_day=_day("created_at"))
        .values("k_day", "channel", "status")
        .annotate(
            s_discount=Sum("discount_total"), s_shipping=Sum("shipping_total"), s_tax=Sum("tax_total")
        )
        .order_by()
    )


def _line_groups(apps):
    """(day, channel, product) → Σ discount, tax and Σ (line_total − (total − tax)), the
    difference of the two revenue definitions, of the lines of revenue orders that have one."""
    OrderLine = apps.get_model("orders", "OrderLine")
    return (
        OrderLine.objects.filter(order__status__in=REVENUE_STATUSES)
        .exclude(discount=0, tax=0, total=F("line_total"))
        .annotate(k_day=_day("order__created_at"))
        .values("k_day", "order__channel", "product_id")
        .annotate(
            s_discount=Sum("discount"),
            s_tax=Sum("tax"),
            s_gap=Sum(F("line_total") - F("total") + F("tax"), output_field=MONEY),
        )
        .order_by()
    )


def revenue_net_of_discounts(apps, schema_editor):
    DailyOrderStats = apps.get_model("analytics", "DailyOrderStats")
    DailyProductSales = apps.get_model("analytics", "DailyProductSales")
    for group in _order_groups(apps):
        DailyOrderStats.objects.filter(
            day=group["k_day"], channel=group["channel"], status=group["status"]
        ).update(
            revenue=F("revenue") - group["s_shipping"] - group["s_tax"],
            discount=group["s_discount"],
            shipping=group["s_shipping"],
            tax=group["s_tax"],
        )
    for group in _line_groups(apps):
        DailyProductSales.objects.filter(
            day=group["k_day"], channel=group["order__channel"], product_id=group["product_id"]
        ).update(
            revenue=F("revenue") - group["s_gap"], discount=group["s_discount"], tax=group["s_tax"]
        )


def revenue_with_shipping_and_tax(apps, schema_editor):
    DailyOrderStats = apps.get_model("analytics", "DailyOrderStats")
    DailyProductSales = apps.get_model("analytics", "DailyProductSales")
    DailyOrderStats.objects.exclude(shipping=0, tax=0).update(revenue=F("revenue") + F("shipping") + F("tax"))
    for group in _line_groups(apps):
        DailyProductSales.objects.filter(
            day=group["k_day"], channel=group["order__channel"], product_id=group["product_id"]
        ).update(revenue=F("revenue") + group["s_gap"])


class Migration(migrations.Migration):
    dependencies = [
        ("analytics", "0002_product_sales_no_fk_lock"),
        ("orders", "0007_orderline_breakdown_backfill"),
    ]

    operations = [
        migrations.AddField(
            model_name="dailyorderstats",
            name="discount",
            field=models.DecimalField(
                db_default=0, decimal_places=2, help_text="Σ discount_total", max_digits=16
            ),
        ),
        migrations.AddField(
            model_name="dailyorderstats",
            name="shipping",
            field=models.DecimalField(
                db_default=0, decimal_places=2, help_text="Σ shipping_total", max_digits=16
            ),
        ),
        migrations.AddField(
            model_name="dailyorderstats",
            name="tax",
            field=models.DecimalField(db_default=0, decimal_places=2, help_text="Σ tax_total", max_digits=16),
        ),
        migrations.AddField(
            model_name="dailyproductsales",
            name="discount",
            field=models.DecimalField(db_default=0, decimal_places=2, help_text="Σ discount", max_digits=16),
        ),
        migrations.AddField(
            model_name="dailyproductsales",
            name="tax",
            field=models.DecimalField(db_default=0, decimal_places=2, help_text="Σ tax", max_digits=16),
        ),
        migrations.AlterField(
            model_name="dailyorderstats",
            name="revenue",
            field=models.DecimalField(
                db_default=0, decimal_places=2, help_text="Σ (subtotal − discount_total)", max_digits=16
            ),
        ),
        migrations.AlterField(
            model_name="dailyproductsales",
            name="revenue",
            field=models.DecimalField(
                db_default=0, decimal_places=2, help_text="Σ (total − tax)", max_digits=16
            ),
        ),
        migrations.RunPython(revenue_net_of_discounts, revenue_with_shipping_and_tax),
    ]
