"""Catalog writes. Each one owns its transaction and calls ``catalog_changed()`` inside it, so
the cached catalog reads are invalidated when (and only when) it commits.

Variants: every product has at least one; a product without options has exactly one (its
default variant), made here with the product and kept by these services (never by signals).
``price``/``quantity`` given for a product set its default variant's (a product with several
variants takes them per variant). The product's ``price`` column is a copy of its lowest active
variant price, refreshed by every service that changes a variant (:func:`_product_price_sync`),
never in a buyer's transaction; its stock is never copied (``ProductQuerySet.with_stock``).

Stock: every quantity change goes through ``catalog.stock``. A variant's quantity set on
create or update is :func:`catalog.stock.stock_set_locked` (recorded as an ``adjustment``;
row locked, delta computed under the lock); restocking is :func:`catalog.stock.stock_release`.

The transactions are not ``durable``: the Django admin calls these services from inside its
own ``atomic`` block.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import IO, Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, connection, transaction
from django.db.models import Max, ProtectedError
from django.utils import timezone

from accounts.models import StoreManager
from ecommerce.common.exceptions import InvalidRequest
from ecommerce.common.tasks import enqueue_on_commit

from . import csv_io
from .attributes import attribute_index_sync, attribute_values_clean
from .cache import catalog_changed
from .csv_io import ImportPlan
from .exceptions import ImageTooLarge, ImportTooLarge, ProductNotFound, VariantNotFound
from .images import image_normalise
from .models import Category, Product, ProductImage, ProductVariant, StockMovementReason, TaxClass
from .outbox import products_publish
from .slugs import unique_slugs
from .stock import BULK_UPDATE_BATCH, stock_import, stock_release, stock_set_locked
from .tasks import image_renditions_make

PRODUCT_FIELDS = frozenset(
    {
        "name",
        "slug",
        "description",
        "price",
        "quantity",
        "categories",
        "image_url",
        "manager_id",
        "discontinued",
        "options",
        "variants",
        "attributes",
    }
)
VARIANT_FIELDS = frozenset(
    {
        "sku",
        "options",
        "price",
        "compare_at_price",
        "quantity",
        "weight_grams",
        "is_active",
        "position",
        "tax_class",
        "attributes",
    }
)
CATEGORY_FIELDS = frozenset({"name", "slug", "parent", "position"})
IMAGE_FIELDS = frozenset({"alt", "position", "variant_id"})


# --- helpers -------------------------------------------------------------------------------


def _categories_resolve(public_ids: list[str]) -> list[Category]:
    wanted = list(dict.fromkeys(public_ids))
    found = {c.public_id: c for c in Category.objects.filter(public_id__in=wanted)}
    unknown = [pid for pid in wanted if pid not in found]
    if unknown:
        raise InvalidRequest(
            "Unknown category id.", details={"categories": f"Unknown category id(s): {', '.join(unknown)}."}
        )
    return [found[pid] for pid in wanted]


def _manager_resolve(external_id: str | None) -> StoreManager | None:
    if external_id is None:
        return None
    manager = StoreManager.objects.filter(external_id=external_id).first()
    if manager is None:
        raise InvalidRequest(
            "Unknown store manager.", details={"manager_id": f"No store manager '{external_id}'."}
        )
    return manager


def _slug_for(model: type[Category] | type[Product], wanted: str, *, current: str | None = None) -> str:
    """``wanted`` made unique (auto-suffixed); keeps ``current`` when it is what is asked for."""
    if current is not None and wanted == current:
        return current
    return unique_slugs(model, [wanted])[0]


def product_lock(product_pk: int, *, variants: bool = True) -> tuple[Product, list[ProductVariant]]:
    """Lock a product for a catalog write, with its variants (primary-key order) unless told not
    to: the lock order that never deadlocks with checkout. A buyer locks variant rows, then its
    ledger and order-line ``INSERT``s take a shared lock on their product row (the foreign key).
    PostgreSQL: the product first, ``FOR NO KEY UPDATE`` (which that key-share lock does not wait
    for), then its variants, as the CSV import and the inventory API lock them. Elsewhere
    (MariaDB: a row lock blocks the foreign-key check): the variants first, then the product."""
    no_key = connection.features.has_select_for_no_key_update
    locked_variants: list[ProductVariant] = []
    variant_rows = ProductVariant.objects.select_for_update().filter(product_id=product_pk).order_by("pk")
    if variants and not no_key:
        locked_variants = list(variant_rows)
    product = Product.objects.select_for_update(no_key=no_key).get(pk=product_pk)
    if variants and no_key:
        locked_variants = list(variant_rows)
    return product, locked_variants


# --- products ------------------------------------------------------------------------------


def product_create(
    *,
    name: str,
    price: Decimal | None = None,
    quantity: int = 0,
    description: str = "",
    slug: str | None = None,
    categories: list[str] | None = None,
    image_url: str = "",
    manager_id: str | None = None,
    discontinued: bool = False,
    options: list[str] | None = None,
    variants: Sequence[Mapping[str, Any]] | None = None,
    attributes: Mapping[str, Any] | None = None,
) -> Product:
    """Create a product with its variants. ``categories`` are category public ids,
    ``manager_id`` a store manager's external id; unknown ones raise ``InvalidRequest`` naming
    the field. A taken slug is auto-suffixed.

    Without ``variants`` the product gets its default variant (no options) with ``price`` and
    ``quantity``; with them (each a dict of :data:`VARIANT_FIELDS`), those variants, validated
    as a whole against ``options`` (:func:`variants_validate`). Opening stock is recorded in
    the ledger as an adjustment."""
    with transaction.atomic():
        category_objs = _categories_resolve(categories or [])
        manager = _manager_resolve(manager_id)
        option_names = list(options or [])
        if variants is None:
            if option_names:
                raise InvalidRequest(
                    "A product with options needs its variants.",
                    details={"variants": "required with options"},
                )
            if price is None:
                raise InvalidRequest(details={"price": "This field is required."})
        else:
            variants = variants_validate(option_names, variants)
        lowest = _lowest_price(variants) if variants is not None else price
        assert lowest is not None  # noqa: S101 - checked above
        product = Product(
            name=name,
            slug=_slug_for(Product, slug or name),
            description=description,
            price=lowest,
            options=option_names,
            image_url=image_url,
            manager=manager,
            discontinued=discontinued,
            attributes=attribute_values_clean(attributes or {}, field="attributes"),
        )
        product.quantity = quantity if variants is None else 0
        if variants is None:
            stock_import(created=[product], levels={}, reason=StockMovementReason.ADJUSTMENT)
        else:
            product.save()
            stock_import(
                created=(),
                levels={},
                reason=StockMovementReason.ADJUSTMENT,
                created_variants=[_variant_new(product, data, index) for index, data in enumerate(variants)],
            )
        product.__dict__.pop("_quantity", None)
        product.categories.set(category_objs)
        if product.attributes or option_names:
            attribute_index_sync([product.pk])
        products_publish("product.created", [product], manager_id=manager.external_id if manager else None)
        catalog_changed()
    return product


def product_update(*, product: Product, data: Mapping[str, Any], partial: bool = True) -> Product:
    """Change the given fields of ``product`` (keys of :data:`PRODUCT_FIELDS`); returns the
    fresh row.

    ``price``/``quantity`` set the default variant's (400 for a product with several
    variants). ``options`` and ``variants`` (nested) are validated as a whole: a variant with an
    ``id`` updates that variant, one without is created; unless ``partial``, a variant left out
    is removed, or deactivated when orders reference it. A quantity change is applied under a
    row lock and recorded as an adjustment."""
    unknown = set(data) - PRODUCT_FIELDS
    if unknown:
        raise ValueError(f"Unknown product fields: {sorted(unknown)}")
    with transaction.atomic():
        locked, current = product_lock(product.pk)
        was_discontinued = locked.discontinued
        if "categories" in data:
            locked.categories.set(_categories_resolve(list(data["categories"])))
        if "manager_id" in data:
            locked.manager = _manager_resolve(data["manager_id"])
        if data.get("slug"):
            locked.slug = _slug_for(Product, data["slug"], current=locked.slug)
        for name in ("name", "description", "image_url", "discontinued"):
            if name in data:
                setattr(locked, name, data[name])
        if "options" in data:
            locked.options = list(data["options"])
        if "attributes" in data:
            locked.attributes = attribute_values_clean(data["attributes"] or {}, field="attributes")
        if "variants" in data:
            _variants_sync(locked, current, list(data["variants"]), partial=partial)
        elif "options" in data and locked.options and len(current) == 1 and not current[0].options:
            raise InvalidRequest(
                "A product with options needs its variants.", details={"variants": "required with options"}
            )
        elif "price" in data or "quantity" in data:
            active = [v for v in current if v.is_active] or current
            if len(current) != 1:
                field = "price" if "price" in data else "quantity"
                raise InvalidRequest(
                    "This product has several variants: set price and stock per variant.",
                    details={field: "set on each of the product's variants"},
                )
            default = active[0]
            if "price" in data:
                default.price = data["price"]
                default.save(update_fields=["price", "updated_at"])
            if "quantity" in data and data["quantity"] != default.quantity:
                stock_set_locked(
                    levels={default.pk: (default.quantity, data["quantity"])},
                    reason=StockMovementReason.ADJUSTMENT,
                )
        locked.save()
        _product_price_sync(locked)
        if {"attributes", "options", "variants"} & set(data):
            attribute_index_sync([locked.pk])
        locked.__dict__.pop("_quantity", None)  # read again from the variants
        if locked.discontinued and not was_discontinued:
            products_publish("product.discontinued", [locked])
        if set(data) - {"discontinued"} or locked.discontinued == was_discontinued:
            products_publish("product.updated", [locked])
        catalog_changed()
    return locked


# --- variants ------------------------------------------------------------------------------


def _lowest_price(variants: Sequence[Mapping[str, Any]]) -> Decimal:
    active = [v["price"] for v in variants if v.get("is_active", True)] or [v["price"] for v in variants]
    return Decimal(min(active))


def _product_updated(product: Product) -> None:
    """A variant changed: the product's copy of the lowest price, its attribute index (the
    variant's attributes, options or active flag may have changed) and ``product.updated`` (its
    price, stock or status may have changed)."""
    _product_price_sync(product)
    attribute_index_sync([product.pk])
    product.__dict__.pop("_quantity", None)  # read again from the variants
    products_publish("product.updated", [product])


def _product_price_sync(product: Product) -> None:
    """Copy the lowest active variant price into ``product.price`` (the list orders and filters
    by it on an index; the PostgreSQL placement triggers copy it on). Admin writes only."""
    prices = ProductVariant.objects.filter(product=product).values_list("price", "is_active")
    active = [price for price, is_active in prices if is_active] or [price for price, _ in prices]
    if active and min(active) != product.price:
        product.price = min(active)
        Product.objects.filter(pk=product.pk).update(price=product.price)


def _option_key(options: Mapping[str, Any]) -> tuple[tuple[str, str], ...]:
    return tuple(sorted((str(k), str(v)) for k, v in options.items()))


def variants_validate(
    option_names: list[str], variants: Sequence[Mapping[str, Any]], *, others: Sequence[ProductVariant] = ()
) -> list[dict[str, Any]]:
    """Check variants as a whole, for one product with ``option_names``: each has a value for
    every option and no other; no two have the same option combination or SKU, among
    themselves, nor with ``others`` (the product's variants kept) nor with any other product's
    SKU. Raises ``InvalidRequest`` with dotted field paths (``variants.1.sku``). Returns the
    variants with their attribute values cleaned (``catalog.attributes``), as
    :func:`_variant_new` and :func:`_variant_apply` take them."""
    cleaned = [dict(variant) for variant in variants]
    errors: dict[str, str] = {}
    if len(set(option_names)) != len(option_names):
        errors["options"] = "option names must be unique"
    if not variants and not others:
        errors["variants"] = "a product needs at least one variant"
    if not option_names and len(variants) + len(others) > 1:
        errors["options"] = "a product with several variants needs options"
    seen_options = {_option_key(v.options): f"existing variant {v.public_id}" for v in others}
    seen_skus = {v.sku: f"existing variant {v.public_id}" for v in others}
    for index, variant in enumerate(variants):
        path = f"variants.{index}"
        options = dict(variant.get("options") or {})
        if set(options) != set(option_names):
            errors[f"{path}.options"] = f"needs a value for each of {option_names} and no other"
        key = _option_key(options)
        if key in seen_options:
            errors[f"{path}.options"] = f"same options as {seen_options[key]}"
        seen_options.setdefault(key, path)
        sku = variant.get("sku")
        if sku:
            if sku in seen_skus:
                errors[f"{path}.sku"] = f"same SKU as {seen_skus[sku]}"
            seen_skus.setdefault(sku, path)
        if variant.get("tax_class", TaxClass.STANDARD) not in TaxClass.values:
            errors[f"{path}.tax_class"] = f"one of {TaxClass.values}"
        if variant.get("price") is None and not variant.get("id"):
            errors[f"{path}.price"] = "This field is required."
        if variant.get("attributes"):
            try:
                cleaned[index]["attributes"] = attribute_values_clean(
                    variant["attributes"], field=f"{path}.attributes"
                )
            except InvalidRequest as invalid:
                errors.update(invalid.details or {})
    new_skus = {v["sku"]: index for index, v in enumerate(variants) if v.get("sku")}
    if new_skus:
        keep = {v.pk for v in others} | {v["_pk"] for v in variants if v.get("_pk")}
        taken = ProductVariant.objects.filter(sku__in=list(new_skus)).exclude(pk__in=keep)
        for sku in taken.values_list("sku", flat=True):
            errors.setdefault(f"variants.{new_skus[sku]}.sku", "this SKU is taken")
    if errors:
        raise InvalidRequest("The variants are invalid.", details=errors)
    return cleaned


def _variant_new(product: Product, data: Mapping[str, Any], index: int) -> ProductVariant:
    """An unsaved variant of ``product`` (saved by ``stock_import`` with its opening stock), from
    ``data`` as :func:`variants_validate` returns it."""
    variant = ProductVariant(
        product_id=product.pk,
        sku=data.get("sku") or "",
        options=dict(data.get("options") or {}),
        price=data["price"],
        compare_at_price=data.get("compare_at_price"),
        quantity=data.get("quantity", 0),
        weight_grams=data.get("weight_grams"),
        is_active=data.get("is_active", True),
        position=data.get("position", index),
        tax_class=data.get("tax_class", TaxClass.STANDARD),
        attributes=dict(data.get("attributes") or {}),
    )
    if not variant.sku:
        suffix = "-".join(str(value) for value in variant.options.values()) or str(index)
        variant.sku = f"{product.slug[:30].upper()}-{product.pk}-{suffix.upper()}"[:64]
    return variant


def _variant_apply(variant: ProductVariant, data: Mapping[str, Any]) -> dict[int, tuple[int, int]]:
    """Set ``data`` (as :func:`variants_validate` returns it) on ``variant`` (locked by the caller)
    and save it; returns the stock level change to hand to the stock module (``{pk: (now,
    new)}``, empty when unchanged)."""
    for name in ("sku", "price", "compare_at_price", "weight_grams", "is_active", "position", "tax_class"):
        if name in data:
            setattr(variant, name, data[name])
    if "options" in data:
        variant.options = dict(data["options"] or {})
    if "attributes" in data:
        variant.attributes = dict(data["attributes"] or {})
    variant.save()
    if "quantity" in data and data["quantity"] != variant.quantity:
        return {variant.pk: (variant.quantity, data["quantity"])}
    return {}


def _variant_remove(variant: ProductVariant) -> None:
    """Delete a variant; when orders reference it, deactivate it instead."""
    try:
        with transaction.atomic():
            variant.delete()
    except ProtectedError:
        ProductVariant.objects.filter(pk=variant.pk).update(is_active=False)


def _variants_sync(
    product: Product, current: list[ProductVariant], wanted: list[Mapping[str, Any]], *, partial: bool
) -> None:
    """Nested write of ``product``'s variants (see :func:`product_update`)."""
    by_id = {v.public_id: v for v in current}
    errors = {
        f"variants.{index}.id": "not a variant of this product"
        for index, data in enumerate(wanted)
        if data.get("id") and data["id"] not in by_id
    }
    if errors:
        raise InvalidRequest("The variants are invalid.", details=errors)
    named = {data["id"] for data in wanted if data.get("id")}
    kept = [v for v in current if v.public_id not in named] if partial else []
    merged = []
    for data in wanted:
        if data.get("id"):
            variant = by_id[data["id"]]
            full = {"options": variant.options, "sku": variant.sku, "price": variant.price, **data}
            merged.append({**full, "_pk": variant.pk})
        else:
            merged.append(dict(data))
    merged = variants_validate(list(product.options), merged, others=kept)
    levels: dict[int, tuple[int, int]] = {}
    for data in merged:
        if data.get("_pk"):
            levels.update(_variant_apply(by_id[data["id"]], data))
    created = [_variant_new(product, data, index) for index, data in enumerate(merged) if not data.get("_pk")]
    if not partial:
        for variant in current:
            if variant.public_id not in named:
                _variant_remove(variant)
    stock_import(created=(), levels=levels, reason=StockMovementReason.ADJUSTMENT, created_variants=created)


def variant_create(*, product: Product, data: Mapping[str, Any]) -> ProductVariant:
    """Add a variant to ``product`` (validated with its siblings); opening stock to the ledger."""
    unknown = set(data) - VARIANT_FIELDS
    if unknown:
        raise ValueError(f"Unknown variant fields: {sorted(unknown)}")
    with transaction.atomic():
        locked, _ = product_lock(product.pk, variants=False)
        siblings = list(ProductVariant.objects.filter(product=locked))
        (valid,) = variants_validate(list(locked.options), [data], others=siblings)
        variant = _variant_new(locked, valid, len(siblings))
        stock_import(created=(), levels={}, reason=StockMovementReason.ADJUSTMENT, created_variants=[variant])
        _product_updated(locked)
        catalog_changed()
    return variant


def variant_update(*, variant: ProductVariant, data: Mapping[str, Any]) -> ProductVariant:
    """Change the given fields of a variant (keys of :data:`VARIANT_FIELDS`), validated with its
    siblings; a quantity change goes to the ledger as an adjustment."""
    unknown = set(data) - VARIANT_FIELDS
    if unknown:
        raise ValueError(f"Unknown variant fields: {sorted(unknown)}")
    with transaction.atomic():
        product, variants = product_lock(variant.product_id)
        locked = next((v for v in variants if v.pk == variant.pk), None)
        if locked is None:
            raise VariantNotFound(details={"variant_id": variant.public_id})
        siblings = [v for v in variants if v.pk != locked.pk]
        merged = {
            "options": locked.options,
            "sku": locked.sku,
            "price": locked.price,
            **data,
            "_pk": locked.pk,
        }
        (valid,) = variants_validate(list(product.options), [merged], others=siblings)
        levels = _variant_apply(locked, {name: valid[name] for name in data})
        stock_set_locked(levels=levels, reason=StockMovementReason.ADJUSTMENT)
        if "quantity" in data:
            locked.quantity = data["quantity"]
        _product_updated(product)
        catalog_changed()
    return locked


def variant_delete(*, variant: ProductVariant) -> bool:
    """Remove a variant (deactivate it when orders reference it); a product keeps at least one
    variant. Returns ``True`` when deleted, ``False`` when deactivated."""
    with transaction.atomic():
        product, variants = product_lock(variant.product_id)
        if not [v for v in variants if v.pk != variant.pk]:
            raise InvalidRequest(
                "A product keeps at least one variant.", details={"variant": "the product's last variant"}
            )
        _variant_remove(variant)
        deleted = not ProductVariant.objects.filter(pk=variant.pk).exists()
        _product_updated(product)
        catalog_changed()
    return deleted


def variant_get(*, product: Product, public_id: str) -> ProductVariant:
    """The variant of ``product`` with this public id, or :class:`VariantNotFound`."""
    variant = ProductVariant.objects.filter(product=product, public_id=public_id).first()
    if variant is None:
        raise VariantNotFound(details={"variant_id": public_id})
    return variant


def product_delete(*, product: Product) -> bool:
    """Delete ``product``; when orders reference it, discontinue it instead.

    Returns ``True`` when deleted, ``False`` when discontinued.
    """
    try:
        with transaction.atomic():
            product.delete()
            catalog_changed()
        return True
    except ProtectedError:
        product_discontinue_many(product_ids=[product.pk])
        return False


def product_discontinue_many(*, product_ids: list[int]) -> int:
    """Mark products discontinued (never sold again, hidden from listings); returns how many changed."""
    with transaction.atomic():
        ids = list(
            Product.objects.select_for_update()
            .filter(pk__in=product_ids, discontinued=False)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        changed = Product.objects.filter(pk__in=ids).update(discontinued=True, updated_at=timezone.now())
        products_publish("product.discontinued", Product.objects.filter(pk__in=ids).select_related("manager"))
        catalog_changed()
    return changed


def product_restock(*, quantities: Mapping[int, int]) -> None:
    """Add stock ``{variant pk: units}`` through the stock ledger (reason ``restock``)."""
    if any(units <= 0 for units in quantities.values()):
        raise InvalidRequest("Restock quantities must be positive.", details={"quantity": "must be ≥ 1"})
    with transaction.atomic():
        stock_release(quantities=dict(quantities), reason=StockMovementReason.RESTOCK)


# --- categories ----------------------------------------------------------------------------


def _parent_resolve(public_id: str | None, *, for_category: Category | None = None) -> Category | None:
    if public_id is None:
        return None
    parent = Category.objects.filter(public_id=public_id).first()
    if parent is None:
        raise InvalidRequest("Unknown parent category.", details={"parent": f"No category '{public_id}'."})
    if for_category is not None:
        # Walk up from the new parent: meeting the category itself would make a cycle.
        parents = dict(Category.objects.values_list("id", "parent_id"))
        node: int | None = parent.pk
        while node is not None:
            if node == for_category.pk:
                raise InvalidRequest(
                    "A category cannot be moved under itself.",
                    details={"parent": "must not be the category itself or one of its descendants"},
                )
            node = parents.get(node)
    return parent


def category_create(
    *, name: str, slug: str | None = None, parent: str | None = None, position: int = 0
) -> Category:
    """Create a category under ``parent`` (a public id, or ``None`` for a root). Taken slugs are suffixed."""
    with transaction.atomic():
        category = Category.objects.create(
            name=name,
            slug=_slug_for(Category, slug or name),
            parent=_parent_resolve(parent),
            position=position,
        )
        catalog_changed()
    return category


def category_update(*, category: Category, data: Mapping[str, Any]) -> Category:
    """Change the given fields (keys of :data:`CATEGORY_FIELDS`); ``parent`` may not create a cycle."""
    unknown = set(data) - CATEGORY_FIELDS
    if unknown:
        raise ValueError(f"Unknown category fields: {sorted(unknown)}")
    with transaction.atomic():
        if "parent" in data:
            category.parent = _parent_resolve(data["parent"], for_category=category)
        if data.get("slug"):
            category.slug = _slug_for(Category, data["slug"], current=category.slug)
        for name in ("name", "position"):
            if name in data:
                setattr(category, name, data[name])
        category.save()
        catalog_changed()
    return category


def category_delete(*, category: Category) -> None:
    """Delete ``category``: its children move up to its parent; its products stay (they only
    lose this category)."""
    with transaction.atomic():
        Category.objects.filter(parent=category).update(parent=category.parent_id)
        category.delete()
        catalog_changed()


def category_delete_many(*, category_ids: list[int]) -> int:
    """Delete several categories one by one (each re-parents its children); returns how many."""
    deleted = 0
    with transaction.atomic():
        for category in Category.objects.filter(pk__in=category_ids):
            category.refresh_from_db(fields=["parent"])
            category_delete(category=category)
            deleted += 1
    return deleted


# --- product images ------------------------------------------------------------------------


def _image_variant(product: Product, variant_id: str | None) -> ProductVariant | None:
    """The variant of ``product`` an image shows (``None``: the whole product); an id that is
    not one of the product's variants is a 400 naming ``variant_id``."""
    if variant_id is None:
        return None
    variant = ProductVariant.objects.filter(product=product, public_id=variant_id).first()
    if variant is None:
        raise InvalidRequest(
            "Unknown variant.", details={"variant_id": f"No variant '{variant_id}' of this product."}
        )
    return variant


def product_image_add(
    *,
    product: Product,
    upload: IO[bytes],
    size: int,
    alt: str = "",
    position: int | None = None,
    variant_id: str | None = None,
) -> ProductImage:
    """Store an uploaded picture of ``product`` and enqueue its renditions.

    ``upload`` is checked and normalised by Pillow (``catalog.images``: JPEG, PNG or WebP only,
    ``IMAGE_MAX_BYTES``, ``IMAGE_MAX_PIXELS``, EXIF orientation applied and metadata stripped).
    ``position`` defaults to after the product's last image. The file is written before the
    transaction and removed again if the transaction fails; renditions are made in the
    background once it commits (``catalog.tasks.image_renditions_make``).
    Raises :class:`ImageTooLarge` (413), ``ImageUnsupported`` (415), ``ImageInvalid`` (400),
    :class:`ProductNotFound` (the product was deleted meanwhile), ``InvalidRequest`` (an unknown
    ``variant_id``).
    """
    variant = _image_variant(product, variant_id)
    limit: int = settings.IMAGE_MAX_BYTES
    if size > limit:
        raise ImageTooLarge(
            f"The image file is larger than {limit} bytes.", details={"file": f"at most {limit} bytes"}
        )
    original = image_normalise(upload, max_pixels=settings.IMAGE_MAX_PIXELS)
    image = ProductImage(
        product=product, variant=variant, alt=alt, width=original.width, height=original.height
    )
    image.file.save(f"original.{original.extension}", ContentFile(original.content), save=False)
    try:
        with transaction.atomic():
            # The product's row lock orders concurrent uploads (their default positions).
            if not Product.objects.select_for_update().filter(pk=product.pk).exists():
                raise ProductNotFound(details={"id": product.public_id})
            if position is None:
                last = ProductImage.objects.filter(product=product).aggregate(last=Max("position"))["last"]
                position = 0 if last is None else last + 1
            image.position = position
            image.save()
            catalog_changed()
            enqueue_on_commit(image_renditions_make, image.pk)
    except BaseException:
        default_storage.delete(str(image.file.name))
        raise
    return image


def product_image_update(*, image: ProductImage, data: Mapping[str, Any]) -> ProductImage:
    """Change ``alt``, ``position`` and/or ``variant_id`` (keys of :data:`IMAGE_FIELDS`) of ``image``."""
    unknown = set(data) - IMAGE_FIELDS
    if unknown:
        raise ValueError(f"Unknown image fields: {sorted(unknown)}")
    with transaction.atomic():
        if "variant_id" in data:
            image.variant = _image_variant(image.product, data["variant_id"])
        for name in ("alt", "position"):
            if name in data:
                setattr(image, name, data[name])
        fields = sorted(set(data) & {"alt", "position"}) + (["variant"] if "variant_id" in data else [])
        image.save(update_fields=[*fields, "updated_at"])
        catalog_changed()
    return image


def product_image_delete(*, image: ProductImage) -> None:
    """Delete ``image``; its files (original and renditions) are deleted after commit."""
    with transaction.atomic():
        image.delete()
        catalog_changed()


# --- CSV import (catalog.csv_io: the format, the plan) --------------------------------------


def products_csv_import(*, content: bytes, commit: bool = False) -> ImportPlan:
    """Import products with their variants, prices, stock and categories from a CSV file
    (``catalog.csv_io`` describes the columns; docs/catalog.md "CSV import and export").

    The whole file is read and checked first. Without ``commit`` nothing is written: the
    returned plan tells what would happen (``summary()``) and lists every error by line. With
    ``commit``, in one transaction, the matched products and their variants are locked and
    checked again, and then everything is written or nothing: any error raises
    ``InvalidRequest`` (400, ``details.errors``: ``[{line, field, message}]``). Stock changes go
    through ``catalog.stock.stock_import`` (ledger reason ``import``); rows that change nothing
    write nothing. Raises :class:`ImportTooLarge` (413) over ``CATALOG_IMPORT_MAX_BYTES`` and
    ``InvalidRequest`` for a file that is not UTF-8.
    """
    limit: int = settings.CATALOG_IMPORT_MAX_BYTES
    if len(content) > limit:
        raise ImportTooLarge(
            f"The import file is larger than {limit} bytes.", details={"file": f"at most {limit} bytes"}
        )
    rows, errors = csv_io.import_parse(csv_io.file_decode(content))
    if not commit:
        plan = csv_io.import_plan(rows)
        plan.errors = sorted([*errors, *plan.errors], key=lambda e: (e.line, e.field))
        return plan
    csv_io.errors_raise(errors)
    try:
        with transaction.atomic():
            plan = csv_io.import_plan(rows, lock=True)
            csv_io.errors_raise(plan.errors)
            _import_apply(plan)
    except IntegrityError as error:  # a concurrent write took a SKU or slug meanwhile
        raise InvalidRequest(
            "The catalog changed while importing; nothing was imported. Try again.",
            details={"errors": [{"line": 0, "field": "", "message": "a SKU or slug was taken meanwhile"}]},
        ) from error
    return plan


def _import_apply(plan: ImportPlan) -> None:
    """Write a checked plan (inside the caller's transaction, rows locked by ``import_plan``).
    Rows are written with bulk statements, each ``bulk_update`` naming only the fields that
    changed (rows grouped by them): 10,000 rows commit in seconds (docs/benchmarks.md)."""
    now = timezone.now()
    created: list[Product] = []
    updated: dict[frozenset[str], list[Product]] = {}  # own fields changed, by which
    touched: list[Product] = []  # any change, for product.updated
    discontinued: list[Product] = []
    links: list[tuple[Product, list[int]]] = []
    product_of: dict[int, Product] = {}  # id(plan) → the product row (new ones unsaved yet)
    for item in plan.products:
        kept = _import_kept_variants(item)
        prices = [*kept] + [
            (
                v.values["price"],
                v.values.get("is_active", v.variant.is_active if v.variant is not None else True),
            )
            for v in item.variants
        ]
        active = [price for price, is_active in prices if is_active] or [price for price, _ in prices]
        lowest = min(active)
        product = item.product
        if product is None:
            product = Product(price=lowest, **item.values)
            created.append(product)
            if item.categories:
                links.append((product, item.categories))
        else:
            was_discontinued = product.discontinued
            fields: set[str] = set(item.changed)
            for name in fields:
                setattr(product, name, item.values[name])
            if product.price != lowest:
                product.price = lowest
                fields.add("price")
            if item.changed or item.categories_changed:
                product.updated_at = now
                fields.add("updated_at")
            if fields:
                updated.setdefault(frozenset(fields), []).append(product)
            if item.categories_changed and item.categories is not None:
                links.append((product, item.categories))
            if product.discontinued and not was_discontinued:
                discontinued.append(product)
            if (
                (fields - {"discontinued", "updated_at"})
                or item.categories_changed
                or any(v.variant is None or v.changed or v.quantity is not None for v in item.variants)
            ):
                touched.append(product)
        product_of[id(item)] = product
    if created:
        Product.objects.bulk_create(created, batch_size=1000)
        _import_pks(Product, created)
    for names, products in updated.items():
        Product.objects.bulk_update(products, sorted(names), batch_size=BULK_UPDATE_BATCH)
    if links:
        through = Product.categories.through
        new_pks = {p.pk for p in created}
        through.objects.filter(product_id__in=[p.pk for p, _ in links if p.pk not in new_pks]).delete()
        through.objects.bulk_create(
            [through(product_id=p.pk, category_id=pk) for p, pks in links for pk in pks], batch_size=1000
        )

    changed_variants: dict[frozenset[str], list[ProductVariant]] = {}
    new_variants: list[ProductVariant] = []
    levels: dict[int, tuple[int, int]] = {}
    variant_products: dict[int, int] = {}
    for item in plan.products:
        product = product_of[id(item)]
        position = max((v.position for v in item.existing), default=-1) + 1
        for row in item.variants:
            variant = row.variant
            if variant is None:
                new_variants.append(
                    ProductVariant(
                        product_id=product.pk, position=position, quantity=row.quantity or 0, **row.values
                    )
                )
                position += 1
                continue
            if row.changed:
                for name in row.changed:
                    setattr(variant, name, row.values[name])
                variant.updated_at = now
                changed_variants.setdefault(frozenset(row.changed), []).append(variant)
            if row.quantity is not None:
                levels[variant.pk] = (variant.quantity, row.quantity)
                variant_products[variant.pk] = product.pk
    for names, variants in changed_variants.items():
        ProductVariant.objects.bulk_update(
            variants, [*sorted(names), "updated_at"], batch_size=BULK_UPDATE_BATCH
        )
    stock_import(
        created=(),
        levels=levels,
        reason=StockMovementReason.IMPORT,
        note="CSV import",
        created_variants=new_variants,
        product_ids=variant_products,
    )
    # options and active flags may have changed: the attribute index (option values of attributes)
    attribute_index_sync(product.pk for product in [*created, *touched])

    totals = _import_stock_totals(plan, product_of)
    for product in [*created, *touched, *discontinued]:
        product.quantity = totals.get(product.pk, 0)  # for the events' data
    if created:
        products_publish("product.created", created, manager_id=None)
    if discontinued:
        products_publish("product.discontinued", discontinued)
    if touched:
        products_publish("product.updated", touched)
    catalog_changed()


def _import_kept_variants(item: csv_io.ProductPlan) -> list[tuple[Decimal, bool]]:
    """(price, is_active) of the product's variants the file does not name."""
    named = {v.variant.pk for v in item.variants if v.variant is not None}
    return [(v.price, v.is_active) for v in item.existing if v.pk not in named]


def _import_stock_totals(plan: ImportPlan, product_of: Mapping[int, Product]) -> dict[int, int]:
    """Each product's stock after the import (its active variants'), for the events' data."""
    totals: dict[int, int] = {}
    for item in plan.products:
        product = product_of[id(item)]
        named = {v.variant.pk for v in item.variants if v.variant is not None}
        total = sum(v.quantity for v in item.existing if v.pk not in named and v.is_active)
        for row in item.variants:
            is_active = row.values.get(
                "is_active", row.variant.is_active if row.variant is not None else True
            )
            quantity = (
                row.quantity if row.quantity is not None else (row.variant.quantity if row.variant else 0)
            )
            total += quantity if is_active else 0
        totals[product.pk] = total
    return totals


def _import_pks(model: type[Product], objs: Sequence[Product]) -> None:
    """Primary keys of bulk-inserted rows where the database returns none (MariaDB < 10.5)."""
    if all(obj.pk is not None for obj in objs):
        return
    pks = dict(  # pragma: no cover - no RETURNING
        model._base_manager.filter(public_id__in=[o.public_id for o in objs]).values_list("public_id", "pk")
    )
    for obj in objs:  # pragma: no cover
        obj.pk = pks[obj.public_id]
