"""Store managers: the owners of products sold through the inventory API."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from ecommerce.common.models import TimeStampedModel


class StoreManager(TimeStampedModel):
    """Identified by the caller-chosen ``external_id`` (``mgr_123``); optionally linked to a user
    whose role is ``manager`` (required when the inventory access mode is ``token``)."""

    external_id = models.CharField(max_length=64, unique=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="store_manager",
    )

    class Meta:
        ordering = ["external_id"]

    def __str__(self) -> str:
        return self.external_id
