"""The outbox: one row per domain event, written in the transaction of the change it records."""

from __future__ import annotations

from django.db import models

from .encoding import EventJSONEncoder
from .ids import event_id_new


class OutboxEvent(models.Model):
    """A domain event waiting to be (or already) handed to the subscribers.

    ``dispatched_at`` is set, in the dispatching transaction, once every subscriber handled it;
    ``dead_at`` once dispatch failed ``OUTBOX_MAX_ATTEMPTS`` times (re-dispatch from the admin).
    """

    id = models.CharField(primary_key=True, max_length=30, default=event_id_new, editable=False)
    type = models.CharField(max_length=40)
    version = models.PositiveSmallIntegerField(default=1)
    # Decimals as numbers and datetimes with Z, as the API renders them (encoded once, on insert)
    data = models.JSONField(encoder=EventJSONEncoder)
    occurred_at = models.DateTimeField()
    # When the dispatcher should pick it up next (occurred_at, then after each failed attempt's
    # backoff); the sweeper re-sends rows still undispatched OUTBOX_SWEEP_AFTER_SECONDS later.
    next_attempt_at = models.DateTimeField()
    # When the relay (a beat task; with a broker) sent its dispatch task; empty until then.
    relayed_at = models.DateTimeField(null=True, blank=True)
    dispatched_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.CharField(max_length=300, blank=True)
    dead_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-occurred_at"]
        # the sweeper's scan (undispatched and due) and the purge of old dispatched rows
        indexes = [models.Index(fields=["dispatched_at", "next_attempt_at"], name="outbox_due_idx")]

    def __str__(self) -> str:
        return f"{self.id} {self.type}"
