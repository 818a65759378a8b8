"""Reusable product filters (one definition of "status" for every app)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db import models

if TYPE_CHECKING:
    from .models import Product  # noqa: F401 - the quoted type argument of the base class below


class ProductQuerySet(models.QuerySet["Product"]):
    _count_query: models.QuerySet[Any]  # set by counted_by() on its clone only

    def with_status(self, status: str) -> ProductQuerySet:
        """Products whose derived status is ``status`` (in_stock, out_of_stock, discontinued)."""
        if status == "discontinued":
            return self.filter(discontinued=True)
        if status == "in_stock":
            return self.filter(discontinued=False, quantity__gt=0)
        if status == "out_of_stock":
            return self.filter(discontinued=False, quantity=0)
        raise ValueError(f"Unknown product status: {status!r}")

    def counted_by(self, count_query: models.QuerySet[Any]) -> ProductQuerySet:
        """This queryset, whose ``count()`` runs ``count_query`` instead: an equivalent but
        cheaper query. Any further filtering returns a clone without it, so it cannot go stale."""
        clone = self.all()  # a clone (QuerySet.all() is Django's _chain())
        clone._count_query = count_query
        return clone

    def count(self) -> int:
        count_query = getattr(self, "_count_query", None)
        if count_query is not None and self._result_cache is None:
            return int(count_query.count())
        return super().count()
