"""Product search, pluggable: one :class:`SearchBackend` protocol, one backend per database family.

- :class:`PostgresSearchBackend`: full-text search over the stored ``search_vector`` column
  (name weighted A, description B; GIN index; kept up to date by a trigger). Words the
  product names do not contain are widened to their closest name words by pg_trgm trigram
  similarity, so "cofee" still finds "Coffee" (see migration ``0002_postgres_search``).
  Relevance = ``ts_rank``, exact matches first.
- :class:`SimpleSearchBackend`: every word must appear in the name or the description
  (case-insensitive contains); a match in the name ranks higher. Used on SQLite and MariaDB.

:func:`search_backend` picks the backend from ``connection.vendor``.
"""

from __future__ import annotations

from functools import reduce
from operator import and_
from typing import Protocol

from django.db import connection
from django.db.models import BooleanField, Case, FloatField, Q, Value, When
from django.db.models.expressions import RawSQL

from .querysets import ProductQuerySet

MAX_QUERY_LENGTH = 200

# ``search_vector`` and ``catalog_search_query()`` exist on PostgreSQL only (migration 0002).
# The scalar sub-select makes PostgreSQL compute the corrected tsquery once per statement.
_PG_TSQUERY = "(SELECT catalog_search_query(%s))"
_PG_MATCHES = f'"catalog_product"."search_vector" @@ {_PG_TSQUERY}'
# Exact (uncorrected) matches rank above typo corrections.
_PG_RELEVANCE = (
    f'(ts_rank("catalog_product"."search_vector", {_PG_TSQUERY})'
    ' + ts_rank("catalog_product"."search_vector", websearch_to_tsquery(\'english\', %s)))'
)


class SearchBackend(Protocol):
    """Filters products matching ``query`` and annotates each with a float ``relevance``."""

    def search(self, queryset: ProductQuerySet, query: str) -> ProductQuerySet: ...


class PostgresSearchBackend:
    """Weighted full-text search with trigram typo correction; served by GIN indexes."""

    def search(self, queryset: ProductQuerySet, query: str) -> ProductQuerySet:
        # Constant SQL; the user's text only ever travels as a bound parameter.
        matches = RawSQL(_PG_MATCHES, (query,), output_field=BooleanField())  # noqa: S611
        relevance = RawSQL(  # noqa: S611
            _PG_RELEVANCE, (query, query), output_field=FloatField()
        )
        return queryset.filter(matches).annotate(relevance=relevance)


class SimpleSearchBackend:
    """Case-insensitive contains, every word required; name matches rank first."""

    def search(self, queryset: ProductQuerySet, query: str) -> ProductQuerySet:
        words = query.split()[:10]
        if not words:
            return queryset.none().annotate(relevance=Value(0.0, output_field=FloatField()))
        matches = reduce(and_, (Q(name__icontains=w) | Q(description__icontains=w) for w in words))
        relevance = Case(
            When(name__icontains=query, then=Value(3.0)),
            When(reduce(and_, (Q(name__icontains=w) for w in words)), then=Value(2.0)),
            default=Value(1.0),
            output_field=FloatField(),
        )
        return queryset.filter(matches).annotate(relevance=relevance)


def search_backend() -> SearchBackend:
    """The backend for the database in use."""
    if connection.vendor == "postgresql":
        return PostgresSearchBackend()
    return SimpleSearchBackend()
