"""Webhook endpoints (secret shown once, rotation, test event, active flag) and the delivery log
with manual redelivery. Writes go through ``webhooks.services``."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.forms import ModelForm
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html

from . import services
from .exceptions import EndpointInactive, EndpointInvalid
from .models import Delivery, DeliveryAttempt, Endpoint
from .targets import TargetRefused, url_check
from .types import ALL_EVENTS, EVENT_TYPES


class EndpointForm(forms.ModelForm):
    events = forms.MultipleChoiceField(
        choices=[(ALL_EVENTS, "Every event (*)"), *[(name, name) for name in EVENT_TYPES]],
        widget=forms.CheckboxSelectMultiple,
        help_text='"Every event" cannot be combined with single types.',
    )

    class Meta:
        model = Endpoint
        fields = ["url", "events", "description", "is_active"]

    def clean_url(self) -> str:
        url = str(self.cleaned_data["url"]).strip()
        try:
            url_check(url)
        except TargetRefused as exc:
            raise forms.ValidationError(exc.reason) from exc
        return url

    def clean_events(self) -> list[str]:
        try:
            return services.events_clean(self.cleaned_data["events"])
        except EndpointInvalid as exc:
            raise forms.ValidationError(exc.details.get("events", exc.message)) from exc


def _secret_page(
    request: HttpRequest, admin_site: admin.AdminSite, endpoints: list[Endpoint], title: str
) -> HttpResponse:
    """The secrets of ``endpoints``, in this response only (never in a message or a log)."""
    context = {
        **admin_site.each_context(request),
        "opts": Endpoint._meta,
        "title": title,
        "endpoints": endpoints,
        "changelist_url": reverse("admin:webhooks_endpoint_changelist"),
    }
    response = TemplateResponse(request, "admin/webhooks/endpoint_secret.html", context)
    response["Cache-Control"] = "no-store"
    return response


@admin.register(Endpoint)
class EndpointAdmin(admin.ModelAdmin):
    """Add: the secret is shown once, on the page after saving. Actions: rotate the secret (shown
    once), send a test (ping) event. Untick "active" to stop deliveries; ticking it again clears a
    disabling after failures."""

    form = EndpointForm
    list_display = (
        "public_id",
        "url",
        "events",
        "is_active",
        "consecutive_failures",
        "disabled_at",
        "created_at",
    )
    list_filter = ("is_active", ("disabled_at", admin.EmptyFieldListFilter))
    search_fields = ("public_id", "url", "description")
    readonly_fields = (
        "public_id",
        "consecutive_failures",
        "disabled_at",
        "disabled_reason",
        "deliveries_link",
        "created_at",
        "updated_at",
    )
    actions = ["rotate_secret", "send_test_event"]

    def get_fields(self, request: HttpRequest, obj: Endpoint | None = None) -> list[Any]:
        if obj is None:
            return ["url", "events", "description", "is_active"]
        return ["public_id", "url", "events", "description", "is_active", *self.readonly_fields[1:]]

    @admin.display(description="Deliveries")
    def deliveries_link(self, obj: Endpoint) -> str:
        url = reverse("admin:webhooks_delivery_changelist") + f"?endpoint__id__exact={obj.pk}"
        return format_html('<a href="{}">Delivery log</a>', url)

    def save_model(self, request: HttpRequest, obj: Endpoint, form: ModelForm, change: bool) -> None:
        data = {name: form.cleaned_data[name] for name in ("url", "events", "description", "is_active")}
        if change:
            saved = services.endpoint_update(endpoint=obj, data=data)
        else:
            saved = services.endpoint_create(**data)
        for model_field in Endpoint._meta.concrete_fields:  # the admin goes on with ``obj``
            setattr(obj, model_field.attname, getattr(saved, model_field.attname))
        obj._state.adding, obj._state.db = False, saved._state.db

    def response_add(
        self, request: HttpRequest, obj: Endpoint, post_url_continue: Any = None
    ) -> HttpResponse:
        return _secret_page(request, self.admin_site, [obj], "New webhook endpoint")

    @admin.action(description="Rotate the signing secret of the selected endpoints")
    def rotate_secret(self, request: HttpRequest, queryset: QuerySet[Endpoint]) -> HttpResponse:
        rotated = [services.endpoint_rotate_secret(endpoint=endpoint) for endpoint in queryset]
        return _secret_page(request, self.admin_site, rotated, "New webhook secrets")

    @admin.action(description="Send a test (ping) event to the selected endpoints")
    def send_test_event(self, request: HttpRequest, queryset: QuerySet[Endpoint]) -> None:
        sent = skipped = 0
        for endpoint in queryset:
            try:
                services.endpoint_send_test(endpoint=endpoint)
            except EndpointInactive:
                skipped += 1
            else:
                sent += 1
        level = messages.WARNING if skipped else messages.SUCCESS
        self.message_user(
            request, f"{sent} test event(s) queued; {skipped} inactive endpoint(s) skipped.", level
        )

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Endpoint]) -> None:
        for endpoint in queryset:
            services.endpoint_delete(endpoint=endpoint)

    def delete_model(self, request: HttpRequest, obj: Endpoint) -> None:
        services.endpoint_delete(endpoint=obj)


class DeliveryAttemptInline(admin.TabularInline):
    model = DeliveryAttempt
    fields = (
        "number",
        "started_at",
        "succeeded",
        "response_status",
        "duration_ms",
        "error",
        "response_excerpt",
    )
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    """The delivery log, read-only; the action "Redeliver" sends the selected ones again."""

    list_display = (
        "created_at",
        "public_id",
        "endpoint",
        "event_type",
        "event_id",
        "status",
        "attempt",
        "response_status",
        "duration_ms",
        "next_attempt_at",
    )
    list_filter = ("status", "event_type", "endpoint")
    search_fields = ("public_id", "event_id", "endpoint__public_id")
    date_hierarchy = "created_at"
    list_select_related = ("endpoint",)
    fields = (
        "public_id",
        "endpoint",
        "event_id",
        "event_type",
        "status",
        "attempt",
        "response_status",
        "duration_ms",
        "error",
        "response_excerpt",
        "next_attempt_at",
        "last_attempt_at",
        "created_at",
        "body",
    )
    readonly_fields = fields
    inlines = [DeliveryAttemptInline]
    actions = ["redeliver"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.action(description="Redeliver the selected deliveries")
    def redeliver(self, request: HttpRequest, queryset: QuerySet[Delivery]) -> None:
        queued, refused = services.deliveries_redeliver(deliveries=list(queryset))
        level = messages.WARNING if refused else messages.SUCCESS
        self.message_user(
            request, f"{queued} redelivery(ies) queued; {refused} refused (endpoint inactive).", level
        )
