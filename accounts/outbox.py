"""The accounts' domain event: ``customer.created`` when a customer account is created (sign-up
or a first sign-in through an OAuth2 provider), in that transaction. ``data`` is the profile as
``GET /api/auth/me/`` shows it (docs/events.md)."""

from __future__ import annotations

import json
from typing import Any

from rest_framework.renderers import JSONRenderer

from ecommerce.events.outbox import event_publish

from .api.serializers import ProfileSerializer
from .models import User


def customer_event_data(user: User) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(JSONRenderer().render(ProfileSerializer(user).data))
    return data


def customer_created_publish(user: User) -> str:
    """Write ``customer.created`` in the current transaction; returns the event id."""
    return event_publish("customer.created", customer_event_data(user))
