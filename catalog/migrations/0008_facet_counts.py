"""``FacetCount`` and ``PriceCount``: the tables on every database; on PostgreSQL also the
statement triggers that keep them exact, their first fill and their compaction. Nothing in Python
writes them.

Scopes: 0 is the whole catalog (live = the product is not discontinued), any other is a
category with its sub-tree, read from ``ProductPlacement`` (which the triggers of migration 0003
keep expanded, with ``price`` and ``discontinued`` copied in).

- Attribute value rows inserted or deleted: ± in scope 0 when the product is live, and in every
  live placement's category.
- Placements inserted, deleted or updated (a category link changed, the tree moved, a product's
  price or ``discontinued`` copied in): ± the product's value rows and its price there.
- Products inserted or deleted (statement triggers), or updated with a new price or
  ``discontinued`` (a row trigger, for those rows only): ± their price in scope 0 and, when
  ``discontinued`` flipped, their value rows in scope 0.

Each statement appends one row per key it changes, with the change as ``count`` (a count is the
sum of its key's rows): inserts only, so concurrent writers never wait for each other nor
deadlock, and bulk writes stay one ``INSERT … SELECT`` per statement. ``catalog_facet_counts_compact()``
(run by the hourly housekeeping) folds each key's rows into one. Checkout never fires these (it
changes variants only).
"""

from django.db import migrations, models

from ecommerce.common.db import run_on_postgresql

FACETS_APPEND = """
    INSERT INTO catalog_facetcount (scope_id, attribute_id, value, count)
    SELECT scope_id, attribute_id, value, sum(delta) FROM ({rows}) AS r
    GROUP BY scope_id, attribute_id, value HAVING sum(delta) <> 0;
"""
PRICES_APPEND = """
    INSERT INTO catalog_pricecount (scope_id, price, count)
    SELECT scope_id, price, sum(delta) FROM ({rows}) AS r GROUP BY scope_id, price HAVING sum(delta) <> 0;
"""


def _values_of(table: str, sign: int) -> str:
    """Value rows of ``table`` in every scope they count in (0 when the product is live, and
    the categories of its live placements)."""
    return (
        f"SELECT 0::bigint AS scope_id, v.attribute_id, v.value, {sign} AS delta FROM {table} v"
        " JOIN catalog_product p ON p.id = v.product_id WHERE NOT p.discontinued"
        f" UNION ALL SELECT pl.category_id, v.attribute_id, v.value, {sign} FROM {table} v"
        " JOIN catalog_productplacement pl ON pl.product_id = v.product_id WHERE NOT pl.discontinued"
    )


def _placements_values(table: str, sign: int) -> str:
    """The value rows of the products of the live placements in ``table``, in their categories."""
    return (
        f"SELECT pl.category_id AS scope_id, v.attribute_id, v.value, {sign} AS delta FROM {table} pl"
        " JOIN catalog_productattributevalue v ON v.product_id = pl.product_id WHERE NOT pl.discontinued"
    )


def _placements_prices(table: str, sign: int) -> str:
    return f"SELECT category_id AS scope_id, price, {sign} AS delta FROM {table} WHERE NOT discontinued"


def _products_prices(table: str, sign: int) -> str:
    return f"SELECT 0::bigint AS scope_id, price, {sign} AS delta FROM {table} WHERE NOT discontinued"



