"""The store manager moves from ``inventory`` to ``accounts`` (issue #19): its table
``inventory_storemanager`` and every row stay; the content type (and so the admin permissions)
follows."""

import django.core.validators
import django.db.models.deletion
import ecommerce.common.fields
from django.conf import settings
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
        ('accounts', '0001_initial'),
        ('inventory', '0003_api_keys_exact_ids'),
        ('contenttypes', '0002_remove_content_type_name'),
    ]

    operations = [
        # State only: the table and its rows stay where they are (``db_table``).
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='StoreManager',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('created_at', models.DateTimeField(auto_now_add=True, db_index=True)),
                        ('updated_at', models.DateTimeField(auto_now=True)),
                        ('external_id', ecommerce.common.fields.ExactCharField(help_text='1–64 characters of A-Za-z0-9_-; compared exactly (case-sensitive).', max_length=64, unique=True, validators=[django.core.validators.RegexValidator('\\A[A-Za-z0-9_-]{1,64}\\Z', 'Must be 1–64 characters of A-Za-z0-9_-.')], verbose_name='manager id')),
                        ('user', models.OneToOneField(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='store_manager', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'db_table': 'inventory_storemanager',
                        'ordering': ['external_id'],
                    },
                ),
            ],
            database_operations=[],
        ),
        _content_type_move("inventory", "accounts", "storemanager"),
    ]
