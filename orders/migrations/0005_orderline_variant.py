"""Order lines name the variant bought and snapshot its SKU and options (issue #15): each line
moves to its product's default variant (``catalog`` 0005 made exactly one per product), with
that variant's SKU and empty options. Reversible (backwards the columns are dropped)."""

import django.db.models.deletion
from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def variant_fill(apps, schema_editor):
    OrderLine = apps.get_model("orders", "OrderLine")
    ProductVariant = apps.get_model("catalog", "ProductVariant")
    first = ProductVariant.objects.filter(product_id=OuterRef("product_id")).order_by("pk")
    OrderLine.objects.using(schema_editor.connection.alias).update(
        variant_id=Subquery(first.values("pk")[:1]),
        variant_public_id=Subquery(first.values("public_id")[:1]),
        sku=Subquery(first.values("sku")[:1]),
    )


class Migration(migrations.Migration):

    dependencies = [
        ("orders", "0004_stockmovement_to_catalog"),
        ("catalog", "0005_variants"),
    ]

    operations = [
        migrations.AddField(
            model_name="orderline",
            name="variant",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="order_lines",
                to="catalog.productvariant",
            ),
        ),
        migrations.AddField(
            model_name="orderline", name="variant_public_id", field=models.CharField(default="", max_length=64)
        ),
        migrations.AddField(model_name="orderline", name="sku", field=models.CharField(default="", max_length=64)),
        migrations.AddField(model_name="orderline", name="options", field=models.JSONField(default=dict)),
        migrations.RunPython(variant_fill, migrations.RunPython.noop, elidable=False),
        migrations.AlterField(
            model_name="orderline",
            name="variant",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT, related_name="order_lines", to="catalog.productvariant"
            ),
        ),
    ]