FORWARD = [
    f"""
    CREATE FUNCTION catalog_facet_values_changed() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP = 'INSERT' THEN
            {FACETS_APPEND.format(rows=_values_of("new_values", 1))}
        ELSE
            {FACETS_APPEND.format(rows=_values_of("old_values", -1))}
        END IF;
        RETURN NULL;
    END
    $$
    """,
    """
    CREATE TRIGGER catalog_facet_values_insert_trg AFTER INSERT ON catalog_productattributevalue
    REFERENCING NEW TABLE AS new_values FOR EACH STATEMENT EXECUTE FUNCTION catalog_facet_values_changed()
    """,
    """
    CREATE TRIGGER catalog_facet_values_delete_trg AFTER DELETE ON catalog_productattributevalue
    REFERENCING OLD TABLE AS old_values FOR EACH STATEMENT EXECUTE FUNCTION catalog_facet_values_changed()
    """,
    f"""
    CREATE FUNCTION catalog_facet_placements_changed() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP IN ('DELETE', 'UPDATE') THEN
            {FACETS_APPEND.format(rows=_placements_values("old_placements", -1))}
            {PRICES_APPEND.format(rows=_placements_prices("old_placements", -1))}
        END IF;
        IF TG_OP IN ('INSERT', 'UPDATE') THEN
            {FACETS_APPEND.format(rows=_placements_values("new_placements", 1))}
            {PRICES_APPEND.format(rows=_placements_prices("new_placements", 1))}
        END IF;
        RETURN NULL;
    END
    $$
    """,
    """
    CREATE TRIGGER catalog_facet_placements_insert_trg AFTER INSERT ON catalog_productplacement
    REFERENCING NEW TABLE AS new_placements
    FOR EACH STATEMENT EXECUTE FUNCTION catalog_facet_placements_changed()
    """,
    """
    CREATE TRIGGER catalog_facet_placements_delete_trg AFTER DELETE ON catalog_productplacement
    REFERENCING OLD TABLE AS old_placements
    FOR EACH STATEMENT EXECUTE FUNCTION catalog_facet_placements_changed()
    """,
    """
    CREATE TRIGGER catalog_facet_placements_update_trg AFTER UPDATE ON catalog_productplacement
    REFERENCING OLD TABLE AS old_placements NEW TABLE AS new_placements
    FOR EACH STATEMENT EXECUTE FUNCTION catalog_facet_placements_changed()
    """,
    f"""
    CREATE FUNCTION catalog_facet_products_changed() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP = 'INSERT' THEN
            IF EXISTS (SELECT 1 FROM new_products WHERE NOT discontinued) THEN
                {PRICES_APPEND.format(rows=_products_prices("new_products", 1))}
            END IF;
        ELSIF TG_OP = 'DELETE' THEN
            IF EXISTS (SELECT 1 FROM old_products WHERE NOT discontinued) THEN
                {PRICES_APPEND.format(rows=_products_prices("old_products", -1))}
            END IF;
        END IF;
        RETURN NULL;
    END
    $$
    """,
    # Updates: per row, and only for rows whose price or ``discontinued`` changed (most product
    # updates change neither: names, the search columns their variants' triggers keep).
    """
    CREATE FUNCTION catalog_facet_product_row_changed() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        INSERT INTO catalog_pricecount (scope_id, price, count)
        SELECT 0, OLD.price, -1 WHERE NOT OLD.discontinued
        UNION ALL SELECT 0, NEW.price, 1 WHERE NOT NEW.discontinued;
        IF OLD.discontinued IS DISTINCT FROM NEW.discontinued THEN
            INSERT INTO catalog_facetcount (scope_id, attribute_id, value, count)
            SELECT 0, attribute_id, value, CASE WHEN NEW.discontinued THEN -1 ELSE 1 END
            FROM catalog_productattributevalue WHERE product_id = NEW.id;
        END IF;
        RETURN NULL;
    END
    $$
    """,
    """
    CREATE TRIGGER catalog_facet_products_insert_trg AFTER INSERT ON catalog_product
    REFERENCING NEW TABLE AS new_products FOR EACH STATEMENT EXECUTE FUNCTION catalog_facet_products_changed()
    """,
    """
    CREATE TRIGGER catalog_facet_products_delete_trg AFTER DELETE ON catalog_product
    REFERENCING OLD TABLE AS old_products FOR EACH STATEMENT EXECUTE FUNCTION catalog_facet_products_changed()
    """,
    """
    CREATE TRIGGER catalog_facet_product_update_trg AFTER UPDATE OF price, discontinued ON catalog_product
    FOR EACH ROW WHEN (OLD.price IS DISTINCT FROM NEW.price OR OLD.discontinued IS DISTINCT FROM NEW.discontinued)
    EXECUTE FUNCTION catalog_facet_product_row_changed()
    """,
    # Fold each key's change rows into one (rows summing to 0 go): hourly, by the housekeeping.
    # Rows committed while it runs are not in its snapshot and stay for the next run.
    """
    CREATE FUNCTION catalog_facet_counts_compact() RETURNS integer LANGUAGE plpgsql AS $$
    DECLARE folded integer;
    BEGIN
        WITH gone AS (DELETE FROM catalog_facetcount RETURNING scope_id, attribute_id, value, count)
        INSERT INTO catalog_facetcount (scope_id, attribute_id, value, count)
        SELECT scope_id, attribute_id, value, sum(count) FROM gone
        GROUP BY scope_id, attribute_id, value HAVING sum(count) <> 0;
        GET DIAGNOSTICS folded = ROW_COUNT;
        WITH gone AS (DELETE FROM catalog_pricecount RETURNING scope_id, price, count)
        INSERT INTO catalog_pricecount (scope_id, price, count)
        SELECT scope_id, price, sum(count) FROM gone GROUP BY scope_id, price HAVING sum(count) <> 0;
        RETURN folded;
    END
    $$
    """,
    # The first fill (a repair is the same two statements after emptying both tables).
    f"""
    INSERT INTO catalog_facetcount (scope_id, attribute_id, value, count)
    SELECT scope_id, attribute_id, value, sum(delta)
    FROM ({_values_of("catalog_productattributevalue", 1)}) AS r
    GROUP BY scope_id, attribute_id, value
    """,
    f"""
    INSERT INTO catalog_pricecount (scope_id, price, count)
    SELECT scope_id, price, sum(delta) FROM (
        {_products_prices("catalog_product", 1)} UNION ALL {_placements_prices("catalog_productplacement", 1)}
    ) AS r GROUP BY scope_id, price
    """,
]

