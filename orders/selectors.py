"""Order reads: a user's own orders (others' are simply not found); admins see all."""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet

from accounts.models import User
from accounts.permissions import is_admin

from .exceptions import OrderNotFound
from .models import Order, OrderEvent, OrderLine


def _with_details(queryset: QuerySet[Order]) -> QuerySet[Order]:
    return queryset.select_related("user").prefetch_related(
        Prefetch("lines", queryset=OrderLine.objects.order_by("id")),
        Prefetch("events", queryset=OrderEvent.objects.order_by("created_at", "id")),
    )


def order_list_for_user(
    *, user: User, user_public_id: str | None = None, status: str | None = None
) -> QuerySet[Order]:
    """Newest first. A customer sees their own orders; an admin sees all and may filter by
    ``user_public_id`` and ``status``."""
    queryset = Order.objects.order_by("-created_at", "-id")
    if is_admin(user):
        if user_public_id:
            queryset = queryset.filter(user__public_id=user_public_id)
    else:
        queryset = queryset.filter(user=user)
    if status:
        queryset = queryset.filter(status=status)
    return _with_details(queryset)


def order_get_for_user(*, user: User, order_public_id: str) -> Order:
    """One order the user may see; another user's order raises :class:`OrderNotFound` (404)."""
    queryset = Order.objects.filter(public_id=order_public_id)
    if not is_admin(user):
        queryset = queryset.filter(user=user)
    order = _with_details(queryset).first()
    if order is None:
        raise OrderNotFound()
    return order
