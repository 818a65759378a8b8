"""Guest carts (issue #16): a cart may have no user; it then has a token, stored as its SHA-256
(``token_hash``). Every cart gets a public id (``cart_…``): existing carts get theirs here.
Reversible while no guest cart exists (backwards, ``user`` is required again)."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

import ecommerce.common.fields


def public_ids_fill(apps, schema_editor):
    Cart = apps.get_model("cart", "Cart")
    generate = ecommerce.common.fields.PublicIdGenerator("cart")
    carts = Cart.objects.using(schema_editor.connection.alias)
    for pk in carts.filter(public_id__isnull=True).values_list("pk", flat=True).iterator():
        carts.filter(pk=pk).update(public_id=generate())


class Migration(migrations.Migration):

    dependencies = [
        ("cart", "0002_cartline_variant"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="cart",
            name="public_id",
            field=models.CharField(max_length=64, null=True, editable=False),
        ),
        migrations.RunPython(public_ids_fill, migrations.RunPython.noop, elidable=False),
        migrations.AlterField(
            model_name="cart",
            name="public_id",
            field=ecommerce.common.fields.PublicIdField(prefix="cart"),
        ),
        migrations.AlterField(
            model_name="cart",
            name="user",
            field=models.OneToOneField(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="cart",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AddField(
            model_name="cart",
            name="token_hash",
            field=models.CharField(blank=True, editable=False, max_length=64, null=True, unique=True),
        ),
        migrations.AddIndex(
            model_name="cart",
            index=models.Index(fields=["user", "updated_at"], name="cart_guest_expiry_idx"),
        ),
        migrations.AddConstraint(
            model_name="cart",
            constraint=models.CheckConstraint(
                condition=models.Q(("user__isnull", True), ("token_hash__isnull", True), _connector="OR"),
                name="cart_user_or_token",
            ),
        ),
    ]
