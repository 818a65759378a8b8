"""Django admin for the catalog: search, filters (category, status, manager), stock at a glance,
category assignment, and bulk actions that go through the catalog services (restock uses the
stock ledger). Every change invalidates the cached catalog reads."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.db.models import Count, QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse

from orders.models import StockMovement, StockMovementReason

from . import services
from .cache import catalog_changed
from .models import Category, Product, ProductStatus


class StatusFilter(admin.SimpleListFilter):
    title = "status"
    parameter_name = "status"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return list(ProductStatus.choices)

    def queryset(self, request: HttpRequest, queryset: QuerySet[Product]) -> QuerySet[Product]:
        value = self.value()
        if value in ProductStatus.values:
            return queryset.with_status(value)  # type: ignore[attr-defined]
        return queryset


class RestockForm(forms.Form):
    quantity = forms.IntegerField(min_value=1, max_value=1_000_000, help_text="Units added to each product.")


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin):
    list_display = ["name", "public_id", "price", "quantity", "status_display", "manager", "updated_at"]
    list_filter = [StatusFilter, "categories", "manager"]
    list_select_related = ["manager"]
    search_fields = ["name", "public_id", "slug", "manager__external_id"]
    filter_horizontal = ["categories"]
    prepopulated_fields = {"slug": ("name",)}
    list_per_page = 50
    show_full_result_count = False
    actions = ["discontinue", "restock"]
    fields = [
        "public_id", "name", "slug", "description", "price", "quantity", "discontinued",
        "categories", "image_url", "manager", "created_at", "updated_at",
    ]  # fmt: skip

    def formfield_for_dbfield(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "image_url":
            kwargs["assume_scheme"] = "https"
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    def get_readonly_fields(self, request: HttpRequest, obj: Product | None = None) -> list[str]:
        readonly = ["public_id", "created_at", "updated_at"]
        if obj is not None:  # stock changes go through the ledger: use the "restock" action
            readonly.append("quantity")
        return readonly

    @admin.display(description="status")
    def status_display(self, obj: Product) -> str:
        return ProductStatus(obj.status).label

    def save_model(self, request: HttpRequest, obj: Product, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        if not change and obj.quantity:
            StockMovement.objects.create(
                product=obj, delta=obj.quantity, reason=StockMovementReason.ADJUSTMENT
            )
        catalog_changed()

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        catalog_changed()

    def delete_model(self, request: HttpRequest, obj: Product) -> None:
        services.product_delete(product=obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Product]) -> None:
        for product in queryset:
            services.product_delete(product=product)

    @admin.action(description="Discontinue selected products")
    def discontinue(self, request: HttpRequest, queryset: QuerySet[Product]) -> None:
        changed = services.product_discontinue_many(product_ids=list(queryset.values_list("pk", flat=True)))
        self.message_user(request, f"{changed} product(s) discontinued.", messages.SUCCESS)

    @admin.action(description="Restock selected products")
    def restock(self, request: HttpRequest, queryset: QuerySet[Product]) -> HttpResponse | None:
        form = RestockForm(request.POST if "apply" in request.POST else None)
        if form.is_valid():
            units = form.cleaned_data["quantity"]
            ids = list(queryset.values_list("pk", flat=True))
            services.product_restock(quantities=dict.fromkeys(ids, units))
            self.message_user(request, f"Added {units} unit(s) to {len(ids)} product(s).", messages.SUCCESS)
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": "Restock products",
            "opts": self.model._meta,
            "form": form,
            "products": queryset,
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/catalog/product/restock.html", context)


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "parent", "position", "product_count", "public_id"]
    list_filter = [("parent", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["parent"]
    search_fields = ["name", "slug", "public_id"]
    prepopulated_fields = {"slug": ("name",)}
    readonly_fields = ["public_id", "created_at", "updated_at"]
    fields = ["public_id", "name", "slug", "parent", "position", "created_at", "updated_at"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Category]:
        return super().get_queryset(request).annotate(product_total=Count("products"))

    @admin.display(description="products", ordering="product_total")
    def product_count(self, obj: Category) -> int:
        return obj.product_total  # type: ignore[attr-defined]

    def save_model(self, request: HttpRequest, obj: Category, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        catalog_changed()

    def delete_model(self, request: HttpRequest, obj: Category) -> None:
        services.category_delete(category=obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Category]) -> None:
        services.category_delete_many(category_ids=list(queryset.values_list("pk", flat=True)))
