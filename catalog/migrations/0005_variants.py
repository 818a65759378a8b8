"""Catalog v2 (issue #15): products get variants; stock and price live on the variant.

Every existing product gets its default variant (options ``{}``) with the product's price,
quantity and a generated SKU (``<SLUG>-<product pk>``: unique because the product's pk is); its
ledger rows point at that variant; ``Product.quantity`` is dropped (the total is read from the
variants: docs/catalog.md). ``cart`` 0002 and ``orders`` 0005 move cart and order lines onto the
variants.

Reversible: backwards, each product's ``quantity`` is the sum of its active variants' and its
price the lowest of them; what only variants can say (several option combinations with their
own SKUs, prices and stock) is lost, as the v1 schema has no place for it.
"""

import django.db.models.deletion
from django.db import migrations, models
from django.db.models import OuterRef, Subquery, Sum
from django.db.models.functions import Coalesce

import ecommerce.common.fields


def default_sku(slug: str, pk: int) -> str:
    """The generated SKU of a product's default variant (also ``catalog.variants.default_sku``)."""
    return f"{slug[:40].upper()}-{pk}"


def forward(apps, schema_editor):
    Product = apps.get_model("catalog", "Product")
    ProductVariant = apps.get_model("catalog", "ProductVariant")
    StockMovement = apps.get_model("catalog", "StockMovement")
    db = schema_editor.connection.alias
    batch = []
    for pk, slug, price, quantity in (
        Product.objects.using(db).order_by("pk").values_list("pk", "slug", "price", "quantity").iterator()
    ):
        batch.append(
            ProductVariant(
                product_id=pk,
                sku=default_sku(slug, pk),
                options={},
                price=price,
                quantity=quantity,
            )
        )
        if len(batch) >= 1000:
            ProductVariant.objects.using(db).bulk_create(batch)
            batch = []
    ProductVariant.objects.using(db).bulk_create(batch)
    first = ProductVariant.objects.using(db).filter(product_id=OuterRef("product_id")).order_by("pk").values("pk")[:1]
    StockMovement.objects.using(db).filter(variant__isnull=True).update(variant_id=Subquery(first))


def backward(apps, schema_editor):
    Product = apps.get_model("catalog", "Product")
    ProductVariant = apps.get_model("catalog", "ProductVariant")
    db = schema_editor.connection.alias
    active = ProductVariant.objects.using(db).filter(product_id=OuterRef("pk"), is_active=True)
    total = active.order_by().values("product_id").annotate(total=Sum("quantity")).values("total")
    lowest = active.order_by("price").values("price")[:1]
    Product.objects.using(db).update(
        quantity=Coalesce(Subquery(total), 0), price=Coalesce(Subquery(lowest), models.F("price"))
    )


class Migration(migrations.Migration):

    dependencies = [
        ("catalog", "0004_stockmovement_from_orders"),
        ("catalog", "0005_images"),  # re-chained after h/images (both 0005 started from 0004)
    ]

    operations = [
        migrations.CreateModel(
            name="ProductVariant",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("created_at", models.DateTimeField(auto_now_add=True, db_index=True)),
                ("updated_at", models.DateTimeField(auto_now=True)),
                (
                    "public_id",
ecommerce.common.fields.PublicIdField(prefix="var"),
                ),
                ("sku", models.CharField(max_length=64, unique=True)),
                ("options", models.JSONField(blank=True, default=dict)),
                ("price", models.DecimalField(decimal_places=2, max_digits=12)),
                ("compare_at_price", models.DecimalField(blank=True, decimal_places=2, max_digits=12, null=True)),
                ("quantity", models.IntegerField(default=0)),
                ("weight_grams", models.PositiveIntegerField(blank=True, null=True)),
                ("is_active", models.BooleanField(default=True)),
                ("position", models.PositiveIntegerField(default=0)),
                (
                    "tax_class",
                    models.CharField(
                        choices=[("standard", "Standard"), ("reduced", "Reduced"), ("zero", "Zero")],
                        default="standard",
                        max_length=16,
                    ),
                ),
                (
                    "product",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE, related_name="variants", to="catalog.product"
                    ),
                ),
            ],
            options={
                "ordering": ["position", "id"],
                "constraints": [
                    models.CheckConstraint(condition=models.Q(("quantity__gte", 0)), name="variant_quantity_gte_0"),
                    models.CheckConstraint(condition=models.Q(("price__gte", 0)), name="variant_price_gte_0"),
                ],
                "indexes": [
                    models.Index(fields=["product", "is_active", "quantity"], name="variant_product_stock_idx"),
                ],
            },
        ),
        migrations.AddField(
            model_name="product",
            name="options",
            field=models.JSONField(blank=True, default=list),
        ),
        migrations.AddField(
            model_name="stockmovement",
            name="variant",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="stock_movements",
                to="catalog.productvariant",
            ),
        ),
        migrations.RunPython(forward, backward, elidable=False),
        migrations.AlterField(
            model_name="stockmovement",
            name="variant",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="stock_movements",
                to="catalog.productvariant",
            ),
        ),
        migrations.RemoveConstraint(model_name="product", name="product_quantity_gte_0"),
        migrations.RemoveIndex(model_name="product", name="product_disc_qty_idx"),
        migrations.RemoveField(model_name="product", name="quantity"),
        migrations.AlterField(
            model_name="stockmovement",
            name="reason",
            field=models.CharField(
                choices=[
                    ("sale", "Sale"),
                    ("release", "Released (cancel or failed payment)"),
                    ("restock", "Restock"),
                    ("adjustment", "Adjustment"),
                    ("import", "Import"),
                ],
                max_length=16,
            ),
        ),
    ]
