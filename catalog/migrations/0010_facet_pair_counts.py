"""``FacetPairCount`` and ``PricePairCount``: the tables on every database; on PostgreSQL also the
triggers that keep them exact, their first fill and their compaction (as ``0008_facet_counts``
keeps ``FacetCount``: rows of changes, inserts only, so writers never wait for each other).

Per product, every ordered pair of its value rows (a row pairs with itself) and every value row
with the product's price count while the product is live (not discontinued):

- value rows inserted (``N``; the product's rows after the statement ``A``, ``N`` among them):
  ``+ N×A + A×N − N×N`` pairs (exactly the pairs the product did not have), ``+ N`` prices;
- value rows deleted (``O``; ``A`` the rows left): ``− O×A − A×O − O×O`` pairs, ``− O`` prices;
- a product's price or ``discontinued`` changed (a row trigger, those rows only): ``−`` its rows
  at the old price and ``+`` at the new while live; when ``discontinued`` flipped, ``±`` all its
  pairs.

Product inserts and deletes need nothing: a new product has no value rows yet, and Django deletes
a product's value rows before the product. Checkout never fires these (it changes variants only).
"""

from django.db import migrations, models

from ecommerce.common.db import run_on_postgresql

# Inserted rows N with the product's rows A after the statement: + N×A + A×N − N×N.
# Deleted rows O with the rows A left: − O×A − A×O − O×O. Only live products' rows count.
# ``%1$I``: the statement's transition table; ``%2$s``: +1 or -1.
PAIRS = """
    INSERT INTO catalog_facetpaircount (attribute_id, value, other_attribute_id, other_value, count)
    SELECT attribute_id, value, other_attribute_id, other_value, sum(delta) FROM (
        SELECT x.* FROM %1$I c
        JOIN catalog_product p ON p.id = c.product_id AND NOT p.discontinued
        JOIN catalog_productattributevalue a ON a.product_id = c.product_id
        CROSS JOIN LATERAL (VALUES
            (c.attribute_id, c.value, a.attribute_id, a.value, %2$s),
            (a.attribute_id, a.value, c.attribute_id, c.value, %2$s)
        ) AS x (attribute_id, value, other_attribute_id, other_value, delta)
        UNION ALL
        SELECT c.attribute_id, c.value, d.attribute_id, d.value, -1 FROM %1$I c
        JOIN catalog_product p ON p.id = c.product_id AND NOT p.discontinued
        JOIN %1$I d ON d.product_id = c.product_id
    ) AS r
    GROUP BY attribute_id, value, other_attribute_id, other_value HAVING sum(delta) <> 0
"""
PRICES = """
    INSERT INTO catalog_pricepaircount (attribute_id, value, price, count)
    SELECT c.attribute_id, c.value, p.price, sum(%2$s) FROM %1$I c
    JOIN catalog_product p ON p.id = c.product_id AND NOT p.discontinued
    GROUP BY c.attribute_id, c.value, p.price
"""


