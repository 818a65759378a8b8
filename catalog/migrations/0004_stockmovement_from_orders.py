"""The stock ledger moves from ``orders`` to ``catalog`` (issue #19) and products point at
``accounts.StoreManager``: state only, the table ``orders_stockmovement`` and every row stay;
the content type (and so the admin permissions) follows."""

import django.db.models.deletion
from django.db import migrations, models


def _content_type_move(app_from: str, app_to: str, model: str):
    """Move the model's content type (and so its permissions) to its new app, keeping its id."""

    def forward(apps, schema_editor):
        ContentType = apps.get_model("contenttypes", "ContentType")
        if not ContentType.objects.filter(app_label=app_to, model=model).exists():
            ContentType.objects.filter(app_label=app_from, model=model).update(app_label=app_to)

    def backward(apps, schema_editor):
        ContentType = apps.get_model("contenttypes", "ContentType")
        if not ContentType.objects.filter(app_label=app_from, model=model).exists():
            ContentType.objects.filter(app_label=app_to, model=model).update(app_label=app_from)

    return migrations.RunPython(forward, backward, elidable=False)


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0002_storemanager_from_inventory'),
        ('catalog', '0003_product_placement'),
        ('orders', '0003_stockmovement_note'),
        ('contenttypes', '0002_remove_content_type_name'),
    ]

    operations = [
        # State only: the table and its rows stay where they are (``db_table``).
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name='product',
                    name='manager',
                    field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='products', to='accounts.storemanager'),
                ),
                migrations.CreateModel(
                    name='StockMovement',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('delta', models.IntegerField()),
                        ('reason', models.CharField(choices=[('sale', 'Sale'), ('release', 'Released (cancel or failed payment)'), ('restock', 'Restock'), ('adjustment', 'Adjustment')], max_length=16)),
                        ('note', models.CharField(blank=True, db_default='', default='', max_length=255)),
                        ('created_at', models.DateTimeField(auto_now_add=True, db_index=True)),
                        ('order', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='stock_movements', to='orders.order')),
                        ('product', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='stock_movements', to='catalog.product')),
                    ],
                    options={
                        'db_table': 'orders_stockmovement',
                        'ordering': ['created_at', 'id'],
                    },
                ),
            ],
            database_operations=[],
        ),
        _content_type_move("orders", "catalog", "stockmovement"),
    ]
