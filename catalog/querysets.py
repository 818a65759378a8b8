"""Reusable product filters (one definition of "status" for every app)."""

from __future__ import annotations

from django.db import models


class ProductQuerySet(models.QuerySet):
    def with_status(self, status: str) -> ProductQuerySet:
        """Products whose derived status is ``status`` (in_stock, out_of_stock, discontinued)."""
        if status == "discontinued":
            return self.filter(discontinued=True)
        if status == "in_stock":
            return self.filter(discontinued=False, quantity__gt=0)
        if status == "out_of_stock":
            return self.filter(discontinued=False, quantity=0)
        raise ValueError(f"Unknown product status: {status!r}")

    def purchasable(self) -> ProductQuerySet:
        return self.filter(discontinued=False)
