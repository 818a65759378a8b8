"""Store managers (the owners of products sold through the inventory API) and the audit log
of that API."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

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


class AuditEvent(models.Model):
    """One row per request to the inventory API (also failures and 429s).

    ``changes`` lists, for writes, each product touched with its price, quantity and
    ``discontinued`` flag before and after. Request bodies, tokens and secrets are never stored.
    """

    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    request_id = models.CharField(max_length=128, blank=True, db_index=True)
    manager_external_id = models.CharField(
        "manager id", max_length=64, blank=True, help_text="The caller's manager_id, as sent."
    )
    client_ip = models.GenericIPAddressField(null=True, blank=True)
    method = models.CharField(max_length=8)
    path = models.CharField(max_length=255)
    status_code = models.PositiveSmallIntegerField()
    error_code = models.CharField(max_length=32, blank=True)
    duration_ms = models.FloatField()
    order_public_id = models.CharField("order id", max_length=64, blank=True)
    changes = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["manager_external_id", "-created_at"], name="audit_manager_created_idx"),
            models.Index(fields=["path", "-created_at"], name="audit_path_created_idx"),
            models.Index(fields=["status_code", "-created_at"], name="audit_status_created_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.method} {self.path} {self.status_code} ({self.manager_external_id or '-'})"
