"""Webhook endpoints (where integrators want events), deliveries (one per endpoint and event)
and the log of each delivery attempt. See docs/webhooks.md."""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from ecommerce.common.fields import PublicIdField
from ecommerce.common.models import TimeStampedModel

from .types import ALL_EVENTS

URL_MAX_LENGTH = 2000
RESPONSE_EXCERPT_MAX_CHARS = 1000  # of a receiver's answer, kept in the log


class Endpoint(TimeStampedModel):
    """A receiver URL, the event types it wants (or ``["*"]``) and its signing secret.

    The secret (``whsec_…``, an HMAC key) is stored as is, because every delivery is signed
    with it; the API shows it only on creation and rotation, and nothing logs it.
    """

    public_id = PublicIdField(prefix="whe")
    url = models.CharField(max_length=URL_MAX_LENGTH)
    events = models.JSONField(default=list)
    description = models.CharField(max_length=255, blank=True)
    is_active = models.BooleanField(default=True)
    secret = models.CharField(max_length=128)
    # Failed attempts in a row (any delivery); a success resets it. Reaching
    # WEBHOOK_DISABLE_AFTER_FAILURES disables the endpoint.
    consecutive_failures = models.PositiveIntegerField(default=0)
    disabled_at = models.DateTimeField(null=True, blank=True)
    disabled_reason = models.CharField(max_length=255, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.public_id} → {self.url}"

    def wants(self, event_type: str) -> bool:
        """Whether this endpoint subscribes to ``event_type``."""
        return ALL_EVENTS in self.events or event_type in self.events


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", "Pending"  # not attempted yet (or redelivery asked)
    FAILED = "failed", "Failed"  # the last attempt failed; another is scheduled (next_attempt_at)
    SUCCEEDED = "succeeded", "Succeeded"
    DEAD = "dead", "Dead"  # the retry schedule is used up, or the endpoint was disabled


class Delivery(TimeStampedModel):
    """One event for one endpoint: the exact body, its state and its last attempt.

    Unique per (endpoint, event id): the outbox may dispatch an event twice, the endpoint still
    gets one delivery. Every attempt of it sends the same ``webhook-id`` (the event id).
    """

    public_id = PublicIdField(prefix="whd")
    endpoint = models.ForeignKey(Endpoint, on_delete=models.CASCADE, related_name="deliveries")
    event_id = models.CharField(max_length=64)
    event_type = models.CharField(max_length=64)
    body = models.TextField()  # the JSON text sent ({type, timestamp, data}), the same on every attempt
    status = models.CharField(max_length=16, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING)
    attempt = models.PositiveIntegerField(default=0)  # attempts made in all
    run_attempts = models.PositiveIntegerField(default=0)  # attempts since creation or last redelivery
    response_status = models.PositiveIntegerField(null=True, blank=True)
    duration_ms = models.PositiveIntegerField(null=True, blank=True)
    response_excerpt = models.TextField(blank=True)
    error = models.CharField(max_length=255, blank=True)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    # A worker sending this delivery holds it until then (another copy of the task skips it).
    claimed_until = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "deliveries"
        constraints = [
            models.UniqueConstraint(
                fields=["endpoint", "event_id"], name="webhook_delivery_endpoint_event_uniq"
            ),
        ]
        indexes = [
            models.Index(fields=["endpoint", "-created_at"], name="webhook_delivery_endpoint_idx"),
            models.Index(fields=["status", "next_attempt_at"], name="webhook_delivery_due_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.public_id} ({self.event_type})"


class DeliveryAttempt(models.Model):
    """The log of one attempt: when, how long, what the receiver answered (an excerpt)."""

    delivery = models.ForeignKey(Delivery, on_delete=models.CASCADE, related_name="attempts")
    number = models.PositiveIntegerField()
    started_at = models.DateTimeField()
    succeeded = models.BooleanField(default=False)
    response_status = models.PositiveIntegerField(null=True, blank=True)
    duration_ms = models.PositiveIntegerField()
    response_excerpt = models.TextField(blank=True)
    error = models.CharField(max_length=255, blank=True)

    class Meta:
        ordering = ["delivery", "number"]
        constraints = [
            models.UniqueConstraint(fields=["delivery", "number"], name="webhook_attempt_number_uniq"),
            models.CheckConstraint(condition=Q(number__gte=1), name="webhook_attempt_number_gte_1"),
        ]

    def __str__(self) -> str:
        return f"attempt {self.number} of {self.delivery_id}"
