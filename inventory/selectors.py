"""Reads of the store-manager inventory API."""

from __future__ import annotations

from typing import Any

from accounts.models import StoreManager
from catalog.cache import cached_read
from catalog.models import Product

from .exceptions import ManagerAccessDenied
from .keys import api_key_matches, api_key_prefix
from .models import ManagerApiKey


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
            for public_id, name, price, quantity in queryset.order_by("pk").values_list(  # type: ignore[misc]
                "public_id", "name", "price", "quantity"
            )
        ]

    return cached_read(f"inventory:{manager_external_id}:{status or 'all'}", build)


def store_manager_get_for_user(*, user: Any) -> StoreManager:
    """Token mode: the store manager linked to ``user`` (a user with role ``manager``).

    Raises ``ManagerAccessDenied`` (403) when no manager is linked to that user.
    """
    manager = StoreManager.objects.filter(user_id=user.pk).only("pk", "external_id").first()
    if manager is None:
        raise ManagerAccessDenied("No store manager is linked to this user.")
    return manager


def manager_api_key_get_active(*, key: str) -> ManagerApiKey | None:
    """api_key mode: the active (not revoked) key ``key`` with its manager, else ``None``.

    A string that is not shaped like one of our keys costs no query; otherwise one indexed
    lookup by prefix, then a constant-time comparison of the SHA-256.
    """
    prefix = api_key_prefix(key)
    if prefix is None:
        return None
    api_key = (
        ManagerApiKey.objects.select_related("manager").filter(prefix=prefix, revoked_at__isnull=True).first()
    )
    if api_key is None or not api_key_matches(api_key, key):
        return None
    return api_key


def manager_api_key_list(*, manager_external_id: str | None = None) -> list[ManagerApiKey]:
    """Keys with their managers, by manager id then newest first (optionally one manager's)."""
    keys = ManagerApiKey.objects.select_related("manager").order_by("manager__external_id", "-created_at")
    if manager_external_id:
        keys = keys.filter(manager__external_id=manager_external_id)
    return list(keys)
