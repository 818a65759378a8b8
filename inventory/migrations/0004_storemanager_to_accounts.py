"""The store manager is ``accounts``' now (issue #19): API keys point at it there; state only,
nothing in the database changes."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0002_storemanager_from_inventory'),
        ('catalog', '0004_stockmovement_from_orders'),
        ('inventory', '0003_api_keys_exact_ids'),
        ('orders', '0004_stockmovement_to_catalog'),
    ]

    operations = [
        # State only: the table and its rows stay where they are (``db_table``).
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name='managerapikey',
                    name='manager',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='api_keys', to='accounts.storemanager'),
                ),
                migrations.DeleteModel(
                    name='StoreManager',
                ),
            ],
            database_operations=[],
        ),
    ]
