"""Shipping zones with their methods inline, and the "quote for a country" page, which prices an
order with the one function the checkout uses (``shipping.selectors.shipping_methods_available``).
Writes go through ``shipping.services``."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils.html import format_html

from ecommerce.common.countries import COUNTRY_CODES, country_name
from ecommerce.common.exceptions import ApplicationError

from . import services
from .models import REST_OF_WORLD, ShippingMethod, ShippingZone
from .selectors import shipping_methods_available


class ShippingZoneAdminForm(forms.ModelForm):
    countries = forms.CharField(
        help_text='ISO 3166-1 alpha-2 codes separated by commas or spaces (e.g. "DE, AT"), or "*" for '
        "the rest of the world. A country belongs to at most one zone."
    )

    class Meta:
        model = ShippingZone
        fields = ["name", "countries"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["countries"].initial = ", ".join(self.instance.countries)

    def clean_countries(self) -> list[str]:
        codes = [code for code in self.cleaned_data["countries"].replace(",", " ").split() if code]
        cleaned, errors = services.shipping_countries_errors(
            codes, zone=self.instance if self.instance.pk else None
        )
        if errors:
            raise forms.ValidationError(
                [
                    f"{codes[int(key.split('.')[1])]}: {problem}" if "." in key else problem
                    for key, problem in errors.items()
                ]
            )
        return cleaned


class ShippingMethodInlineForm(forms.ModelForm):
    tiers = forms.JSONField(
        required=False,
        initial=list,
        help_text='Tiered rates: [{"from": 50, "price": "3.90"}, …] in ascending "from" (a subtotal, or '
        "whole grams for weight tiers); [] for a flat rate.",
    )

    class Meta:
        model = ShippingMethod
        fields = ["name", "rate_type", "price", "tiers", "free_above", "min_days", "max_days", "is_active"]

    def clean(self) -> dict[str, Any]:
        data: dict[str, Any] = super().clean()  # type: ignore[assignment]  # ModelForm.clean() returns cleaned_data
        if self.errors or not self.has_changed():
            return data
        tiers = data.get("tiers") or []
        try:
            parsed = [{"from": Decimal(str(t["from"])), "price": Decimal(str(t["price"]))} for t in tiers]
        except (TypeError, KeyError, InvalidOperation):
            self.add_error("tiers", 'A list of {"from": number, "price": number}.')
            return data
        values, errors = services.shipping_method_errors({**data, "tiers": parsed})
        for key, problem in errors.items():
            field = key.split(".")[0]
            self.add_error(field if field in self.fields else None, f"{key}: {problem}")
        data["tiers"] = values["tiers"]
        return data


class ShippingMethodInline(admin.TabularInline):
    model = ShippingMethod
    form = ShippingMethodInlineForm
    extra = 1
    fields = ["name", "rate_type", "price", "tiers", "free_above", "min_days", "max_days", "is_active"]


class QuoteForm(forms.Form):
    country = forms.ChoiceField(choices=[(code, f"{code} ({country_name(code)})") for code in COUNTRY_CODES])
    region = forms.CharField(required=False)
    subtotal = forms.DecimalField(max_digits=12, decimal_places=2, min_value=0, initial=Decimal("50.00"))
    weight_grams = forms.IntegerField(min_value=0, initial=1000)


@admin.register(ShippingZone)
class ShippingZoneAdmin(admin.ModelAdmin):
    """A zone and its methods; every write through ``shipping.services``. The changelist links to
    the quote page: which methods ship to a country, at what price, for an order."""

    form = ShippingZoneAdminForm
    inlines = [ShippingMethodInline]
    list_display = ["name", "public_id", "countries_display", "method_count"]
    search_fields = ["name", "public_id", "country_rows__country"]
    readonly_fields = ["public_id", "quote_link"]
    fields = ["public_id", "name", "countries", "quote_link"]

    def get_queryset(self, request: HttpRequest) -> Any:
        return super().get_queryset(request).prefetch_related("country_rows", "methods")

    @admin.display(description="countries")
    def countries_display(self, obj: ShippingZone) -> str:
        codes = obj.countries
        return "rest of the world" if codes == [REST_OF_WORLD] else ", ".join(codes)

    @admin.display(description="methods")
    def method_count(self, obj: ShippingZone) -> int:
        return len(obj.methods.all())

    @admin.display(description="quote")
    def quote_link(self, obj: ShippingZone) -> str:
        if obj.pk is None:
            return "-"
        country = next((code for code in obj.countries if code != REST_OF_WORLD), "")
        url = reverse("admin:shipping_shippingzone_quote") + (f"?country={country}" if country else "")
        return format_html('<a href="{}">What ships to a country, at what price</a>', url)

    def get_urls(self) -> list[URLPattern]:
        quote = path(
            "quote/", self.admin_site.admin_view(self.quote_view), name="shipping_shippingzone_quote"
        )
        return [quote, *super().get_urls()]

    def quote_view(self, request: HttpRequest) -> HttpResponse:
        """Read-only: the methods ``shipping_methods_available`` offers for the form's order."""
        form = QuoteForm(request.GET or None)
        quotes = None
        if form.is_valid():
            data = form.cleaned_data
            quotes = shipping_methods_available(
                country=data["country"],
                region=data["region"] or None,
                subtotal=data["subtotal"],
                weight_grams=data["weight_grams"],
            )
        context = {
            **self.admin_site.each_context(request),
            "opts": ShippingZone._meta,
            "title": "Shipping quote for a country",
            "form": form,
            "quotes": quotes,
        }
        return TemplateResponse(request, "admin/shipping/quote.html", context)

    def save_model(self, request: HttpRequest, obj: ShippingZone, form: Any, change: bool) -> None:
        data = {"name": form.cleaned_data["name"], "countries": form.cleaned_data["countries"]}
        if change:
            saved = services.shipping_zone_update(zone=obj, data=data)
        else:
            saved = services.shipping_zone_create(**data)
        obj.pk, obj.public_id = saved.pk, saved.public_id
        obj._state.adding, obj._state.db = False, saved._state.db

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        """The methods through ``shipping.services`` (create, update, delete)."""
        zone = form.instance
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        for inline in formset.forms:
            instance = inline.instance
            try:
                if inline in formset.deleted_forms:
                    if instance.pk:
                        services.shipping_method_delete(method=instance)
                        formset.deleted_objects.append(instance)
                    continue
                if not inline.has_changed():
                    continue
                data = {name: inline.cleaned_data[name] for name in ShippingMethodInlineForm.Meta.fields}
                if instance.pk is None:
                    formset.new_objects.append(services.shipping_method_create(zone=zone, data=data))
                else:
                    services.shipping_method_update(method=instance, data=data)
                    formset.changed_objects.append((instance, list(inline.changed_data)))
            except ApplicationError as error:
                self.message_user(
                    request, f"Method not saved: {error.message} {error.details}", messages.ERROR
                )

    def delete_model(self, request: HttpRequest, obj: ShippingZone) -> None:
        services.shipping_zone_delete(zone=obj)

    def delete_queryset(self, request: HttpRequest, queryset: Any) -> None:
        for zone in queryset:
            services.shipping_zone_delete(zone=zone)
