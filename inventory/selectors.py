"""Reads of the store-manager inventory API."""

from __future__ import annotations

from typing import Any

from catalog.cache import cached_read
from catalog.models import Product

from .exceptions import ManagerAccessDenied
from .models import StoreManager


def inventory_product_list(*, manager_external_id: str, status: str | None) -> list[dict[str, Any]]:
    """The manager's products as ``{id, name, price, quantity}`` dicts, oldest first.

    ``status`` is ``in_stock``, ``out_of_stock``, ``discontinued`` or ``None`` (all). Cached per
    manager and status under the catalog version, so any product write (this API, shop
    checkout, admin) invalidates it on commit. An unknown manager simply has no products.
    """

    def build() -> list[dict[str, Any]]:
        queryset = Product.objects.filter(manager__external_id=manager_external_id)
        if status:
            queryset = queryset.with_status(status)
        return [
            {"id": public_id, "name": name, "price": price, "quantity": quantity}
            for public_id, name, price, quantity in queryset.order_by("pk").values_list(
                "public_id", "name", "price", "quantity"
            )
        ]

    return cached_read(f"inventory:{manager_external_id}:{status or 'all'}", build)


def store_manager_check_access(*, external_id: str, user: Any) -> None:
    """Token mode: ``user`` must be the user linked to the manager ``external_id``.

    Raises ``ManagerAccessDenied`` (403) otherwise, also when that manager does not exist.
    """
    if not StoreManager.objects.filter(external_id=external_id, user_id=user.pk).exists():
        raise ManagerAccessDenied()
