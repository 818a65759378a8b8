"""Abstract base models shared by the apps."""

from django.db import models


class TimeStampedModel(models.Model):
    """``created_at`` / ``updated_at`` maintained by the database layer."""

    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class FailedEmail(models.Model):
    """An email whose sending failed; re-sent by ``resend_failed_emails`` or the admin."""

    to = models.EmailField()
    subject = models.CharField(max_length=255)
    text = models.TextField()
    html = models.TextField(blank=True)
    error = models.CharField(max_length=200, blank=True)
    attempts = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.subject} → {self.to}"
