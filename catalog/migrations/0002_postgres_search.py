"""PostgreSQL only: search and list performance. On SQLite and MariaDB this migration does
nothing (the model has no such column; the simple search backend needs none), so one model
serves all three databases.

- ``catalog_product.search_vector`` (tsvector: name weighted A, description B), kept up to
  date by a trigger, with a GIN index. A trigger, not a generated column, so that later
  ``AlterField`` migrations of ``name``/``description`` stay possible.
- Typo tolerance with pg_trgm, the way the PostgreSQL manual suggests for spelling
  correction: ``catalog_search_word`` holds the distinct words of product names (kept up to
  date by triggers), with a trigram GIN index. ``catalog_search_query(text)`` turns the user's
  text into a tsquery: the ``websearch_to_tsquery`` of the text OR the same words where each
  word unknown to the vocabulary is replaced by its closest words by trigram similarity. So
  "cofee" finds "Coffee", and every search is answered by the GIN index on ``search_vector``.
- Partial indexes on live and on discontinued product ids and a (category, product) index on
  the category link table, so that counting a category's products never reads the wide
  product rows.
"""

from django.db import migrations

from ecommerce.common.db import run_on_postgresql

VECTOR = (
    "setweight(to_tsvector('english', coalesce({row}name, '')), 'A') || "
    "setweight(to_tsvector('english', coalesce({row}description, '')), 'B')"
)
# The words of a product name worth correcting towards: lower-case, 3+ characters.
NAME_WORDS = "SELECT DISTINCT w FROM regexp_split_to_table(lower({name}), '[^[:alnum:]]+') AS w WHERE length(w) >= 3"

FORWARD = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    # --- full-text vector -------------------------------------------------------------------
    "ALTER TABLE catalog_product ADD COLUMN search_vector tsvector",
    f"""
    CREATE FUNCTION catalog_product_search_vector_update() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        NEW.search_vector := {VECTOR.format(row="NEW.")};
        RETURN NEW;
    END
    $$
    """,
    """
    CREATE TRIGGER catalog_product_search_vector_trg
    BEFORE INSERT OR UPDATE OF name, description ON catalog_product
    FOR EACH ROW EXECUTE FUNCTION catalog_product_search_vector_update()
    """,
    f"UPDATE catalog_product SET search_vector = {VECTOR.format(row='')}",
    "CREATE INDEX catalog_product_search_gin ON catalog_product USING gin (search_vector)",
    # --- vocabulary of name words for typo correction ---------------------------------------
    "CREATE TABLE catalog_search_word (word text PRIMARY KEY)",
    "CREATE INDEX catalog_search_word_trgm ON catalog_search_word USING gin (word gin_trgm_ops)",
    """
    CREATE FUNCTION catalog_search_words_from_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        INSERT INTO catalog_search_word (word)
        SELECT DISTINCT w FROM new_rows, regexp_split_to_table(lower(new_rows.name), '[^[:alnum:]]+') AS w
        WHERE length(w) >= 3
        ON CONFLICT DO NOTHING;
        RETURN NULL;
    END
    $$
    """,
    """
    CREATE TRIGGER catalog_search_words_insert_trg
    AFTER INSERT ON catalog_product REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION catalog_search_words_from_inserted()
    """,
    f"""
    CREATE FUNCTION catalog_search_words_from_renamed() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        INSERT INTO catalog_search_word (word) {NAME_WORDS.format(name="NEW.name")} ON CONFLICT DO NOTHING;
        RETURN NULL;
    END
    $$
    """,
    """
    CREATE TRIGGER catalog_search_words_update_trg
    AFTER UPDATE OF name ON catalog_product
    FOR EACH ROW WHEN (OLD.name IS DISTINCT FROM NEW.name)
    EXECUTE FUNCTION catalog_search_words_from_renamed()
    """,
    """
    INSERT INTO catalog_search_word (word)
    SELECT DISTINCT w FROM catalog_product, regexp_split_to_table(lower(name), '[^[:alnum:]]+') AS w
    WHERE length(w) >= 3
    ON CONFLICT DO NOTHING
    """,
    """
    CREATE FUNCTION catalog_search_query(q text) RETURNS tsquery LANGUAGE plpgsql STABLE AS $$
    DECLARE
        corrected tsquery := NULL;
        alternatives tsquery;
        term text;
        alternative text;
    BEGIN
        FOR term IN
            SELECT t FROM regexp_split_to_table(lower(left(q, 200)), '[^[:alnum:]]+') AS t WHERE t <> ''
        LOOP
            alternatives := plainto_tsquery('english', term);
            IF length(term) >= 3 AND NOT EXISTS (SELECT 1 FROM catalog_search_word WHERE word = term) THEN
                FOR alternative IN
                    SELECT word FROM catalog_search_word WHERE word % term
                    ORDER BY similarity(word, term) DESC, word LIMIT 3
                LOOP
                    alternatives := alternatives || plainto_tsquery('english', alternative);
                END LOOP;
            END IF;
            CONTINUE WHEN numnode(alternatives) = 0;
            corrected := CASE WHEN corrected IS NULL THEN alternatives ELSE corrected && alternatives END;
        END LOOP;
        IF corrected IS NULL THEN
            RETURN websearch_to_tsquery('english', q);
        END IF;
        RETURN websearch_to_tsquery('english', q) || corrected;
    END
    $$
    """,
    # --- list performance -------------------------------------------------------------------
    "CREATE INDEX catalog_product_live_id ON catalog_product (id) WHERE NOT discontinued",
    "CREATE INDEX catalog_product_discontinued_id ON catalog_product (id) WHERE discontinued",
    "CREATE INDEX catalog_product_categories_cat_prod ON catalog_product_categories (category_id, product_id)",
]

BACKWARD = [
    "DROP INDEX IF EXISTS catalog_product_categories_cat_prod",
    "DROP INDEX IF EXISTS catalog_product_discontinued_id",
    "DROP INDEX IF EXISTS catalog_product_live_id",
    "DROP FUNCTION IF EXISTS catalog_search_query(text)",
    "DROP TRIGGER IF EXISTS catalog_search_words_update_trg ON catalog_product",
    "DROP TRIGGER IF EXISTS catalog_search_words_insert_trg ON catalog_product",
    "DROP FUNCTION IF EXISTS catalog_search_words_from_renamed()",
    "DROP FUNCTION IF EXISTS catalog_search_words_from_inserted()",
    "DROP TABLE IF EXISTS catalog_search_word",
    "DROP INDEX IF EXISTS catalog_product_search_gin",
    "DROP TRIGGER IF EXISTS catalog_product_search_vector_trg ON catalog_product",
    "DROP FUNCTION IF EXISTS catalog_product_search_vector_update()",
    "ALTER TABLE catalog_product DROP COLUMN IF EXISTS search_vector",
]


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(run_on_postgresql(FORWARD), run_on_postgresql(BACKWARD), elidable=False),
    ]
