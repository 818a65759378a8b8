"""Product search, pluggable: one :class:`SearchBackend` protocol, one backend per database family.

Every backend finds a product by three rules, ORed:

1. **Text** (as before): the words of the query in the name or description.
2. **SKU**: an active variant's SKU equals the whole query (case-insensitive; the query is
   stripped of surrounding whitespace). A part of a SKU does not match by this rule. Such a
   product ranks first, above every text match.
3. **Option value**: an active variant has an option value equal to the whole query
   (case-insensitive): ``red`` finds products with a ``{"color": "Red"}`` variant, ``navy blue``
   a ``"Navy Blue"`` one; ``red shirt`` finds no option value (only its text matches). Such a
   product, when its text does not match, ranks below every text match.

Backends:

- :class:`PostgresSearchBackend`: full-text search over the stored ``search_vector`` column
  (name weighted A, description B; GIN index; kept up to date by a trigger). Words the
  product names do not contain are widened to their closest name words by pg_trgm trigram
  similarity, so "cofee" still finds "Coffee" (see migration ``0002_postgres_search``).
  Relevance = ``ts_rank``, exact matches first. SKUs and option values: the product's stored
  ``search_variant_terms`` array (GIN index; kept by triggers on the variants; migration
  ``0009_search_skus_options``).
- :class:`SimpleSearchBackend`: every word must appear in the name or the description
  (case-insensitive contains); a match in the name ranks higher. SKU and option values by
  ``EXISTS`` sub-queries (``json_each`` on SQLite, ``JSON_TABLE`` on MariaDB). Used on SQLite
  and MariaDB.

All of it is one SQL statement (plus the page's COUNT): searching adds no query.

:func:`search_backend` picks the backend from ``connection.vendor``.
"""

from __future__ import annotations

from functools import reduce
from operator import and_
from typing import Protocol

from django.db import connection
from django.db.models import BooleanField, Case, Exists, FloatField, OuterRef, Q, Value, When
from django.db.models.expressions import RawSQL

from .models import ProductVariant
from .querysets import ProductQuerySet

MAX_QUERY_LENGTH = 200

# A SKU match ranks above any text match: ts_rank (PostgreSQL) stays below 1 per rank, the
# simple backend's text ranks are 1-3.
SKU_RANK = 100.0
# An option-value match whose text does not match (simple backend; on PostgreSQL its ts_rank is 0).
OPTION_ONLY_RANK = 0.5

# ``search_vector``, ``catalog_search_query()`` (migration 0002) and ``search_variant_terms``
# (migration 0008: ``sku:<lower sku>`` and ``opt:<lower option value>`` of the product's active
# variants, kept by triggers) exist on PostgreSQL only.
# The scalar sub-select makes PostgreSQL compute the corrected tsquery once per statement.
_PG_TSQUERY = "(SELECT catalog_search_query(%s))"
_PG_SKU_TERM = "ARRAY['sku:' || lower(%s)]"
_PG_VARIANT_TERMS = "ARRAY['sku:' || lower(%s), 'opt:' || lower(%s)]"
# Two GIN indexes of the same table, ORed by the planner (BitmapOr): never a scan of products.
_PG_MATCHES = (
    f'("catalog_product"."search_vector" @@ {_PG_TSQUERY}'
    f' OR "catalog_product"."search_variant_terms" && {_PG_VARIANT_TERMS})'
)
# Exact (uncorrected) matches rank above typo corrections; a SKU match above everything.
_PG_RELEVANCE = (
    f'(CASE WHEN "catalog_product"."search_variant_terms" @> {_PG_SKU_TERM} THEN {SKU_RANK} ELSE 0 END'
    f' + ts_rank("catalog_product"."search_vector", {_PG_TSQUERY})'
    ' + ts_rank("catalog_product"."search_vector", websearch_to_tsquery(\'english\', %s)))'
)

# Some active variant of the product has an option value equal to the (lower-cased) query.
_OPTION_VALUE_MATCHES = {
    "sqlite": (
        "EXISTS (SELECT 1 FROM catalog_productvariant v, json_each(v.options) o"
        " WHERE v.product_id = catalog_product.id AND v.is_active AND lower(o.value) = %s)"
    ),
    "mysql": (
        "EXISTS (SELECT 1 FROM catalog_productvariant v,"
        " JSON_TABLE(v.options, '$.*' COLUMNS (val VARCHAR(255) PATH '$')) o"
        " WHERE v.product_id = catalog_product.id AND v.is_active AND LOWER(o.val) = %s)"
    ),
}


class SearchBackend(Protocol):
    """Filters products matching ``query`` and annotates each with a float ``relevance``."""

    def search(self, queryset: ProductQuerySet, query: str) -> ProductQuerySet: ...


class PostgresSearchBackend:
    """Weighted full-text search with trigram typo correction, SKUs and option values; served by
    GIN and expression indexes."""

    def search(self, queryset: ProductQuerySet, query: str) -> ProductQuerySet:
        term = query.strip()
        # Constant SQL; the user's text only ever travels as a bound parameter.
        matches = RawSQL(_PG_MATCHES, (term, term, term), output_field=BooleanField())  # noqa: S611
        relevance = RawSQL(  # noqa: S611
            _PG_RELEVANCE, (term, term, term), output_field=FloatField()
        )
        return queryset.filter(matches).annotate(relevance=relevance)


class SimpleSearchBackend:
    """Case-insensitive contains, every word required; a SKU match ranks first, then name
    matches, description matches, option-value-only matches."""

    def search(self, queryset: ProductQuerySet, query: str) -> ProductQuerySet:
        term = query.strip()
        words = term.split()[:10]
        if not words:
            return queryset.none().annotate(relevance=Value(0.0, output_field=FloatField()))
        text = reduce(and_, (Q(name__icontains=w) | Q(description__icontains=w) for w in words))
        sku = Exists(
            ProductVariant.objects.filter(product_id=OuterRef("pk"), is_active=True, sku__iexact=term)
        )
        option_sql = _OPTION_VALUE_MATCHES.get(connection.vendor, _OPTION_VALUE_MATCHES["sqlite"])
        option = RawSQL(option_sql, (term.lower(),), output_field=BooleanField())  # noqa: S611 - bound param
        relevance = Case(
            When(sku, then=Value(SKU_RANK)),
            When(name__icontains=term, then=Value(3.0)),
            When(reduce(and_, (Q(name__icontains=w) for w in words)), then=Value(2.0)),
            When(text, then=Value(1.0)),
            default=Value(OPTION_ONLY_RANK),
            output_field=FloatField(),
        )
        return queryset.filter(text | Q(sku) | Q(option)).annotate(relevance=relevance)


def search_backend() -> SearchBackend:
    """The backend for the database in use."""
    if connection.vendor == "postgresql":
        return PostgresSearchBackend()
    return SimpleSearchBackend()
