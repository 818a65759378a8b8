"""Models of the foundation: the abstract timestamped base, queued emails, worker heartbeats."""

from django.db import models


class TimeStampedModel(models.Model):
    """``created_at`` / ``updated_at`` maintained by the database layer."""

    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class EmailStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    SENT = "sent", "Sent"
    SKIPPED = "skipped", "Skipped (nothing to send)"
    DEAD = "dead", "Dead (all attempts failed)"


class Email(models.Model):
    """One transactional email, queued in the transaction that caused it and rendered and sent by
    a worker (``ecommerce.common.email``). At most one per (``event_id``, ``to``): a task or a
    handler that runs twice finds the row and never sends it twice.

    ``kind`` names the renderer (``accounts.verify_email``, ``orders.confirmation``, …) and
    ``context`` its JSON arguments; ``context`` may hold a one-time key, so the admin never shows
    it and it is emptied once the email is sent.
    """

    event_id = models.CharField(
        max_length=64, help_text="The event that caused it (evt_…, or acc_… for account emails)."
    )
    to = models.EmailField()
    kind = models.CharField(max_length=64)
    context = models.JSONField(default=dict, blank=True)
    subject = models.CharField(max_length=255, blank=True)
    status = models.CharField(max_length=16, choices=EmailStatus.choices, default=EmailStatus.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["event_id", "to"], name="email_once_per_event_recipient")
        ]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="email_due_idx")]  # the sweeper

    def __str__(self) -> str:
        return f"{self.kind} → {self.to}"


class WorkerHeartbeat(models.Model):
    """The last time a Celery worker ran the ``worker_heartbeat`` task (``/api/health/``)."""

    hostname = models.CharField(primary_key=True, max_length=200)
    beat_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.hostname} @ {self.beat_at:%Y-%m-%d %H:%M:%S}"
