"""The stock ledger is ``catalog``'s now and orders point at ``accounts.StoreManager``
(issue #19): state only, nothing in the database changes."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0002_storemanager_from_inventory'),
        ('catalog', '0004_stockmovement_from_orders'),
        ('orders', '0003_stockmovement_note'),
    ]

    operations = [
        # State only: the table and its rows stay where they are (``db_table``).
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name='order',
                    name='manager',
                    field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='orders', to='accounts.storemanager'),
                ),
                migrations.DeleteModel(
                    name='StockMovement',
                ),
            ],
            database_operations=[],
        ),
    ]
