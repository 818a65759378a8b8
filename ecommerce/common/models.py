"""Abstract base models shared by the apps."""

from django.db import models


class TimeStampedModel(models.Model):
    """``created_at`` / ``updated_at`` maintained by the database layer."""

    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True
