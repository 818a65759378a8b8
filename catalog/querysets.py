"""Reusable product filters (one definition of "status" and of a product's stock for every
app). A product's stock is the sum of its active variants' (``with_stock``); "in stock" is
"some active variant has units" (an ``EXISTS`` on the (product, is_active, quantity) index)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db import models
from django.db.models import Exists, OuterRef, Subquery, Sum, Value
from django.db.models.functions import Coalesce

if TYPE_CHECKING:
    from .models import Product  # noqa: F401 - the quoted type argument of the base class below


def _variants(product_ref: str = "pk") -> models.QuerySet[Any]:
    from .models import ProductVariant  # the models module imports this one

    return ProductVariant.objects.filter(product_id=OuterRef(product_ref), is_active=True)


def stock_total(product_ref: str = "pk") -> Coalesce:
    """The total stock of a product's active variants (0 without any): a correlated subquery on
    the product named by ``product_ref`` in the outer query."""
    total = (
        _variants(product_ref).order_by().values("product_id").annotate(total=Sum("quantity")).values("total")
    )
    return Coalesce(Subquery(total, output_field=models.IntegerField()), Value(0))


def has_stock() -> Exists:
    """Some active variant of the product has units."""
    return Exists(_variants().filter(quantity__gt=0))


class ProductQuerySet(models.QuerySet["Product"]):
    _count_query: models.QuerySet[Any]  # set by counted_by() on its clone only

    def with_stock(self) -> ProductQuerySet:
        """Products with ``quantity``, the total stock of their active variants, read in the same
        query (a correlated subquery). ``Product.objects`` starts from this, so ``quantity``
        filters, orders and reads like a column (``values_list("quantity")``)."""
        if "quantity" in self.query.annotations:
            return self
        return self.annotate(quantity=stock_total())  # type: ignore[no-redef]  # Product.quantity reads it

    def in_stock(self) -> ProductQuerySet:
        """Products some active variant of which has units."""
        return self.filter(has_stock())

    def with_status(self, status: str) -> ProductQuerySet:
        """Products whose derived status is ``status`` (in_stock, out_of_stock, discontinued)."""
        if status == "discontinued":
            return self.filter(discontinued=True)
        if status == "in_stock":
            return self.filter(has_stock(), discontinued=False)
        if status == "out_of_stock":
            return self.filter(~has_stock(), discontinued=False)
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


_ProductManagerBase = models.Manager.from_queryset(ProductQuerySet)


class ProductManager(_ProductManagerBase["Product"]):
    """``Product.objects``: every product read carries its total stock (``with_stock``)."""

    def get_queryset(self) -> ProductQuerySet:
        return ProductQuerySet(self.model, using=self._db).with_stock()
