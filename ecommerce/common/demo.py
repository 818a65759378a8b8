"""Helpers of the demo data (``seed_demo``)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.db.models import DateTimeField, Model


@contextmanager
def timestamps_as_given(*models: type[Model]) -> Iterator[None]:
    """Inside the block, ``bulk_create`` keeps the ``created_at``/``updated_at`` values set on
    the instances of ``models`` (``auto_now``/``auto_now_add`` would overwrite them with now):
    the demo history is written with the times it happened. Demo seeding only (it changes the
    fields for the whole process while the block runs)."""
    switched: list[tuple[DateTimeField, bool, bool]] = []
    for model in models:
        for field in model._meta.concrete_fields:
            if isinstance(field, DateTimeField) and (field.auto_now or field.auto_now_add):
                switched.append((field, field.auto_now, field.auto_now_add))
                field.auto_now = field.auto_now_add = False
    try:
        yield
    finally:
        for field, auto_now, auto_now_add in switched:
            field.auto_now, field.auto_now_add = auto_now, auto_now_add
