"""PostgreSQL only: searching by a variant's SKU and option values (issue #15). On SQLite and
MariaDB this migration does nothing (their search backend looks variants up with ``EXISTS``;
see ``catalog/search.py``), so one model serves all three databases.

- ``catalog_product.search_variant_terms`` (``text[]``): the search terms of the product's
  *active* variants, lower-cased and prefixed, ``sku:<sku>`` and ``opt:<option value>``
  (``{"sku:tee-m-red", "opt:m", "opt:red", …}``), with a GIN index. A search ORs
  ``search_variant_terms && ARRAY['sku:<q>', 'opt:<q>']`` with the full-text match: two GIN
  indexes on the same table, combined by a BitmapOr, so a SKU or a common option value
  (``red``: ≈10,000 of 100,000 products) costs an index lookup, not a scan of the variants'
  JSON nor thousands of primary-key probes.
- Kept current by triggers on ``catalog_productvariant``, the way ``search_vector`` is kept by
  its trigger (``0002``): statement-level for inserts and deletes (a bulk insert of 2,000
  variants rewrites each of their products once), row-level for updates of ``sku``,
  ``options``, ``is_active`` or ``product_id`` that change them. Stock updates
  (``SET quantity = …``) name none of these columns and fire nothing.
- ``catalog_search_option_values(jsonb)``: the lower-cased values of an ``options`` object.
"""

from django.db import migrations

from ecommerce.common.db import run_on_postgresql

FORWARD = [
    """
    CREATE FUNCTION catalog_search_option_values(options jsonb) RETURNS text[]
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
        SELECT coalesce(array_agg(lower(value)) FILTER (WHERE value IS NOT NULL), '{}')
        FROM jsonb_each_text(CASE WHEN jsonb_typeof(options) = 'object' THEN options ELSE '{}' END)
    $$
    """,
    """
    CREATE FUNCTION catalog_product_variant_terms(pid bigint) RETURNS text[]
    LANGUAGE sql STABLE AS $$
        SELECT coalesce(array_agg(DISTINCT term ORDER BY term), '{}') FROM (
            SELECT 'sku:' || lower(sku) AS term
            FROM catalog_productvariant WHERE product_id = pid AND is_active
            UNION ALL
            SELECT 'opt:' || value
            FROM catalog_productvariant, unnest(catalog_search_option_values(options)) AS value
            WHERE product_id = pid AND is_active
        ) AS terms
    $$
    """,
    "ALTER TABLE catalog_product ADD COLUMN search_variant_terms text[] NOT NULL DEFAULT '{}'",
    """
    CREATE FUNCTION catalog_variants_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        UPDATE catalog_product SET search_variant_terms = catalog_product_variant_terms(id)
        WHERE id IN (SELECT product_id FROM new_variants);
        RETURN NULL;
    END
    $$
    """,
    """
    CREATE TRIGGER catalog_variants_insert_trg AFTER INSERT ON catalog_productvariant
    REFERENCING NEW TABLE AS new_variants
    FOR EACH STATEMENT EXECUTE FUNCTION catalog_variants_inserted()
    """,
    """
    CREATE FUNCTION catalog_variants_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        UPDATE catalog_product SET search_variant_terms = catalog_product_variant_terms(id)
        WHERE id IN (SELECT product_id FROM old_variants);
        RETURN NULL;
    END
    $$
    """,
    """
    CREATE TRIGGER catalog_variants_delete_trg AFTER DELETE ON catalog_productvariant
    REFERENCING OLD TABLE AS old_variants
    FOR EACH STATEMENT EXECUTE FUNCTION catalog_variants_deleted()
    """,
    """
    CREATE FUNCTION catalog_variant_changed() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        UPDATE catalog_product SET search_variant_terms = catalog_product_variant_terms(id)
        WHERE id IN (OLD.product_id, NEW.product_id);
        RETURN NULL;
    END
    $$
    """,
    """
    CREATE TRIGGER catalog_variant_update_trg
    AFTER UPDATE OF sku, options, is_active, product_id ON catalog_productvariant
    FOR EACH ROW WHEN (
        OLD.sku IS DISTINCT FROM NEW.sku OR OLD.options IS DISTINCT FROM NEW.options
        OR OLD.is_active IS DISTINCT FROM NEW.is_active OR OLD.product_id IS DISTINCT FROM NEW.product_id
    )
    EXECUTE FUNCTION catalog_variant_changed()
    """,
    # The index before the backfill: built after it, on rows the backfill had just updated, the
    # index would stay unusable (``indcheckxmin``) until every older transaction had ended.
    # ``fastupdate = off``: variant writes are rare, searches many; with a pending list every
    # search would scan it (≈2 ms after seeding 100,000 products, until a vacuum).
    "CREATE INDEX catalog_product_variant_terms_gin ON catalog_product USING gin (search_variant_terms)"
    " WITH (fastupdate = off)",
    # Existing catalogs: every product with active variants, in one statement.
    """
    UPDATE catalog_product p SET search_variant_terms = t.terms
    FROM (
        SELECT product_id, array_agg(DISTINCT term ORDER BY term) AS terms FROM (
            SELECT product_id, 'sku:' || lower(sku) AS term FROM catalog_productvariant WHERE is_active
            UNION ALL
            SELECT product_id, 'opt:' || value
            FROM catalog_productvariant, unnest(catalog_search_option_values(options)) AS value
            WHERE is_active
        ) AS all_terms GROUP BY product_id
    ) AS t
    WHERE p.id = t.product_id
    """,
]

BACKWARD = [
    "DROP INDEX IF EXISTS catalog_product_variant_terms_gin",
    "DROP TRIGGER IF EXISTS catalog_variant_update_trg ON catalog_productvariant",
    "DROP TRIGGER IF EXISTS catalog_variants_delete_trg ON catalog_productvariant",
    "DROP TRIGGER IF EXISTS catalog_variants_insert_trg ON catalog_productvariant",
    "DROP FUNCTION IF EXISTS catalog_variant_changed()",
    "DROP FUNCTION IF EXISTS catalog_variants_deleted()",
    "DROP FUNCTION IF EXISTS catalog_variants_inserted()",
    "ALTER TABLE catalog_product DROP COLUMN IF EXISTS search_variant_terms",
    "DROP FUNCTION IF EXISTS catalog_product_variant_terms(bigint)",
    "DROP FUNCTION IF EXISTS catalog_search_option_values(jsonb)",
]


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0008_facet_counts"),
    ]

    operations = [
        migrations.RunPython(run_on_postgresql(FORWARD), run_on_postgresql(BACKWARD), elidable=False),
    ]
