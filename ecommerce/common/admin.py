from django.conf import settings
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.functional import lazy

from .email import emails_resend
from .models import Email, EmailStatus, WorkerHeartbeat

# The admin names the shop (SHOP_NAME), read when a page is drawn, not at import.
admin.site.site_header = lazy(lambda: f"{settings.SHOP_NAME} administration", str)()
admin.site.site_title = lazy(lambda: f"{settings.SHOP_NAME} admin", str)()
admin.site.index_title = "Orders, catalog and customers"


@admin.register(Email)
class EmailAdmin(admin.ModelAdmin):
    """Queued emails: the dead-letter list (filter status "dead") with each one's error, and
    the action that sends them again. Bodies and contexts are never shown (they may hold keys)."""

    list_display = ["created_at", "to", "kind", "status", "attempts", "last_error", "sent_at"]
    list_filter = ["status", "kind"]
    search_fields = ["to", "event_id"]
    fields = [
        "event_id",
        "to",
        "kind",
        "subject",
        "status",
        "attempts",
        "last_error",
        "created_at",
        "next_attempt_at",
        "sent_at",
    ]
    readonly_fields = fields  # type: ignore[assignment]  # django-stubs types ``fields`` as field groups
    actions = ["resend"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    @admin.action(description="Re-send the selected emails")
    def resend(self, request: HttpRequest, queryset: QuerySet[Email]) -> None:
        queued = emails_resend(ids=list(queryset.values_list("pk", flat=True)))
        sent = Email.objects.filter(pk__in=queued, status=EmailStatus.SENT).count()
        self.message_user(
            request,
            f"{len(queued)} email(s) queued for sending ({sent} sent already).",
            messages.SUCCESS if queued else messages.WARNING,
        )


@admin.register(WorkerHeartbeat)
class WorkerHeartbeatAdmin(admin.ModelAdmin):
    list_display = ["hostname", "beat_at"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
