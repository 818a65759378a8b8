"""``FacetBitmap`` and ``FacetBitmapBound``: the tables on every database; on PostgreSQL also the
triggers that keep the bitmaps exact, their first fill, their compaction and the function that
sets the price bounds.

A key's bitmap (chunk by chunk: product ``id`` is bit ``id % 8192`` of chunk ``id / 8192``) is
the XOR of its rows, so every write *appends* the bits it flips, and no writer waits for another
(as ``0008_facet_counts``' change rows):

- attribute value rows inserted or deleted: their products' bits of ``(VALUE, attribute, value)``
  (a (product, attribute, value) row is unique, so an insert sets a bit and a delete clears it);
- placements inserted or deleted: their products' bits of ``(CATEGORY, category)`` (``0003``
  rewrites a product's placements by deleting and inserting them: two flips, no change);
- products inserted or deleted: their bits of ``LIVE`` (not discontinued) and of each kept
  ``PRICE_BELOW`` bound their price is below; a row trigger on price and ``discontinued``
  flips the bits whose answer changed.

Value and category bitmaps hold discontinued products too: a list ``&``s them with ``LIVE``.
Checkout never fires these (it changes variants only).
"""

from decimal import ROUND_CEILING, Decimal

from django.conf import settings
from django.db import migrations, models

import catalog.models
from ecommerce.common.db import run_on_postgresql

# ``catalog_facet_bit(id)``: the chunk-sized bit string with product ``id``'s bit set.
# ``%1$I``: the statement's transition table.
VALUES_FLIPPED = """
    INSERT INTO catalog_facetbitmap (kind, key_id, value, number, chunk, bits)
    SELECT 2, attribute_id, value, max(number), product_id / 8192, bit_or(catalog_facet_bit(product_id))
    FROM %1$I GROUP BY attribute_id, value, product_id / 8192
"""
PLACEMENTS_FLIPPED = """
    INSERT INTO catalog_facetbitmap (kind, key_id, value, number, chunk, bits)
    SELECT 3, category_id, '', NULL, product_id / 8192, bit_or(catalog_facet_bit(product_id))
    FROM %1$I GROUP BY category_id, product_id / 8192
"""
PRODUCTS_FLIPPED = """
    INSERT INTO catalog_facetbitmap (kind, key_id, value, number, chunk, bits)
    SELECT 0, 0, '', NULL, id / 8192, bit_or(catalog_facet_bit(id))
    FROM %1$I WHERE NOT discontinued GROUP BY id / 8192
    UNION ALL
    SELECT 1, 0, '', b.number, p.id / 8192, bit_or(catalog_facet_bit(p.id))
    FROM %1$I p JOIN catalog_facetbitmapbound b ON p.price < b.number GROUP BY b.number, p.id / 8192
"""


def _statement_trigger(table: str, function: str, flipped: str) -> list[str]:
    """A function appending ``flipped`` for the rows a statement inserted or deleted, and its two
    triggers on ``table``."""
    return [
        f"""
        CREATE FUNCTION {function}() RETURNS trigger LANGUAGE plpgsql SET jit = off AS $$
        BEGIN
            EXECUTE format($flipped${flipped}$flipped$,
                CASE TG_OP WHEN 'INSERT' THEN 'new_rows' ELSE 'old_rows' END);
            RETURN NULL;
        END
        $$
        """,
        f"""
        CREATE TRIGGER {function}_insert_trg AFTER INSERT ON {table}
        REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION {function}()
        """,
        f"""
        CREATE TRIGGER {function}_delete_trg AFTER DELETE ON {table}
        REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION {function}()
        """,
    ]