BACKWARD = [
    "DROP FUNCTION IF EXISTS catalog_facet_counts_compact()",
    "DROP TRIGGER IF EXISTS catalog_facet_product_update_trg ON catalog_product",
    "DROP FUNCTION IF EXISTS catalog_facet_product_row_changed()",
    "DROP TRIGGER IF EXISTS catalog_facet_products_delete_trg ON catalog_product",
    "DROP TRIGGER IF EXISTS catalog_facet_products_insert_trg ON catalog_product",
    "DROP FUNCTION IF EXISTS catalog_facet_products_changed()",
    "DROP TRIGGER IF EXISTS catalog_facet_placements_update_trg ON catalog_productplacement",
    "DROP TRIGGER IF EXISTS catalog_facet_placements_delete_trg ON catalog_productplacement",
    "DROP TRIGGER IF EXISTS catalog_facet_placements_insert_trg ON catalog_productplacement",
    "DROP FUNCTION IF EXISTS catalog_facet_placements_changed()",
    "DROP TRIGGER IF EXISTS catalog_facet_values_delete_trg ON catalog_productattributevalue",
    "DROP TRIGGER IF EXISTS catalog_facet_values_insert_trg ON catalog_productattributevalue",
    "DROP FUNCTION IF EXISTS catalog_facet_values_changed()",
]


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0007_attributes"),
    ]

    operations = [
        migrations.CreateModel(
            name="FacetCount",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("scope_id", models.BigIntegerField()),
                ("attribute_id", models.BigIntegerField()),
                ("value", models.CharField(max_length=200)),
                ("count", models.IntegerField()),
            ],
            options={
                "indexes": [
                    models.Index(
                        fields=["scope_id", "attribute_id", "value", "count"], name="facetcount_key_idx"
                    )
                ],
            },
        ),
        migrations.CreateModel(
            name="PriceCount",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("scope_id", models.BigIntegerField()),
                ("price", models.DecimalField(decimal_places=2, max_digits=12)),
                ("count", models.IntegerField()),
            ],
            options={
                "indexes": [models.Index(fields=["scope_id", "price", "count"], name="pricecount_key_idx")],
            },
        ),
        migrations.RunPython(run_on_postgresql(FORWARD), run_on_postgresql(BACKWARD), elidable=False),
    ]
