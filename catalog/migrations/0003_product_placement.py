"""``ProductPlacement``: the table on every database; on PostgreSQL also the triggers that keep
it current, and its first fill. Nothing in Python writes the table.

- ``catalog_placement_refresh(ids)`` recomputes the rows of some products from their category
  links and the category tree (each linked category and all its ancestors). It first locks
  those product rows in primary-key order (the order checkout uses, so no deadlock), so two
  transactions refreshing the same product run one after the other and the second sees the
  first one's links.
- Category links inserted, deleted or updated: refresh the products concerned (one call per
  statement, so bulk inserts stay fast).
- A product's ``price`` or ``discontinued`` changed: copy them into its rows. Stock changes
  (checkout) do not fire it.
- A category's parent changed: refresh every product filed anywhere in the moved sub-tree.
- A deleted category's or product's rows go with it (the foreign keys cascade in Django).
"""

import django.db.models.deletion
from django.db import migrations, models

from ecommerce.common.db import run_on_postgresql


FORWARD = [
    """
    CREATE FUNCTION catalog_placement_refresh(product_ids bigint[]) RETURNS void LANGUAGE plpgsql AS $$
    BEGIN
        IF cardinality(product_ids) = 0 THEN
            RETURN;
        END IF;
        PERFORM 1 FROM catalog_product WHERE id = ANY(product_ids) ORDER BY id FOR UPDATE;
        DELETE FROM catalog_productplacement WHERE product_id = ANY(product_ids);
        INSERT INTO catalog_productplacement (category_id, product_id, price, discontinued)
        WITH RECURSIVE filed(product_id, category_id) AS (
            SELECT product_id, category_id FROM catalog_product_categories
            WHERE product_id = ANY(product_ids)
            UNION
            SELECT f.product_id, c.parent_id FROM filed f JOIN catalog_category c ON c.id = f.category_id
            WHERE c.parent_id IS NOT NULL
        )
        SELECT f.category_id, p.id, p.price, p.discontinued
        FROM filed f JOIN catalog_product p ON p.id = f.product_id;
    END
    $$
    """,
    """
    CREATE FUNCTION catalog_placement_links_changed() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP = 'INSERT' THEN
            PERFORM catalog_placement_refresh(ARRAY(SELECT DISTINCT product_id FROM new_links));
        ELSIF TG_OP = 'DELETE' THEN
            PERFORM catalog_placement_refresh(ARRAY(SELECT DISTINCT product_id FROM old_links));
        ELSE
            PERFORM catalog_placement_refresh(
                ARRAY(SELECT product_id FROM old_links UNION SELECT product_id FROM new_links)
            );
        END IF;
        RETURN NULL;
    END
    $$
    """,
    """
    CREATE TRIGGER catalog_placement_links_insert_trg AFTER INSERT ON catalog_product_categories
    REFERENCING NEW TABLE AS new_links
    FOR EACH STATEMENT EXECUTE FUNCTION catalog_placement_links_changed()
    """,
    """
    CREATE TRIGGER catalog_placement_links_delete_trg AFTER DELETE ON catalog_product_categories
    REFERENCING OLD TABLE AS old_links
    FOR EACH STATEMENT EXECUTE FUNCTION catalog_placement_links_changed()
    """,
    """
    CREATE TRIGGER catalog_placement_links_update_trg AFTER UPDATE ON catalog_product_categories
    REFERENCING OLD TABLE AS old_links NEW TABLE AS new_links
    FOR EACH STATEMENT EXECUTE FUNCTION catalog_placement_links_changed()
    """,
    """
    CREATE FUNCTION catalog_placement_product_changed() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        UPDATE catalog_productplacement SET price = NEW.price, discontinued = NEW.discontinued
        WHERE product_id = NEW.id;
        RETURN NULL;
    END
    $$
    """,
    """
    CREATE TRIGGER catalog_placement_product_trg AFTER UPDATE OF price, discontinued ON catalog_product
    FOR EACH ROW WHEN (OLD.price IS DISTINCT FROM NEW.price OR OLD.discontinued IS DISTINCT FROM NEW.discontinued)
    EXECUTE FUNCTION catalog_placement_product_changed()
    """,
    """
    CREATE FUNCTION catalog_placement_tree_changed() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        PERFORM catalog_placement_refresh(ARRAY(
            WITH RECURSIVE moved(id) AS (
                SELECT n.id FROM new_categories n JOIN old_categories o ON o.id = n.id
                WHERE n.parent_id IS DISTINCT FROM o.parent_id
                UNION
                SELECT c.id FROM catalog_category c JOIN moved m ON c.parent_id = m.id
            )
            SELECT DISTINCT l.product_id FROM catalog_product_categories l JOIN moved m ON l.category_id = m.id
        ));
        RETURN NULL;
    END
    $$
    """,
    """
    CREATE TRIGGER catalog_placement_tree_trg AFTER UPDATE ON catalog_category
    REFERENCING OLD TABLE AS old_categories NEW TABLE AS new_categories
    FOR EACH STATEMENT EXECUTE FUNCTION catalog_placement_tree_changed()
    """,
    "SELECT catalog_placement_refresh(ARRAY(SELECT id FROM catalog_product))",
]

BACKWARD = [
    "DROP TRIGGER IF EXISTS catalog_placement_tree_trg ON catalog_category",
    "DROP FUNCTION IF EXISTS catalog_placement_tree_changed()",
    "DROP TRIGGER IF EXISTS catalog_placement_product_trg ON catalog_product",
    "DROP FUNCTION IF EXISTS catalog_placement_product_changed()",
    "DROP TRIGGER IF EXISTS catalog_placement_links_update_trg ON catalog_product_categories",
    "DROP TRIGGER IF EXISTS catalog_placement_links_delete_trg ON catalog_product_categories",
    "DROP TRIGGER IF EXISTS catalog_placement_links_insert_trg ON catalog_product_categories",
    "DROP FUNCTION IF EXISTS catalog_placement_links_changed()",
    "DROP FUNCTION IF EXISTS catalog_placement_refresh(bigint[])",
]


class Migration(migrations.Migration):

    dependencies = [
        ('catalog', '0002_postgres_search'),
    ]

    operations = [
        migrations.CreateModel(
            name='ProductPlacement',
            fields=[
                ('pk', models.CompositePrimaryKey('category_id', 'product_id', blank=True, editable=False, primary_key=True, serialize=False)),
                ('price', models.DecimalField(decimal_places=2, max_digits=12)),
                ('discontinued', models.BooleanField()),
                ('category', models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='catalog.category')),
                ('product', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='placements', to='catalog.product')),
            ],
            options={
                'indexes': [models.Index(fields=['category', 'discontinued', 'price', 'product'], name='placement_browse_price_idx')],
            },
        ),
        migrations.RunPython(run_on_postgresql(FORWARD), run_on_postgresql(BACKWARD), elidable=False),
    ]