FORWARD = [
    """
    CREATE FUNCTION catalog_facet_bit(product_id bigint) RETURNS bit varying
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN set_bit(B'0'::bit(8192), (product_id % 8192)::integer, 1)
    """,
    *_statement_trigger("catalog_productattributevalue", "catalog_facet_bitmaps_values", VALUES_FLIPPED),
    *_statement_trigger("catalog_productplacement", "catalog_facet_bitmaps_placements", PLACEMENTS_FLIPPED),
    *_statement_trigger("catalog_product", "catalog_facet_bitmaps_products", PRODUCTS_FLIPPED),
    # Per row, and only for rows whose price or ``discontinued`` changed (as 0008's).
    """
    CREATE FUNCTION catalog_facet_bitmaps_product_changed() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        INSERT INTO catalog_facetbitmap (kind, key_id, value, number, chunk, bits)
        SELECT 0, 0, '', NULL, NEW.id / 8192, catalog_facet_bit(NEW.id)
        WHERE OLD.discontinued IS DISTINCT FROM NEW.discontinued
        UNION ALL
        SELECT 1, 0, '', b.number, NEW.id / 8192, catalog_facet_bit(NEW.id)
        FROM catalog_facetbitmapbound b WHERE (OLD.price < b.number) <> (NEW.price < b.number);
        RETURN NULL;
    END
    $$
    """,
    """
    CREATE TRIGGER catalog_facet_bitmaps_product_trg AFTER UPDATE OF price, discontinued ON catalog_product
    FOR EACH ROW WHEN (OLD.price IS DISTINCT FROM NEW.price OR OLD.discontinued IS DISTINCT FROM NEW.discontinued)
    EXECUTE FUNCTION catalog_facet_bitmaps_product_changed()
    """,
    # Fold the rows of each key and chunk that has several into one (all-zero results go):
    # hourly, by the housekeeping. A concurrent fold or write is safe: each row is deleted once
    # and its bits go into exactly one XOR.
    """
    CREATE FUNCTION catalog_facet_bitmaps_compact() RETURNS integer LANGUAGE plpgsql AS $$
    DECLARE kept integer;
    BEGIN
        WITH several AS (
            SELECT kind, key_id, value, number, chunk FROM catalog_facetbitmap
            GROUP BY kind, key_id, value, number, chunk HAVING count(*) > 1
        ), gone AS (
            DELETE FROM catalog_facetbitmap f USING several s
            WHERE f.kind = s.kind AND f.key_id = s.key_id AND f.value = s.value
            AND f.number IS NOT DISTINCT FROM s.number AND f.chunk = s.chunk
            RETURNING f.kind, f.key_id, f.value, f.number, f.chunk, f.bits
        )
        INSERT INTO catalog_facetbitmap (kind, key_id, value, number, chunk, bits)
        SELECT kind, key_id, value, number, chunk, bit_xor(bits) FROM gone
        GROUP BY kind, key_id, value, number, chunk HAVING bit_count(bit_xor(bits)) > 0;
        SELECT count(*) INTO kept FROM catalog_facetbitmap;
        RETURN kept;
    END
    $$
    """,
    # Keep "price below" bitmaps for exactly ``wanted``: drop the others, fill the new ones.
    # Product writes wait meanwhile (a write between the fill's snapshot and the new bound's
    # commit would flip no bit of it); a second call waits for the first.
    """
    CREATE FUNCTION catalog_facet_bitmaps_bounds(wanted numeric[]) RETURNS void LANGUAGE plpgsql AS $$
    BEGIN
        LOCK TABLE catalog_product IN SHARE ROW EXCLUSIVE MODE;
        DELETE FROM catalog_facetbitmap WHERE kind = 1 AND NOT number = ANY(wanted);
        DELETE FROM catalog_facetbitmapbound WHERE NOT number = ANY(wanted);
        INSERT INTO catalog_facetbitmap (kind, key_id, value, number, chunk, bits)
        SELECT 1, 0, '', w.number, p.id / 8192, bit_or(catalog_facet_bit(p.id))
        FROM (SELECT DISTINCT unnest(wanted) AS number) w
        JOIN catalog_product p ON p.price < w.number
        WHERE NOT EXISTS (SELECT FROM catalog_facetbitmapbound b WHERE b.number = w.number)
        GROUP BY w.number, p.id / 8192;
        INSERT INTO catalog_facetbitmapbound (number) SELECT DISTINCT unnest(wanted)
        ON CONFLICT (number) DO NOTHING;
    END
    $$
    """,
    # The first fill (a repair is the same after emptying both tables, then the bounds).
    """
    INSERT INTO catalog_facetbitmap (kind, key_id, value, number, chunk, bits)
    SELECT 2, attribute_id, value, max(number), product_id / 8192, bit_or(catalog_facet_bit(product_id))
    FROM catalog_productattributevalue GROUP BY attribute_id, value, product_id / 8192
    """,
    """
    INSERT INTO catalog_facetbitmap (kind, key_id, value, number, chunk, bits)
    SELECT 3, category_id, '', NULL, product_id / 8192, bit_or(catalog_facet_bit(product_id))
    FROM catalog_productplacement GROUP BY category_id, product_id / 8192
    """,
    """
    INSERT INTO catalog_facetbitmap (kind, key_id, value, number, chunk, bits)
    SELECT 0, 0, '', NULL, id / 8192, bit_or(catalog_facet_bit(id))
    FROM catalog_product WHERE NOT discontinued GROUP BY id / 8192
    """,
]

