"""Tax rates per country (and region) and class; writes through ``taxes.services``."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest

from . import services
from .models import TaxRate
from .selectors import tax_region_clean


class TaxRateAdminForm(forms.ModelForm):
    class Meta:
        model = TaxRate
        fields = ["country", "region", "tax_class", "rate"]

    def clean(self) -> dict[str, Any]:
        data: dict[str, Any] = super().clean()  # type: ignore[assignment]  # ModelForm.clean() returns cleaned_data
        if self.errors:
            return data
        data["country"] = str(data["country"]).upper()
        data["region"] = tax_region_clean(data.get("region"))
        errors = services.tax_rate_errors(data, rate=self.instance if self.instance.pk else None)
        for field, problem in errors.items():
            self.add_error(field if field in self.fields else None, problem)
        return data

    def validate_unique(self) -> None:
        """The service's rule (one rate per country, region and class) says it with a message."""


@admin.register(TaxRate)
class TaxRateAdmin(admin.ModelAdmin):
    form = TaxRateAdminForm
    list_display = ["country", "region", "tax_class", "rate", "public_id"]
    list_filter = ["tax_class", "country"]
    search_fields = ["public_id", "country", "region"]

    def save_model(self, request: HttpRequest, obj: TaxRate, form: Any, change: bool) -> None:
        data = {name: form.cleaned_data[name] for name in ("country", "region", "tax_class", "rate")}
        if change:
            saved = services.tax_rate_update(rate=TaxRate.objects.get(pk=obj.pk), data=data)
        else:
            saved = services.tax_rate_create(**data)
        obj.pk, obj.public_id = saved.pk, saved.public_id
        obj._state.adding, obj._state.db = False, saved._state.db

    def delete_model(self, request: HttpRequest, obj: TaxRate) -> None:
        services.tax_rate_delete(rate=obj)

    def delete_queryset(self, request: HttpRequest, queryset: Any) -> None:
        for rate in queryset:
            services.tax_rate_delete(rate=rate)
