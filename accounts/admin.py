"""Users in the Django admin, under one "Accounts" section.

allauth registers its own admin pages under a second "Accounts" (email addresses) and "Social
accounts" (provider apps, linked accounts, OAuth tokens). They are unregistered here: a user's
email addresses and linked social accounts are inlines of the user page, the providers are
configured from the environment (``SOCIALACCOUNT_PROVIDERS``), and OAuth tokens are secrets no
operator needs to read.
"""

from allauth.account.models import EmailAddress
from allauth.socialaccount.models import SocialAccount, SocialApp, SocialToken
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.http import HttpRequest

from .models import Address, User

for _third_party in (EmailAddress, SocialAccount, SocialApp, SocialToken):
    if admin.site.is_registered(_third_party):
        admin.site.unregister(_third_party)


class EmailAddressInline(admin.TabularInline):
    model = EmailAddress
    extra = 0
    fields = ["email", "verified", "primary"]


class SocialAccountInline(admin.TabularInline):
    model = SocialAccount
    extra = 0
    fields = ["provider", "uid", "last_login", "date_joined"]
    readonly_fields = ["provider", "uid", "last_login", "date_joined"]


class AddressInline(admin.TabularInline):
    """The address book, read-only: its rules (per-country validation, one default of each kind)
    live in ``accounts.services.addresses``, which the admin would bypass."""

    model = Address
    extra = 0
    can_delete = False
    readonly_fields = (
        "public_id",
        "name",
        "line1",
        "city",
        "postal_code",
        "country",
        "is_default_shipping",
        "is_default_billing",
    )
    fields = readonly_fields

    def has_add_permission(self, request: HttpRequest, obj: User | None = None) -> bool:
        return False


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ["-date_joined"]
    inlines = [EmailAddressInline, SocialAccountInline, AddressInline]
    list_display = ["email", "public_id", "role", "email_verified", "is_active", "date_joined"]
    list_filter = ["role", "email_verified", "is_active", "is_staff"]
    search_fields = ["email", "public_id", "first_name", "last_name"]
    readonly_fields = ["public_id", "date_joined", "last_login"]
    fieldsets = (
        (None, {"fields": ("public_id", "email", "password")}),
        ("Profile", {"fields": ("first_name", "last_name", "role", "email_verified")}),
        ("Permissions", {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")}),
        ("Dates", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "password1", "password2", "role")}),)
