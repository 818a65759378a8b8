"""The API keys of store managers (``accounts.StoreManager``) and the audit log of the
inventory API.

Id columns (the audit's manager id, key prefixes) are ``ExactCharField``s:
byte-exact comparison on MariaDB too (``utf8mb4_bin``), as on PostgreSQL and SQLite."""

from __future__ import annotations

from django.db import models
from django.utils import timezone

from ecommerce.common.fields import ExactCharField
from ecommerce.common.models import TimeStampedModel


class ManagerApiKey(TimeStampedModel):
    """A store manager's key for the inventory API (access mode ``api_key``).

    The key is ``<prefix>_<secret>`` with ``prefix`` = ``mk_live_`` + 12 random hex characters
    (stored, shown in the admin, used to revoke) and a 256-bit random secret. Only the SHA-256
    of the whole key is stored, so the database never holds a usable key; the plain key is
    shown once, when it is issued (``inventory.keys``).
    """

    manager = models.ForeignKey("accounts.StoreManager", on_delete=models.CASCADE, related_name="api_keys")
    name = models.CharField(
        max_length=100, blank=True, help_text="What the key is for (e.g. 'warehouse sync')."
    )
    prefix = ExactCharField(max_length=32, unique=True, editable=False)
    key_hash = models.CharField(max_length=64, editable=False)
    last_used_at = models.DateTimeField(
        null=True, blank=True, editable=False, help_text="Updated at most once a minute."
    )
    revoked_at = models.DateTimeField(null=True, blank=True, editable=False, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "manager API key"

    def __str__(self) -> str:
        return self.prefix

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class AuditEvent(models.Model):
    """One row per request to the inventory API (also failures and 429s).

    ``changes`` lists, for writes, each product touched with its price, quantity and
    ``discontinued`` flag before and after. Request bodies, tokens and secrets are never stored.
    """

    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    request_id = models.CharField(max_length=128, blank=True, db_index=True)
    manager_external_id = ExactCharField(
        "manager id",
        max_length=64,
        blank=True,
        help_text="The caller's manager_id, as sent (when well-formed).",
    )
    api_key_prefix = ExactCharField(
        "API key",
        max_length=32,
        blank=True,
        help_text="api_key mode: the prefix of the key that was accepted.",
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
