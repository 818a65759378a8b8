"""Store managers, and the read-only audit log of the inventory API."""

from __future__ import annotations

import json

from django.contrib import admin
from django.http import HttpRequest
from django.utils.html import format_html

from .models import AuditEvent, StoreManager


@admin.register(StoreManager)
class StoreManagerAdmin(admin.ModelAdmin):
    list_display = ("external_id", "user", "created_at")
    search_fields = ("external_id", "user__email")
    raw_id_fields = ("user",)
    readonly_fields = ("created_at", "updated_at")


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """Read-only: audit rows are written by the API only and never edited."""

    list_display = (
        "created_at",
        "method",
        "path",
        "status_code",
        "error_code",
        "manager_external_id",
        "duration_ms",
        "client_ip",
        "request_id",
    )
    list_filter = (
        ("manager_external_id", admin.AllValuesFieldListFilter),
        ("path", admin.AllValuesFieldListFilter),
        "status_code",
        "created_at",
    )
    search_fields = ("request_id", "manager_external_id", "order_public_id")
    date_hierarchy = "created_at"
    readonly_fields = (
        "created_at",
        "request_id",
        "manager_external_id",
        "client_ip",
        "method",
        "path",
        "status_code",
        "error_code",
        "duration_ms",
        "order_public_id",
        "changes_pretty",
    )
    exclude = ("changes",)

    @admin.display(description="changes (before → after)")
    def changes_pretty(self, obj: AuditEvent) -> str:
        return format_html("<pre>{}</pre>", json.dumps(obj.changes, indent=2, ensure_ascii=False))

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: AuditEvent | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: AuditEvent | None = None) -> bool:
        return False
