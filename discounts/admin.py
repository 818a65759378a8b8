"""Vouchers (``used_count`` and the uses read-only: only orders change them) and promotions;
writes through ``discounts.services``."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.http import HttpRequest

from . import services
from .exceptions import VoucherInUse
from .models import Promotion, Voucher, VoucherUse
from .selectors import SCOPE_RELATIONS, voucher_code_clean

VOUCHER_FIELDS = [*services.VOUCHER_FIELDS]
PROMOTION_FIELDS = [*services.PROMOTION_FIELDS]


def _applies_to(data: dict[str, Any]) -> dict[str, list[str]]:
    return {relation: [obj.public_id for obj in data.get(relation) or []] for relation in SCOPE_RELATIONS}


def _form_errors(form: forms.ModelForm, errors: dict[str, str]) -> None:
    for key, problem in errors.items():
        field = key.split(".")[0]
        form.add_error(field if field in form.fields else None, problem)


class _ValueOptional(forms.ModelForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["value"].required = False  # free shipping has none
        self.fields["value"].help_text = "A percentage in (0, 100] or an amount; empty for free shipping."


class VoucherAdminForm(_ValueOptional):
    class Meta:
        model = Voucher
        fields = [*VOUCHER_FIELDS[:4], *SCOPE_RELATIONS, *VOUCHER_FIELDS[4:]]

    def clean(self) -> dict[str, Any]:
        data: dict[str, Any] = super().clean()  # type: ignore[assignment]  # ModelForm.clean() returns cleaned_data
        if self.errors:
            return data
        values = {name: data.get(name) for name in VOUCHER_FIELDS}
        values["code"] = voucher_code_clean(values["code"] or "")
        values["value"] = values["value"] if values["value"] is not None else 0
        _form_errors(
            self, services.voucher_errors(values, voucher=self.instance if self.instance.pk else None)
        )
        return data

    def validate_unique(self) -> None:
        """The service's rule (codes unique case-insensitively) says it with a message."""


class VoucherUseInline(admin.TabularInline):
    model = VoucherUse
    fields = ("order_ref", "user", "email", "created_at", "released_at")
    readonly_fields = ("order_ref", "user", "email", "created_at", "released_at")
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class _DiscountAdmin(admin.ModelAdmin):
    filter_horizontal = ["categories"]
    raw_id_fields = ["products", "variants"]

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        """The scope was saved by the service (``save_model``); only the inlines are left."""
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)


@admin.register(Voucher)
class VoucherAdmin(_DiscountAdmin):
    form = VoucherAdminForm
    inlines = [VoucherUseInline]
    list_display = ["code", "kind", "value", "used_count", "usage_limit", "is_active", "starts_at", "ends_at"]
    list_filter = ["kind", "is_active"]
    search_fields = ["code", "public_id"]
    readonly_fields = ["public_id", "used_count"]

    def save_model(self, request: HttpRequest, obj: Voucher, form: Any, change: bool) -> None:
        data = {name: form.cleaned_data.get(name) for name in VOUCHER_FIELDS}
        data["value"] = data["value"] if data["value"] is not None else 0
        data["applies_to"] = _applies_to(form.cleaned_data)
        if change:
            saved = services.voucher_update(voucher=obj, data=data)
        else:
            saved = services.voucher_create(data=data)
        obj.pk, obj.public_id, obj.code = saved.pk, saved.public_id, saved.code
        obj._state.adding, obj._state.db = False, saved._state.db

    def delete_model(self, request: HttpRequest, obj: Voucher) -> None:
        try:
            services.voucher_delete(voucher=obj)
        except VoucherInUse as error:
            self.message_user(request, error.message, messages.ERROR)

    def delete_queryset(self, request: HttpRequest, queryset: Any) -> None:
        for voucher in queryset:
            self.delete_model(request, voucher)


class PromotionAdminForm(_ValueOptional):
    class Meta:
        model = Promotion
        fields = [*PROMOTION_FIELDS[:4], *SCOPE_RELATIONS, *PROMOTION_FIELDS[4:]]

    def clean(self) -> dict[str, Any]:
        data: dict[str, Any] = super().clean()  # type: ignore[assignment]  # ModelForm.clean() returns cleaned_data
        if self.errors:
            return data
        values = {name: data.get(name) for name in PROMOTION_FIELDS}
        values["value"] = values["value"] if values["value"] is not None else 0
        _form_errors(self, services.discount_terms_errors(values))
        return data


@admin.register(Promotion)
class PromotionAdmin(_DiscountAdmin):
    form = PromotionAdminForm
    list_display = ["name", "kind", "value", "min_subtotal", "is_active", "starts_at", "ends_at"]
    list_filter = ["kind", "is_active"]
    search_fields = ["name", "public_id"]
    readonly_fields = ["public_id"]

    def save_model(self, request: HttpRequest, obj: Promotion, form: Any, change: bool) -> None:
        data = {name: form.cleaned_data.get(name) for name in PROMOTION_FIELDS}
        data["value"] = data["value"] if data["value"] is not None else 0
        data["applies_to"] = _applies_to(form.cleaned_data)
        if change:
            saved = services.promotion_update(promotion=obj, data=data)
        else:
            saved = services.promotion_create(data=data)
        obj.pk, obj.public_id = saved.pk, saved.public_id
        obj._state.adding, obj._state.db = False, saved._state.db

    def delete_model(self, request: HttpRequest, obj: Promotion) -> None:
        services.promotion_delete(promotion=obj)

    def delete_queryset(self, request: HttpRequest, queryset: Any) -> None:
        for promotion in queryset:
            services.promotion_delete(promotion=promotion)
