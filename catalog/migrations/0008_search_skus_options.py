"""PostgreSQL only: indexes for searching by a variant's SKU and option values (issue #15). On
SQLite and MariaDB this migration does nothing (their search backend needs no index: it looks
up the page's candidates with ``EXISTS``; see ``catalog/search.py``).

- ``catalog_variant_sku_lower``: ``lower(sku)`` of active variants, so that a search for a SKU
  (exact, case-insensitive) is an index lookup.
- ``catalog_search_option_values(jsonb)``: the lower-cased values of a variant's ``options``
  (``{"size": "XL", "color": "Red"}`` → ``{xl, red}``), IMMUTABLE so that it can be indexed;
  ``catalog_variant_option_values_gin`` indexes it for active variants, so that "some active
  variant has an option value equal to the query" is ``… @> ARRAY[lower(q)]`` answered by a
  GIN index, not a scan of every variant's JSON.

The search ORs these lookups with the full-text match as ``id = ANY(ARRAY(SELECT product_id
…))``: the sub-select runs once, and the planner combines the primary-key lookup with the GIN
index on ``search_vector`` (a BitmapOr) instead of scanning every product.
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
    "CREATE INDEX catalog_variant_sku_lower ON catalog_productvariant (lower(sku)) WHERE is_active",
    """
    CREATE INDEX catalog_variant_option_values_gin ON catalog_productvariant
    USING gin (catalog_search_option_values(options)) WHERE is_active
    """,
]

BACKWARD = [
    "DROP INDEX IF EXISTS catalog_variant_option_values_gin",
    "DROP INDEX IF EXISTS catalog_variant_sku_lower",
    "DROP FUNCTION IF EXISTS catalog_search_option_values(jsonb)",
]


class Migration(migrations.Migration):
    # At merge: ("catalog", "0007_attributes") (developed before 0007 existed on this branch).
    dependencies = [
        ("catalog", "0006_productimage_variant"),
    ]

    operations = [
        migrations.RunPython(run_on_postgresql(FORWARD), run_on_postgresql(BACKWARD), elidable=False),
    ]
