"""Order lines placed before the price breakdown: net = gross = the unit price, no discount,
no tax; then the breakdown's columns become required. Reversible (the backfill's reverse is a
no-op: the columns go back to nullable, then away with 0006)."""

from django.db import migrations, models


def lines_priced_as_before(apps, schema_editor):
    """Lines placed before the breakdown: no tax, no discount; net = gross = the unit price."""
    OrderLine = apps.get_model("orders", "OrderLine")
    OrderLine.objects.update(
        unit_price_net=models.F("unit_price"),
        unit_price_gross=models.F("unit_price"),
        total=models.F("line_total"),
    )


class Migration(migrations.Migration):
    dependencies = [("orders", "0006_checkout_v2")]

    operations = [
        migrations.RunPython(lines_priced_as_before, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="orderline",
            name="unit_price_net",
            field=models.DecimalField(decimal_places=2, max_digits=12),
        ),
        migrations.AlterField(
            model_name="orderline",
            name="unit_price_gross",
            field=models.DecimalField(decimal_places=2, max_digits=12),
        ),
        migrations.AlterField(
            model_name="orderline",
            name="total",
            field=models.DecimalField(decimal_places=2, max_digits=14),
        ),
    ]
