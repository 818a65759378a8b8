"""Django admin for the catalog: search, filters (category, status, manager), stock at a glance,
category assignment, and bulk actions. Every write goes through a service: products and
categories through ``catalog.services``, stock through the stock service (``catalog.stock``:
the product page's "Change stock by" with a reason and a note, the bulk restock), each change
written to the stock ledger. Categories are listed as a tree. Every change invalidates the
cached catalog reads (the services do it)."""

from __future__ import annotations

import secrets
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.views.main import ORDER_VAR, ChangeList
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.db.models import Case, Count, IntegerField, QuerySet, Value, When
from django.http import HttpRequest, HttpResponse, HttpResponseBase, StreamingHttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.http import urlencode

from ecommerce.common.exceptions import ApplicationError, InvalidRequest

from . import csv_io, selectors, services
from .attributes import (
    attribute_create,
    attribute_definition_errors,
    attribute_delete,
    attribute_update,
    attribute_values_clean,
)
from .images import image_normalise
from .media import media_url
from .models import (
    Attribute,
    Category,
    Product,
    ProductImage,
    ProductStatus,
    ProductVariant,
    StockMovement,
    StockMovementReason,
)
from .selectors import CategoryNode, category_tree
from .stock import stock_adjust


class StatusFilter(admin.SimpleListFilter):
    title = "status"
    parameter_name = "status"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return list(ProductStatus.choices)

    def queryset(self, request: HttpRequest, queryset: QuerySet[Product]) -> QuerySet[Product]:
        value = self.value()
        if value in ProductStatus.values:
            return queryset.with_status(value)  # type: ignore[attr-defined]  # Product's changelist queryset is a ProductQuerySet
        return queryset


class RestockForm(forms.Form):
    quantity = forms.IntegerField(min_value=1, max_value=1_000_000, help_text="Units added to each product.")


STOCK_REASONS = [
    ("", "---------"),
    (StockMovementReason.RESTOCK.value, "Restock: a delivery arrived"),
    (StockMovementReason.ADJUSTMENT.value, "Adjustment: stock count, damage, loss, return"),
]


class ProductAdminForm(forms.ModelForm):
    """The product form plus, on an existing product, a stock change with its reason and note
    (applied by the stock service after the product is saved; quantity itself is read-only)."""

    quantity = forms.IntegerField(
        required=False,
        min_value=0,
        max_value=2_147_483_647,
        help_text="Opening stock of the product's (default) variant.",
    )
    stock_change = forms.IntegerField(
        required=False,
        min_value=-1_000_000,
        max_value=1_000_000,
        label="Change stock by",
        help_text="Units to add (12) or remove (-3). Leave empty to keep the stock as it is.",
    )
    stock_reason = forms.ChoiceField(choices=STOCK_REASONS, required=False, label="Reason")
    stock_note = forms.CharField(
        max_length=255,
        required=False,
        label="Note",
        help_text="Written to the stock ledger with the change, e.g. a delivery note number.",
    )

    class Meta:
        model = Product
        fields = ["name", "slug", "price"]  # the admin's get_form() passes the full list

    def clean(self) -> dict[str, Any]:
        data: dict[str, Any] = super().clean()  # type: ignore[assignment]  # ModelForm.clean() returns cleaned_data
        change = data.get("stock_change")
        if change:
            if not data.get("stock_reason"):
                self.add_error("stock_reason", "Say why the stock changes.")
            elif data["stock_reason"] == StockMovementReason.RESTOCK and change < 0:
                self.add_error("stock_change", "A restock adds units; use an adjustment to remove some.")
            if not data.get("stock_note", "").strip():
                self.add_error("stock_note", "A note is required with a stock change.")
            if self.instance.pk is not None and self.instance.variants.count() > 1:
                self.add_error("stock_change", "This product has several variants: change their stock each.")
            elif self.instance.pk is not None and self.instance.quantity + change < 0:
                self.add_error("stock_change", f"Only {self.instance.quantity} unit(s) in stock.")
        return data

    def clean_attributes(self) -> dict[str, Any]:
        """Values of defined attributes only, of their type (the service's own check)."""
        try:
            return attribute_values_clean(self.cleaned_data.get("attributes") or {}, field="attributes")
        except InvalidRequest as invalid:
            raise forms.ValidationError("; ".join(f"{k}: {v}" for k, v in invalid.details.items())) from None


