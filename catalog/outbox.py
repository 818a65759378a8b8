"""The catalog's domain events (``ecommerce.events``), written in the transaction of the change.

- ``product.created`` / ``product.updated`` / ``product.discontinued``: ``data`` is the product
  (:func:`product_event_data`); a change that discontinues a product publishes
  ``product.discontinued`` (and ``product.updated`` only when other fields changed too).
- ``stock.out`` (the quantity fell to 0), ``stock.back_in`` (it rose from 0), ``stock.low`` (it
  fell below ``LOW_STOCK_THRESHOLD`` from at or above it, without reaching 0): one event per
  *variant* whose stock crossed a line (issue #15: stock lives on variants), whatever changed it
  (a sale, a cancellation, a restock, an adjustment, the inventory API). A new product's or
  variant's initial stock publishes no stock event.

Schemas and examples: docs/events.md.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.conf import settings

from ecommerce.events.outbox import events_publish

from .models import Product, ProductVariant


def product_event_data(product: Product, *, manager_id: str | None | bool = False) -> dict[str, Any]:
    """``{id, name, slug, price, quantity, status, manager_id, updated_at}``. ``manager_id``
    (the store manager's external id, or None) when the caller knows it; read otherwise."""
    if manager_id is False:
        manager = product.manager
        manager_id = manager.external_id if manager is not None else None
    return {
        "id": product.public_id,
        "name": product.name,
        "slug": product.slug,
        "price": product.price,
        "quantity": product.quantity,
        "status": str(product.status),
        "manager_id": manager_id,
        "updated_at": product.updated_at,
    }


def products_publish(
    event_type: str, products: Iterable[Product], *, manager_id: str | None | bool = False
) -> list[str]:
    """Publish ``event_type`` for each product (one ``INSERT``)."""
    return events_publish((event_type, product_event_data(p, manager_id=manager_id)) for p in products)


def stock_crossing(before: int, after: int, threshold: int | None = None) -> str | None:
    """The stock event a change from ``before`` to ``after`` units causes, or None."""
    low = settings.LOW_STOCK_THRESHOLD if threshold is None else threshold
    if after == before:
        return None
    if after == 0:
        return "stock.out"
    if before == 0:
        return "stock.back_in"
    if after < low <= before:
        return "stock.low"
    return None


def stock_changes_publish(
    changes: Mapping[int, tuple[int, int]], names: Mapping[int, tuple[str, str, str, str]] | None = None
) -> list[str]:
    """Publish the stock events of ``{variant pk: (quantity before, after)}``. ``names`` maps
    variant pks to ``(product public id, product name, variant public id, sku)`` where the
    caller holds them; the others are read (only for the variants that crossed a line)."""
    crossing = {
        pk: kind for pk, (before, after) in changes.items() if (kind := stock_crossing(before, after))
    }
    if not crossing:
        return []
    known = dict(names or {})
    missing = [pk for pk in crossing if pk not in known]
    if missing:
        rows = ProductVariant.objects.filter(pk__in=missing).values_list(
            "pk", "product__public_id", "product__name", "public_id", "sku"
        )
        for pk, product_id, name, variant_id, sku in rows:
            known[pk] = (product_id, name, variant_id, sku)
    threshold = settings.LOW_STOCK_THRESHOLD
    return events_publish(
        (
            kind,
            {
                "product_id": known[pk][0],
                "variant_id": known[pk][2],
                "sku": known[pk][3],
                "name": known[pk][1],
                "quantity": changes[pk][1],
                "previous_quantity": changes[pk][0],
                "low_stock_threshold": threshold,
            },
        )
        for pk, kind in sorted(crossing.items())
    )
