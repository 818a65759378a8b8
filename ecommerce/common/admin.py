from django.conf import settings
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.functional import lazy

from .email import failed_emails_resend
from .models import FailedEmail

# The admin names the shop (SHOP_NAME), read when a page is drawn, not at import.
admin.site.site_header = lazy(lambda: f"{settings.SHOP_NAME} administration", str)()
admin.site.site_title = lazy(lambda: f"{settings.SHOP_NAME} admin", str)()
admin.site.index_title = "Orders, catalog and customers"


@admin.register(FailedEmail)
class FailedEmailAdmin(admin.ModelAdmin):
    list_display = ["created_at", "to", "subject", "error", "attempts", "sent_at"]
    list_filter = [("sent_at", admin.EmptyFieldListFilter), "error"]
    search_fields = ["to", "subject"]
    fields = ["to", "subject", "error", "attempts", "created_at", "sent_at"]  # bodies may hold keys
    readonly_fields = fields  # type: ignore[assignment]  # django-stubs types ``fields`` as field groups
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