PRODUCT_SERVICE_FIELDS = ("name", "slug", "description", "price", "image_url", "discontinued", "attributes")
VARIANT_SERVICE_FIELDS = (
    "sku", "options", "price", "compare_at_price", "weight_grams", "is_active", "position", "tax_class",
    "attributes",
)  # fmt: skip


class VariantInlineForm(forms.ModelForm):
    """A variant row, plus its own "Change stock by" (the stock service writes the ledger row:
    ``restock`` for units added, ``adjustment`` for units removed)."""

    stock_change = forms.IntegerField(
        required=False, min_value=-1_000_000, max_value=1_000_000, label="Change stock by"
    )

    class Meta:
        model = ProductVariant
        fields = list(VARIANT_SERVICE_FIELDS)


class VariantInline(admin.TabularInline):
    """The product's variants on its page. Every write goes through the catalog services
    (validated with the siblings: options, SKUs) and stock through ``catalog.stock``."""

    model = ProductVariant
    form = VariantInlineForm
    extra = 0
    fields = ["sku", "options", "price", "compare_at_price", "quantity", "stock_change", "is_active", "position", "tax_class", "weight_grams", "attributes"]  # fmt: skip
    readonly_fields = ["quantity"]
    show_change_link = False


class ProductImageInlineForm(forms.ModelForm):
    """A new image is a file checked by Pillow like an upload through the API; an existing one
    keeps its file (alt text and position change)."""

    class Meta:
        model = ProductImage
        fields = ["file", "alt", "position"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["position"].required = False
        self.fields["position"].help_text = "Lowest first; empty: after the last image."
        if self.instance.pk:
            self.fields["file"].disabled = True

    def clean_file(self) -> Any:
        upload = self.cleaned_data.get("file")
        if upload is not None and not self.instance.pk:
            if upload.size > settings.IMAGE_MAX_BYTES:
                raise forms.ValidationError(f"At most {settings.IMAGE_MAX_BYTES} bytes.")
            try:
                image_normalise(upload, max_pixels=settings.IMAGE_MAX_PIXELS)
            except ApplicationError as error:
                raise forms.ValidationError(
                    f"{error.message} ({'; '.join(map(str, error.details.values()))})"
                ) from None
            upload.seek(0)
        return upload


class ProductImageInline(admin.TabularInline):
    """Images with thumbnails, in position order; saved through the image services
    (``ProductAdmin.save_formset``)."""

    model = ProductImage
    form = ProductImageInlineForm
    fields = ["thumbnail", "file", "alt", "position", "size", "renditions_made"]
    readonly_fields = ["thumbnail", "size", "renditions_made"]
    ordering = ["position", "id"]
    extra = 0

    @admin.display(description="image")
    def thumbnail(self, obj: ProductImage) -> str:
        if not obj.pk or not obj.file.name:
            return "-"
        smallest = min(obj.renditions or [], key=lambda r: r["width"], default=None)
        return format_html(
            '<img src="{}" alt="{}" style="max-width: 96px; max-height: 96px">',
            media_url(smallest["name"] if smallest else obj.file.name),
            obj.alt,
        )

    @admin.display(description="pixels")
    def size(self, obj: ProductImage) -> str:
        return f"{obj.width} × {obj.height}" if obj.pk else "-"

    @admin.display(description="renditions")
    def renditions_made(self, obj: ProductImage) -> int:
        return len(obj.renditions or [])


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin):
    form = ProductAdminForm
    inlines = [ProductImageInline]
    list_display = ["name", "public_id", "price", "quantity", "status_display", "manager", "updated_at"]
    list_filter = [StatusFilter, "categories", "manager"]
    list_select_related = ["manager"]
    search_fields = ["name", "public_id", "slug", "manager__external_id"]
    filter_horizontal = ["categories"]
    prepopulated_fields = {"slug": ("name",)}
    list_per_page = 50
    show_full_result_count = False
    actions = ["discontinue", "restock", "export_csv"]
    change_list_template = "admin/catalog/product/change_list.html"
    fields = [
        "public_id", "name", "slug", "description", "price", "quantity", "discontinued",
        "categories", "image_url", "attributes", "manager", "created_at", "updated_at",
    ]  # fmt: skip
    stock_fields = ["quantity", "stock_change", "stock_reason", "stock_note", "stock_ledger"]

    def get_fieldsets(self, request: HttpRequest, obj: Product | None = None) -> Any:
        if obj is None:  # a new product: its initial quantity is a plain field
            return [(None, {"fields": self.fields})]
        main = [name for name in self.fields if name != "quantity"]
        return [
            (None, {"fields": main}),
            (
                "Stock",
                {"fields": self.stock_fields, "description": "Every change is written to the stock ledger."},
            ),
        ]

    def formfield_for_dbfield(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "image_url":
            kwargs["assume_scheme"] = "https"
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    def get_readonly_fields(self, request: HttpRequest, obj: Product | None = None) -> list[str]:
        readonly = ["public_id", "created_at", "updated_at"]
        if obj is not None:  # stock changes go through the stock service: "Change stock by"
            readonly += ["quantity", "stock_ledger"]
        if obj is not None and obj.options:  # the lowest variant price: set per variant below
            readonly += ["price"]
        return readonly

    def get_inlines(self, request: HttpRequest, obj: Product | None = None) -> list[Any]:
        # a new product gets its default variant; its variants are edited once it exists
        return [VariantInline, *self.inlines] if obj is not None else list(self.inlines)

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        """Variants and images through their services (``_variants_save``, ``_images_save``)."""
        if formset.model is ProductVariant:
            self._variants_save(request, form, formset)
        elif formset.model is ProductImage:
            self._images_save(request, form, formset)
        else:
            super().save_formset(request, form, formset, change)

    def _variants_save(self, request: HttpRequest, form: Any, formset: Any) -> None:
        """The variants through the services: create, update (its fields, then its stock change
        through ``stock_adjust``), delete (deactivated when orders reference it)."""
        product = form.instance
        # what the admin's change message lists (ModelFormSet.save() would set these)
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        for inline in formset.forms:
            if not inline.has_changed() and not (inline.instance.pk and inline in formset.deleted_forms):
                continue
            data = inline.cleaned_data
            try:
                if inline in formset.deleted_forms:
                    if inline.instance.pk:
                        services.variant_delete(variant=inline.instance)
                        formset.deleted_objects.append(inline.instance)
                    continue
                fields = {name: data[name] for name in VARIANT_SERVICE_FIELDS if name in inline.changed_data}
                if inline.instance.pk is None:
                    variant = services.variant_create(product=product, data=fields)
                    formset.new_objects.append(variant)
                else:
                    variant = inline.instance
                    if fields:
                        variant = services.variant_update(variant=variant, data=fields)
                        formset.changed_objects.append((variant, list(fields)))
                change_by = data.get("stock_change")
                if change_by:
                    reason = StockMovementReason.RESTOCK if change_by > 0 else StockMovementReason.ADJUSTMENT
                    stock_adjust(
                        variant_id=variant.pk, delta=change_by, reason=reason, note=f"admin: {request.user}"
                    )
            except ApplicationError as error:
                self.message_user(
                    request, f"Variant not saved: {error.message} {error.details}", messages.ERROR
                )

    @admin.display(description="recent stock movements")
    def stock_ledger(self, obj: Product) -> str:
        rows = list(
            StockMovement.objects.filter(product=obj)
            .select_related("order")
            .order_by("-created_at", "-id")[:10]
        )
        if not rows:
            return "-"
        body = format_html_join(
            "",
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            (
                (
                    row.created_at.strftime("%Y-%m-%d %H:%M"),
                    f"{row.delta:+d}",
                    row.get_reason_display(),
                    row.note,
                    row.order.public_id if row.order else "",
                )
                for row in rows
            ),
        )
        ledger = reverse("admin:catalog_stockmovement_changelist") + "?" + urlencode({"q": obj.public_id})
        return format_html(
            '<table class="stock-ledger"><thead><tr><th>when</th><th>change</th><th>reason</th>'
            "<th>note</th><th>order</th></tr></thead><tbody>{}</tbody></table>"
            '<p><a href="{}">The whole ledger of this product</a></p>',
            body,
            ledger,
        )

    @admin.display(description="status")
    def status_display(self, obj: Product) -> str:
        return ProductStatus(obj.status).label

    def save_model(self, request: HttpRequest, obj: Product, form: Any, change: bool) -> None:
        """Through the services: ``product_create`` (initial stock in the ledger) or
        ``product_update`` (the changed fields, under a row lock: the stock is never written
        back), then ``stock_adjust`` for a stock change."""
        data = form.cleaned_data
        manager = data.get("manager")
        if not change:
            created = services.product_create(
                name=data["name"],
                slug=data["slug"],
                price=data["price"],
                quantity=data.get("quantity") or 0,
                description=data.get("description", ""),
                categories=[category.public_id for category in data.get("categories", [])],
                image_url=data.get("image_url", ""),
                manager_id=manager.external_id if manager else None,
                discontinued=data.get("discontinued", False),
                attributes=data.get("attributes") or {},
            )
            obj.pk = created.pk
            obj._state.adding = False
            obj.refresh_from_db()
            return
        changed = {name: data[name] for name in PRODUCT_SERVICE_FIELDS if name in form.changed_data}
        if "manager" in form.changed_data:
            changed["manager_id"] = manager.external_id if manager else None
        if changed:
            updated = services.product_update(product=obj, data=changed)
            obj.slug, obj.updated_at = updated.slug, updated.updated_at
        if data.get("stock_change"):
            try:
                obj.quantity = stock_adjust(
                    variant_id=obj.variants.values_list("pk", flat=True).get(),
                    delta=data["stock_change"],
                    reason=data["stock_reason"],
                    note=data["stock_note"].strip(),
                )
            except ApplicationError as error:  # e.g. a checkout took the units meanwhile
                self.message_user(
                    request, f"Stock not changed: {error.message} {error.details}", messages.ERROR
                )
            else:
                self.message_user(
                    request,
                    f"Stock changed by {data['stock_change']:+d}: now {obj.quantity}.",
                    messages.SUCCESS,
                )

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        if change and "categories" in form.changed_data:  # product_create filed a new one
            services.product_update(
                product=form.instance,
                data={"categories": [category.public_id for category in form.cleaned_data["categories"]]},
            )
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)

    def _images_save(self, request: HttpRequest, form: Any, formset: Any) -> None:
        """Images through the image services: deleted, changed (alt, position) or added (Pillow's
        checks, renditions in the background)."""
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []  # the history
        for image_form in formset.forms:
            image = image_form.instance
            if image_form in formset.deleted_forms:
                if image.pk:
                    services.product_image_delete(image=image)
                    formset.deleted_objects.append(image)
            elif image.pk:
                data = {name: image_form.cleaned_data[name] for name in ("alt", "position")}
                if image_form.has_changed() and data["position"] is not None:
                    services.product_image_update(image=image, data=data)
                    formset.changed_objects.append((image, image_form.changed_data))
            elif image_form.has_changed() and image_form.cleaned_data.get("file"):
                upload = image_form.cleaned_data["file"]
                added = services.product_image_add(
                    product=form.instance,
                    upload=upload,
                    size=upload.size,
                    alt=image_form.cleaned_data.get("alt") or "",
                    position=image_form.cleaned_data.get("position"),
                )
                formset.new_objects.append(added)

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
            variants: dict[int, list[int]] = {}
            for product_id, variant_id in ProductVariant.objects.filter(product__in=queryset).values_list(
                "product_id", "pk"
            ):
                variants.setdefault(product_id, []).append(variant_id)
            # a product's one variant; a product with several is restocked per variant on its page
            single = {ids[0]: units for ids in variants.values() if len(ids) == 1}
            if single:
                services.product_restock(quantities=single)
                self.message_user(
                    request, f"Added {units} unit(s) to {len(single)} product(s).", messages.SUCCESS
                )
            several = len(variants) - len(single)
            if several:
                self.message_user(
                    request,
                    f"{several} product(s) with several variants not restocked: change their variants' "
                    "stock on the product's page.",
                    messages.WARNING,
                )
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

    # --- CSV export and import (catalog.csv_io; the same service as the API) ---------------

    def get_urls(self) -> list[Any]:
        view = self.admin_site.admin_view
        return [
            path("export-csv/", view(self.export_csv_view), name="catalog_product_export_csv"),
            path("import-csv/", view(self.import_csv_view), name="catalog_product_import_csv"),
            *super().get_urls(),
        ]

    @admin.action(description="Export selected products as CSV")
    def export_csv(self, request: HttpRequest, queryset: QuerySet[Product]) -> HttpResponseBase:
        return _csv_response(selectors.products_for_export(product_ids=queryset.values("pk")))

    def export_csv_view(self, request: HttpRequest) -> HttpResponseBase:
        """Every product as CSV (the changelist's "Export CSV" button)."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        return _csv_response(selectors.products_for_export())

    def import_csv_view(self, request: HttpRequest) -> HttpResponse:
        """Upload a CSV → a preview (what would change, errors by line; nothing written) →
        "Import" commits it, all or nothing. Between the two steps the file waits in the cache
        for ``IMPORT_PENDING_SECONDS``, under a random token bound to the user."""
        if not (self.has_add_permission(request) and self.has_change_permission(request)):
            raise PermissionDenied
        form = CsvImportForm()
        context: dict[str, Any] = {
            **self.admin_site.each_context(request),
            "title": "Import products from CSV",
            "opts": self.model._meta,
            "columns": csv_io.COLUMNS,
            "required": csv_io.REQUIRED_COLUMNS,
        }
        if request.method == "POST" and "token" in request.POST:
            token = request.POST["token"]
            key = _pending_key(request, token)
            content = cache.get(key)
            if content is None:
                self.message_user(request, "The preview has expired: upload the file again.", messages.ERROR)
            else:
                try:
                    plan = services.products_csv_import(content=content, commit=True)
                except ApplicationError as error:
                    context["errors"] = error.details.get("errors") or [
                        {"line": 0, "field": "", "message": error.message}
                    ]
                else:
                    cache.delete(key)
                    summary = ", ".join(f"{n} {k.replace('_', ' ')}" for k, n in plan.summary().items())
                    self.message_user(request, f"Imported: {summary}.", messages.SUCCESS)
                    return redirect("admin:catalog_product_changelist")
        elif request.method == "POST":
            form = CsvImportForm(request.POST, request.FILES)
            if form.is_valid():
                content = form.cleaned_data["file"].read()
                try:
                    plan = services.products_csv_import(content=content, commit=False)
                except ApplicationError as error:
                    form.add_error("file", error.details.get("file") or error.message)
                else:
                    context.update(_preview_context(plan))
                    if plan.valid:
                        token = secrets.token_urlsafe(24)
                        cache.set(_pending_key(request, token), content, IMPORT_PENDING_SECONDS)
                        context["token"] = token
        context["form"] = form
        return TemplateResponse(request, "admin/catalog/product/import_csv.html", context)


IMPORT_PENDING_SECONDS = 30 * 60
PREVIEW_ROWS = 500  # variant rows listed on the preview page


class CsvImportForm(forms.Form):
    file = forms.FileField(help_text="UTF-8 CSV, one row per variant (the export's columns).")

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        limit: int = settings.CATALOG_IMPORT_MAX_BYTES
        if upload.size > limit:
            raise forms.ValidationError(f"The file is larger than {limit} bytes.")
        return upload


def _pending_key(request: HttpRequest, token: str) -> str:
    return f"catalog:csv-import:{request.user.pk}:{token}"


def _csv_response(products: Any) -> StreamingHttpResponse:
    response = StreamingHttpResponse(csv_io.export_rows(products), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="products.csv"'
    return response


def _preview_context(plan: csv_io.ImportPlan) -> dict[str, Any]:
    """The preview page's tables: the summary, the errors, the first variant rows."""
    rows = []
    for item in plan.products:
        for variant in item.variants:
            if variant.variant is None:
                action = "create"
            elif variant.changed or variant.stock_delta:
                action = "update"
            else:
                action = "unchanged"
            rows.append(
                {
                    "line": variant.line,
                    "product": item.values["name"],
                    "sku": variant.values["sku"],
                    "action": action,
                    "changed": ", ".join(sorted(variant.changed)),
                    "stock_delta": variant.stock_delta,
                }
            )
    rows.sort(key=lambda r: r["line"])
    return {
        "summary": plan.summary(),
        "errors": [e.as_dict() for e in plan.errors],
        "rows": rows[:PREVIEW_ROWS],
        "rows_more": max(0, len(rows) - PREVIEW_ROWS),
        "previewed": True,
    }


