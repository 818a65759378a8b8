"""The outbox in the admin: read-only rows; dead (or stuck) events can be dispatched again."""

from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from .models import OutboxEvent
from .outbox import events_redispatch


@admin.register(OutboxEvent)
class OutboxEventAdmin(admin.ModelAdmin):
    list_display = ["id", "type", "occurred_at", "dispatched_at", "attempts", "dead_at", "last_error"]
    list_filter = [
        "type",
        ("dispatched_at", admin.EmptyFieldListFilter),
        ("dead_at", admin.EmptyFieldListFilter),
    ]
    search_fields = ["id"]
    fields = [
        "id",
        "type",
        "version",
        "occurred_at",
        "next_attempt_at",
        "relayed_at",
        "dispatched_at",
        "attempts",
        "dead_at",
        "last_error",
        "data",
    ]
    readonly_fields = fields  # type: ignore[assignment]  # django-stubs types ``fields`` as field groups
    actions = ["redispatch"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    @admin.action(description="Dispatch the selected events again", permissions=["view"])
    def redispatch(self, request: HttpRequest, queryset: QuerySet[OutboxEvent]) -> None:
        count = events_redispatch(ids=list(queryset.values_list("pk", flat=True)))
        self.message_user(request, f"{count} event(s) queued for dispatch.", messages.SUCCESS)
