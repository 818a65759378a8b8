"""Store managers with their API keys, and the read-only audit log of the inventory API."""

from __future__ import annotations

import json
from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.forms import ModelForm
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html

from .keys import manager_api_key_create, manager_api_key_revoke
from .models import AuditEvent, ManagerApiKey, StoreManager


class ManagerApiKeyInline(admin.TabularInline):
    """The manager's keys, read-only (issue and revoke them under "Manager API keys")."""

    model = ManagerApiKey
    fields = ("prefix", "name", "created_at", "last_used_at", "revoked_at")
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(StoreManager)
class StoreManagerAdmin(admin.ModelAdmin):
    list_display = ("external_id", "user", "created_at")
    search_fields = ("external_id", "user__email")
    raw_id_fields = ("user",)
    readonly_fields = ("created_at", "updated_at")
    inlines = [ManagerApiKeyInline]


@admin.register(ManagerApiKey)
class ManagerApiKeyAdmin(admin.ModelAdmin):
    """Issue keys ("Add": the plain key is shown once, on the page after saving) and revoke them
    (the "Revoke" action). Keys are never deleted, so the audit log's prefixes stay explained."""

    list_display = ("prefix", "manager", "name", "created_at", "last_used_at", "revoked_at")
    list_filter = (("revoked_at", admin.EmptyFieldListFilter), "created_at")
    search_fields = ("prefix", "manager__external_id", "name")
    autocomplete_fields = ("manager",)
    actions = ["revoke_keys"]

    def get_fields(self, request: HttpRequest, obj: ManagerApiKey | None = None) -> list[Any]:  # names
        if obj is None:
            return ["manager", "name"]
        return ["prefix", "manager", "name", "created_at", "last_used_at", "revoked_at"]

    def get_readonly_fields(self, request: HttpRequest, obj: ManagerApiKey | None = None) -> list[str]:
        if obj is None:
            return []
        return ["prefix", "manager", "created_at", "last_used_at", "revoked_at"]

    def save_model(self, request: HttpRequest, obj: ManagerApiKey, form: ModelForm, change: bool) -> None:
        if change:  # only the name can change
            super().save_model(request, obj, form, change)
            return
        issued = manager_api_key_create(manager_external_id=obj.manager.external_id, name=obj.name)
        for model_field in ManagerApiKey._meta.concrete_fields:  # the admin goes on with ``obj``
            setattr(obj, model_field.attname, getattr(issued.api_key, model_field.attname))
        obj._state.adding, obj._state.db = False, issued.api_key._state.db
        obj._plain_key = issued.plain_key  # type: ignore[attr-defined]  # for response_add only

    def response_add(
        self, request: HttpRequest, obj: ManagerApiKey, post_url_continue: Any = None
    ) -> HttpResponse:
        """Show the new key once, in this response only (never stored, not even in a message)."""
        plain_key = getattr(obj, "_plain_key", None)
        if plain_key is None:  # pragma: no cover - every add goes through save_model
            return super().response_add(request, obj, post_url_continue)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "api_key": obj,
            "plain_key": plain_key,
            "changelist_url": reverse("admin:inventory_managerapikey_changelist"),
        }
        response = TemplateResponse(request, "admin/inventory/api_key_issued.html", context)
        response["Cache-Control"] = "no-store"
        return response

    @admin.action(description="Revoke selected API keys")
    def revoke_keys(self, request: HttpRequest, queryset: QuerySet[ManagerApiKey]) -> None:
        prefixes = [key.prefix for key in queryset.filter(revoked_at__isnull=True)]
        for prefix in prefixes:
            manager_api_key_revoke(prefix=prefix)
        self.message_user(request, f"Revoked {len(prefixes)} key(s).", messages.SUCCESS)

    def has_delete_permission(self, request: HttpRequest, obj: ManagerApiKey | None = None) -> bool:
        return False


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
        "api_key_prefix",
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
    search_fields = ("request_id", "manager_external_id", "api_key_prefix", "order_public_id")
    date_hierarchy = "created_at"
    readonly_fields = (
        "created_at",
        "request_id",
        "manager_external_id",
        "api_key_prefix",
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