@admin.register(StockMovement)
class StockMovementAdmin(admin.ModelAdmin):
    """The stock ledger, read-only (written only by ``catalog.stock``)."""

    list_display = ["created_at", "product", "delta", "reason", "note", "order"]
    list_filter = ["reason", ("created_at", admin.DateFieldListFilter)]
    search_fields = ["product__public_id", "product__name", "order__public_id"]
    list_select_related = ["product", "order"]
    readonly_fields = ["created_at", "product", "delta", "reason", "note", "order"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: StockMovement | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: StockMovement | None = None) -> bool:
        return False


def _tree_rows() -> list[tuple[str, int]]:
    """Every category as ``(public id, depth)`` in tree order: each parent, then its children
    by (position, name), depth first. One query (``catalog.selectors.category_tree``)."""
    rows: list[tuple[str, int]] = []
    stack: list[tuple[CategoryNode, int]] = [(root, 0) for root in reversed(category_tree())]
    while stack:
        node, depth = stack.pop()
        rows.append((node.id, depth))
        stack.extend((child, depth + 1) for child in reversed(node.children))
    return rows


class CategoryTreeChangeList(ChangeList):
    """The category list in tree order unless a column header asks for another."""

    def get_ordering(self, request: HttpRequest, queryset: QuerySet[Category]) -> list[Any]:
        if ORDER_VAR in self.params:
            return super().get_ordering(request, queryset)
        return ["tree_order", "id"]