FORWARD = [
    # EXECUTE: each statement is planned for its own rows. A plan kept by PL/pgSQL for the
    # connection would be the first statement's: one made for a bulk import (hash joins over
    # whole tables) then costs every single-product write on that connection ~1.6 s. ``jit``
    # off: the estimates of the pair rows would otherwise compile them (~0.6 s a statement);
    # ``work_mem``: a bulk write's pairs are then summed in memory, not sorted on disk.
    f"""
    CREATE FUNCTION catalog_facet_pairs_values_changed() RETURNS trigger LANGUAGE plpgsql
    SET jit = off SET work_mem = '64MB' AS $$
    DECLARE
        changed text := CASE TG_OP WHEN 'INSERT' THEN 'new_values' ELSE 'old_values' END;
        sign integer := CASE TG_OP WHEN 'INSERT' THEN 1 ELSE -1 END;
    BEGIN
        EXECUTE format($pairs${PAIRS}$pairs$, changed, sign);
        EXECUTE format($prices${PRICES}$prices$, changed, sign);
        RETURN NULL;
    END
    $$
    """,
    """
    CREATE TRIGGER catalog_facet_pairs_insert_trg AFTER INSERT ON catalog_productattributevalue
    REFERENCING NEW TABLE AS new_values FOR EACH STATEMENT EXECUTE FUNCTION catalog_facet_pairs_values_changed()
    """,
    """
    CREATE TRIGGER catalog_facet_pairs_delete_trg AFTER DELETE ON catalog_productattributevalue
    REFERENCING OLD TABLE AS old_values FOR EACH STATEMENT EXECUTE FUNCTION catalog_facet_pairs_values_changed()
    """,
    # Per row, and only for rows whose price or ``discontinued`` changed (as 0008's).
    """
    CREATE FUNCTION catalog_facet_pairs_product_changed() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        INSERT INTO catalog_pricepaircount (attribute_id, value, price, count)
        SELECT attribute_id, value, OLD.price, -1 FROM catalog_productattributevalue
        WHERE product_id = NEW.id AND NOT OLD.discontinued
        UNION ALL
        SELECT attribute_id, value, NEW.price, 1 FROM catalog_productattributevalue
        WHERE product_id = NEW.id AND NOT NEW.discontinued;
        IF OLD.discontinued IS DISTINCT FROM NEW.discontinued THEN
            INSERT INTO catalog_facetpaircount (attribute_id, value, other_attribute_id, other_value, count)
            SELECT a.attribute_id, a.value, b.attribute_id, b.value, CASE WHEN NEW.discontinued THEN -1 ELSE 1 END
            FROM catalog_productattributevalue a
            JOIN catalog_productattributevalue b ON b.product_id = a.product_id
            WHERE a.product_id = NEW.id;
        END IF;
        RETURN NULL;
    END
    $$
    """,
    """
    CREATE TRIGGER catalog_facet_pairs_product_trg AFTER UPDATE OF price, discontinued ON catalog_product
    FOR EACH ROW WHEN (OLD.price IS DISTINCT FROM NEW.price OR OLD.discontinued IS DISTINCT FROM NEW.discontinued)
    EXECUTE FUNCTION catalog_facet_pairs_product_changed()
    """,
    # Fold each key's change rows into one (rows summing to 0 go): hourly, by the housekeeping.
    """
    CREATE FUNCTION catalog_facet_pairs_compact() RETURNS integer LANGUAGE plpgsql AS $$
    DECLARE folded integer;
    BEGIN
        WITH gone AS (
            DELETE FROM catalog_facetpaircount
            RETURNING attribute_id, value, other_attribute_id, other_value, count
        )
        INSERT INTO catalog_facetpaircount (attribute_id, value, other_attribute_id, other_value, count)
        SELECT attribute_id, value, other_attribute_id, other_value, sum(count) FROM gone
        GROUP BY attribute_id, value, other_attribute_id, other_value HAVING sum(count) <> 0;
        GET DIAGNOSTICS folded = ROW_COUNT;
        WITH gone AS (DELETE FROM catalog_pricepaircount RETURNING attribute_id, value, price, count)
        INSERT INTO catalog_pricepaircount (attribute_id, value, price, count)
        SELECT attribute_id, value, price, sum(count) FROM gone
        GROUP BY attribute_id, value, price HAVING sum(count) <> 0;
        RETURN folded;
    END
    $$
    """,
    # The first fill (a repair is the same two statements after emptying both tables).
    """
    INSERT INTO catalog_facetpaircount (attribute_id, value, other_attribute_id, other_value, count)
    SELECT a.attribute_id, a.value, b.attribute_id, b.value, count(*)
    FROM catalog_productattributevalue a
    JOIN catalog_productattributevalue b ON b.product_id = a.product_id
    JOIN catalog_product p ON p.id = a.product_id
    WHERE NOT p.discontinued
    GROUP BY a.attribute_id, a.value, b.attribute_id, b.value
    """,
    """
    INSERT INTO catalog_pricepaircount (attribute_id, value, price, count)
    SELECT a.attribute_id, a.value, p.price, count(*)
    FROM catalog_productattributevalue a JOIN catalog_product p ON p.id = a.product_id
    WHERE NOT p.discontinued
    GROUP BY a.attribute_id, a.value, p.price
    """,
]

BACKWARD = [
    "DROP FUNCTION IF EXISTS catalog_facet_pairs_compact()",
    "DROP TRIGGER IF EXISTS catalog_facet_pairs_product_trg ON catalog_product",
    "DROP FUNCTION IF EXISTS catalog_facet_pairs_product_changed()",
    "DROP TRIGGER IF EXISTS catalog_facet_pairs_delete_trg ON catalog_productattributevalue",
    "DROP TRIGGER IF EXISTS catalog_facet_pairs_insert_trg ON catalog_productattributevalue",
    "DROP FUNCTION IF EXISTS catalog_facet_pairs_values_changed()",
]


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0009_search_skus_options"),
    ]

    operations = [
        migrations.CreateModel(
            name="FacetPairCount",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("attribute_id", models.BigIntegerField()),
                ("value", models.CharField(max_length=200)),
                ("other_attribute_id", models.BigIntegerField()),
                ("other_value", models.CharField(max_length=200)),
                ("count", models.IntegerField()),
            ],
            options={
                "indexes": [
                    models.Index(
                        fields=["attribute_id", "value", "other_attribute_id", "other_value", "count"],
                        name="facetpaircount_key_idx",
                    )
                ],
            },
        ),
        migrations.CreateModel(
            name="PricePairCount",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("attribute_id", models.BigIntegerField()),
                ("value", models.CharField(max_length=200)),
                ("price", models.DecimalField(decimal_places=2, max_digits=12)),
                ("count", models.IntegerField()),
            ],
            options={
                "indexes": [
                    models.Index(
                        fields=["attribute_id", "value", "price", "count"], name="pricepaircount_key_idx"
                    )
                ],
            },
        ),
        migrations.RunPython(run_on_postgresql(FORWARD), run_on_postgresql(BACKWARD), elidable=False),
    ]
