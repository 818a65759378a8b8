"""Cart lines name a variant (issue #15): each line moves to its product's default variant
(``catalog`` 0005 made exactly one per product). Reversible: backwards, a line names its
variant's product again."""

import django.db.models.deletion
from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def variant_fill(apps, schema_editor):
    CartLine = apps.get_model("cart", "CartLine")
    ProductVariant = apps.get_model("catalog", "ProductVariant")
    first = ProductVariant.objects.filter(product_id=OuterRef("product_id")).order_by("pk").values("pk")[:1]
    CartLine.objects.using(schema_editor.connection.alias).update(variant_id=Subquery(first))


def product_fill(apps, schema_editor):
    CartLine = apps.get_model("cart", "CartLine")
    ProductVariant = apps.get_model("catalog", "ProductVariant")
    product = ProductVariant.objects.filter(pk=OuterRef("variant_id")).values("product_id")[:1]
    CartLine.objects.using(schema_editor.connection.alias).update(product_id=Subquery(product))


class Migration(migrations.Migration):

    dependencies = [
        ("cart", "0001_initial"),
        ("catalog", "0005_variants"),
    ]

    operations = [
        migrations.AddField(
            model_name="cartline",
            name="variant",
            field=models.ForeignKey(
                null=True, on_delete=django.db.models.deletion.CASCADE, related_name="+", to="catalog.productvariant"
            ),
        ),
        migrations.RunPython(variant_fill, migrations.RunPython.noop, elidable=False),
        migrations.RemoveConstraint(model_name="cartline", name="cartline_one_per_product"),
        migrations.AlterField(
            model_name="cartline",
            name="product",
            field=models.ForeignKey(
                null=True, on_delete=django.db.models.deletion.CASCADE, related_name="+", to="catalog.product"
            ),
        ),
        migrations.RunPython(migrations.RunPython.noop, product_fill, elidable=False),
        migrations.RemoveField(model_name="cartline", name="product"),
        migrations.AlterField(
            model_name="cartline",
            name="variant",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE, related_name="+", to="catalog.productvariant"
            ),
        ),
        migrations.AddConstraint(
            model_name="cartline",
            constraint=models.UniqueConstraint(fields=("cart", "variant"), name="cartline_one_per_variant"),
        ),
    ]
