"""The outbox's hand-written statement: inserting the event rows, on checkout's hot path (two per
checkout). ``bench/statements.py`` measured it against ``bulk_create`` ("insert the outbox rows",
docs/benchmarks.md, issue #14). Built with ``ecommerce.common.sql`` from the model's metadata;
every value is adapted by its model field, as the ORM would."""

from __future__ import annotations

from collections.abc import Sequence

from ecommerce.common.sql import sql_insert_objects

from .models import OutboxEvent

# every column, the primary key too (an event id is made in Python: OutboxEvent.id's default)
_FIELDS = tuple(field.name for field in OutboxEvent._meta.concrete_fields)


def outbox_events_insert(rows: Sequence[OutboxEvent]) -> None:
    """Insert events built in memory in one statement (like ``bulk_create``)."""
    sql_insert_objects(rows, _FIELDS)
