from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from .email import failed_emails_resend
from .models import FailedEmail


@admin.register(FailedEmail)
class FailedEmailAdmin(admin.ModelAdmin):
    list_display = ["created_at", "to", "subject", "error", "attempts", "sent_at"]
    list_filter = [("sent_at", admin.EmptyFieldListFilter), "error"]
    search_fields = ["to", "subject"]
    fields = ["to", "subject", "error", "attempts", "created_at", "sent_at"]  # bodies may hold keys
    readonly_fields = fields
    actions = ["resend"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    @admin.action(description="Re-send the selected emails")
    def resend(self, request: HttpRequest, queryset: QuerySet[FailedEmail]) -> None:
        sent, failing = failed_emails_resend(ids=list(queryset.values_list("pk", flat=True)))
        self.message_user(
            request,
            f"{sent} email(s) sent, {failing} still failing.",
            messages.WARNING if failing else messages.SUCCESS,
        )
