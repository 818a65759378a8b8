"""Catalog writes. Each one owns its transaction and calls ``catalog_changed()`` inside it, so
the cached catalog reads are invalidated when (and only when) it commits.

Stock: every quantity change goes through ``catalog.stock``. A product's quantity set on
create or update is :func:`catalog.stock.stock_set_locked` (recorded as an ``adjustment``;
row locked, delta computed under the lock); restocking is :func:`catalog.stock.stock_release`.

The transactions are not ``durable``: the Django admin calls these services from inside its
own ``atomic`` block.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import IO, Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Max, ProtectedError
from django.utils import timezone

from accounts.models import StoreManager
from ecommerce.common.exceptions import InvalidRequest
from ecommerce.common.tasks import enqueue_on_commit

from .cache import catalog_changed
from .exceptions import ImageTooLarge, ProductNotFound
from .images import image_normalise
from .models import Category, Product, ProductImage, StockMovementReason
from .outbox import products_publish
from .slugs import unique_slugs
from .stock import stock_release, stock_set_locked
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


# --- products ------------------------------------------------------------------------------


def product_create(
    *,
    name: str,
    price: Decimal,
    quantity: int = 0,
    description: str = "",
    slug: str | None = None,
    categories: list[str] | None = None,
    image_url: str = "",
    manager_id: str | None = None,
    discontinued: bool = False,
) -> Product:
    """Create a product. ``categories`` are category public ids, ``manager_id`` a store
    manager's external id; unknown ones raise ``InvalidRequest`` naming the field. A taken
    slug is auto-suffixed. Initial stock is recorded in the ledger as an adjustment."""
    with transaction.atomic():
        category_objs = _categories_resolve(categories or [])
        manager = _manager_resolve(manager_id)
        product = Product.objects.create(
            name=name,
            slug=_slug_for(Product, slug or name),
            description=description,
            price=price,
            image_url=image_url,
            manager=manager,
            discontinued=discontinued,
        )
        product.categories.set(category_objs)
        if quantity:
            stock_set_locked(
                levels={product.pk: (0, quantity)}, reason=StockMovementReason.ADJUSTMENT, publish=False
            )
            product.quantity = quantity
        products_publish("product.created", [product], manager_id=manager.external_id if manager else None)
        catalog_changed()
    return product


def product_update(*, product: Product, data: Mapping[str, Any]) -> Product:
    """Change the given fields of ``product`` (keys of :data:`PRODUCT_FIELDS`); returns the
    fresh row. A quantity change is applied under a row lock and recorded as an adjustment."""
    unknown = set(data) - PRODUCT_FIELDS
    if unknown:
        raise ValueError(f"Unknown product fields: {sorted(unknown)}")
    with transaction.atomic():
        locked = Product.objects.select_for_update().get(pk=product.pk)
        was_discontinued = locked.discontinued
        if "categories" in data:
            locked.categories.set(_categories_resolve(list(data["categories"])))
        if "manager_id" in data:
            locked.manager = _manager_resolve(data["manager_id"])
        if data.get("slug"):
            locked.slug = _slug_for(Product, data["slug"], current=locked.slug)
        for name in ("name", "description", "price", "image_url", "discontinued"):
            if name in data:
                setattr(locked, name, data[name])
        if "quantity" in data and data["quantity"] != locked.quantity:
            stock_set_locked(
                levels={locked.pk: (locked.quantity, data["quantity"])}, reason=StockMovementReason.ADJUSTMENT
            )
            locked.quantity = data["quantity"]
        # every column but the stock, which only ``catalog.stock`` writes
        locked.save(
            update_fields=[
                f.attname for f in Product._meta.concrete_fields if not f.primary_key and f.name != "quantity"
            ]
        )
        if locked.discontinued and not was_discontinued:
            products_publish("product.discontinued", [locked])
        if set(data) - {"discontinued"} or locked.discontinued == was_discontinued:
            products_publish("product.updated", [locked])
        catalog_changed()
    return locked


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
    """Add stock ``{product pk: units}`` through the stock ledger (reason ``restock``)."""
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


def _image_variant(product: Product, variant_id: str | None) -> None:
    """The variant of ``product`` an image shows (``None``: the whole product).

    Product variants (``ProductVariant``, issue #15) are not on this branch yet, so every variant
    id is unknown: a 400 naming ``variant_id``. With them this returns
    ``ProductVariant.objects.filter(product=product, public_id=variant_id).first()`` (400 when
    ``None``), and the callers set ``image.variant`` to it.
    """
    if variant_id is None:
        return
    raise InvalidRequest(
        "Unknown variant.", details={"variant_id": f"No variant '{variant_id}' of this product."}
    )


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
    _image_variant(product, variant_id)
    limit: int = settings.IMAGE_MAX_BYTES
    if size > limit:
        raise ImageTooLarge(
            f"The image file is larger than {limit} bytes.", details={"file": f"at most {limit} bytes"}
        )
    original = image_normalise(upload, max_pixels=settings.IMAGE_MAX_PIXELS)
    image = ProductImage(product=product, alt=alt, width=original.width, height=original.height)
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
    """Change ``alt`` and/or ``position`` (keys of :data:`IMAGE_FIELDS`) of ``image``."""
    unknown = set(data) - IMAGE_FIELDS
    if unknown:
        raise ValueError(f"Unknown image fields: {sorted(unknown)}")
    with transaction.atomic():
        if "variant_id" in data:
            _image_variant(image.product, data["variant_id"])
        for name in ("alt", "position"):
            if name in data:
                setattr(image, name, data[name])
        image.save(update_fields=[*sorted(set(data) & {"alt", "position"}), "updated_at"])
        catalog_changed()
    return image


def product_image_delete(*, image: ProductImage) -> None:
    """Delete ``image``; its files (original and renditions) are deleted after commit."""
    with transaction.atomic():
        image.delete()
        catalog_changed()