class CategoryAdminForm(forms.ModelForm):
    class Meta:
        model = Category
        fields = ["name", "slug", "parent", "position"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        parent = self.fields.get("parent")
        if parent is not None and self.instance.pk is not None:
            # the category itself and its sub-tree cannot become its parent (no cycles)
            below = {self.instance.public_id}
            rows = _tree_rows()
            start = next(i for i, (public_id, _) in enumerate(rows) if public_id == self.instance.public_id)
            for public_id, depth in rows[start + 1 :]:
                if depth <= rows[start][1]:
                    break
                below.add(public_id)
            parent.queryset = parent.queryset.exclude(public_id__in=below)  # type: ignore[attr-defined]  # a ModelChoiceField (FK)


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    """Categories as a tree: ordered by tree path (each parent followed by its sub-tree) and
    indented by depth. Writes go through ``catalog.services`` (no cycles, children re-parented
    on delete)."""

    form = CategoryAdminForm
    list_display = ["tree_name", "slug", "parent", "position", "product_count", "public_id"]
    list_filter = [("parent", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["parent"]
    search_fields = ["name", "slug", "public_id"]
    prepopulated_fields = {"slug": ("name",)}
    readonly_fields = ["public_id", "created_at", "updated_at"]
    fields = ["public_id", "name", "slug", "parent", "position", "created_at", "updated_at"]
    list_per_page = 200

    class Media:
        css = {"all": ["catalog/admin/categories.css"]}

    def get_queryset(self, request: HttpRequest) -> QuerySet[Category]:
        rows = _tree_rows()
        self._depths = dict(rows)
        tree_order = Case(
            *[When(public_id=public_id, then=Value(index)) for index, (public_id, _) in enumerate(rows)],
            default=Value(len(rows)),
            output_field=IntegerField(),
        )
        # not super().get_queryset(): it would order by get_ordering() before the annotation
        return Category._default_manager.annotate(
            product_total=Count("products"), tree_order=tree_order if rows else Value(0)
        ).order_by("tree_order", "id")

    def get_changelist(self, request: HttpRequest, **kwargs: Any) -> type[ChangeList]:
        return CategoryTreeChangeList

    @admin.display(description="name", ordering="tree_order")
    def tree_name(self, obj: Category) -> str:
        depth = getattr(self, "_depths", {}).get(obj.public_id, 0)
        marker = "└ " if depth else ""
        return format_html('<span class="category-depth-{}">{}{}</span>', min(depth, 8), marker, obj.name)

    @admin.display(description="products", ordering="product_total")
    def product_count(self, obj: Category) -> int:
        return obj.product_total  # type: ignore[attr-defined]  # annotated by get_queryset()

    def save_model(self, request: HttpRequest, obj: Category, form: Any, change: bool) -> None:
        data = form.cleaned_data
        parent = data.get("parent")
        if change:
            services.category_update(
                category=obj,
                data={
                    "name": data["name"],
                    "slug": data["slug"],
                    "parent": parent.public_id if parent else None,
                    "position": data.get("position") or 0,
                },
            )
            return
        created = services.category_create(
            name=data["name"],
            slug=data["slug"],
            parent=parent.public_id if parent else None,
            position=data.get("position") or 0,
        )
        obj.pk = created.pk
        obj._state.adding = False
        obj.refresh_from_db()

    def delete_model(self, request: HttpRequest, obj: Category) -> None:
        services.category_delete(category=obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Category]) -> None:
        services.category_delete_many(category_ids=list(queryset.values_list("pk", flat=True)))


# --- attributes ----------------------------------------------------------------------------


class AttributeAdminForm(forms.ModelForm):
    """An attribute definition, checked as the service checks it (choices only for choice
    attributes, a unit only for numbers; slug, type and used choices kept while products use it)."""

    class Meta:
        model = Attribute
        fields = ["slug", "name", "type", "unit", "choices", "filterable", "position"]

    def clean(self) -> dict[str, Any]:
        data: dict[str, Any] = super().clean()  # type: ignore[assignment]  # ModelForm.clean() returns cleaned_data
        data["choices"] = list(data.get("choices") or [])
        original = Attribute.objects.get(pk=self.instance.pk) if self.instance.pk else Attribute()
        changes = {name: data[name] for name in self.Meta.fields if name in data}
        for field, message in attribute_definition_errors(original, changes=changes).items():
            self.add_error(field if field in self.fields else None, message)
        return data


@admin.register(Attribute)
class AttributeAdmin(admin.ModelAdmin):
    """Attribute definitions; every write through ``catalog.attributes`` (which keeps the values
    on products and the filter index in step)."""

    form = AttributeAdminForm
    list_display = ["name", "slug", "type", "unit", "filterable", "position"]
    list_filter = ["type", "filterable"]
    search_fields = ["name", "slug", "public_id"]
    prepopulated_fields = {"slug": ("name",)}

    def save_model(self, request: HttpRequest, obj: Attribute, form: Any, change: bool) -> None:
        data = {name: form.cleaned_data[name] for name in AttributeAdminForm.Meta.fields}
        if change:
            attribute_update(attribute=Attribute.objects.get(pk=obj.pk), data=data)
            return
        created = attribute_create(**data)
        obj.pk = created.pk
        obj._state.adding = False
        obj.refresh_from_db()

    def delete_model(self, request: HttpRequest, obj: Attribute) -> None:
        attribute_delete(attribute=obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Attribute]) -> None:
        for attribute in queryset:
            attribute_delete(attribute=attribute)