BACKWARD = [
    "DROP FUNCTION IF EXISTS catalog_facet_bitmaps_bounds(numeric[])",
    "DROP FUNCTION IF EXISTS catalog_facet_bitmaps_compact()",
    "DROP TRIGGER IF EXISTS catalog_facet_bitmaps_product_trg ON catalog_product",
    "DROP FUNCTION IF EXISTS catalog_facet_bitmaps_product_changed()",
    *(
        f"DROP TRIGGER IF EXISTS catalog_facet_bitmaps_{name}_{op}_trg ON {table}"
        for name, table in (
            ("values", "catalog_productattributevalue"),
            ("placements", "catalog_productplacement"),
            ("products", "catalog_product"),
        )
        for op in ("insert", "delete")
    ),
    "DROP FUNCTION IF EXISTS catalog_facet_bitmaps_values()",
    "DROP FUNCTION IF EXISTS catalog_facet_bitmaps_placements()",
    "DROP FUNCTION IF EXISTS catalog_facet_bitmaps_products()",
    "DROP FUNCTION IF EXISTS catalog_facet_bit(bigint)",
]


def bounds_fill(apps, schema_editor) -> None:  # noqa: ANN001 - migration signature
    """The price bounds of this deployment's settings (the housekeeping follows later changes)."""
    if schema_editor.connection.vendor != "postgresql":
        return
    cent = Decimal("0.01")  # rounded up to the cent, as catalog.facets.price_bounds does
    bounds = sorted({Decimal(str(b)).quantize(cent, rounding=ROUND_CEILING) for b in settings.CATALOG_PRICE_FACET_BOUNDS})
    schema_editor.execute("SELECT catalog_facet_bitmaps_bounds(%s::numeric[])", params=[[str(b) for b in bounds]])


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0010_facet_pair_counts"),
    ]

    operations = [
        migrations.CreateModel(
            name="FacetBitmap",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "kind",
                    models.SmallIntegerField(
                        choices=[
                            (0, "live products"),
                            (1, "price below a bound"),
                            (2, "attribute value"),
                            (3, "category and its sub-tree"),
                        ]
                    ),
                ),
                ("key_id", models.BigIntegerField(default=0)),
                ("value", models.CharField(default="", max_length=200)),
                ("number", models.DecimalField(blank=True, decimal_places=6, max_digits=20, null=True)),
                ("chunk", models.IntegerField()),
                ("bits", catalog.models.BitStringField()),
            ],
            options={
                "indexes": [
                    models.Index(fields=["kind", "key_id", "value", "chunk"], name="facetbitmap_key_idx")
                ],
            },
        ),
        migrations.CreateModel(
            name="FacetBitmapBound",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("number", models.DecimalField(decimal_places=2, max_digits=12, unique=True)),
            ],
        ),
        migrations.RunPython(run_on_postgresql(FORWARD), run_on_postgresql(BACKWARD), elidable=False),
        migrations.RunPython(bounds_fill, migrations.RunPython.noop, elidable=False),
    ]
