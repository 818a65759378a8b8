"""Reads of the webhooks app (admins only, enforced by the views)."""

from __future__ import annotations

from django.db.models import QuerySet

from .exceptions import DeliveryNotFound, EndpointNotFound
from .models import Delivery, Endpoint


def endpoint_list() -> QuerySet[Endpoint]:
    """Every endpoint, newest first."""
    return Endpoint.objects.order_by("-created_at", "-id")


def endpoint_get(*, public_id: str) -> Endpoint:
    """The endpoint ``public_id``; raises :class:`EndpointNotFound` (404)."""
    endpoint = Endpoint.objects.filter(public_id=public_id).first()
    if endpoint is None:
        raise EndpointNotFound()
    return endpoint


def delivery_list_for_endpoint(*, endpoint: Endpoint) -> QuerySet[Delivery]:
    """The endpoint's deliveries, newest first."""
    return Delivery.objects.filter(endpoint=endpoint).order_by("-created_at", "-id")


def delivery_get(*, public_id: str) -> Delivery:
    """The delivery ``public_id``; raises :class:`DeliveryNotFound` (404)."""
    delivery = Delivery.objects.select_related("endpoint").filter(public_id=public_id).first()
    if delivery is None:
        raise DeliveryNotFound()
    return delivery
