"""Background work of the catalog: product image renditions and the removal of deleted media.

Both tasks take ids or names (never objects) and are idempotent: run twice (a worker killed
mid-task, ``acks_late``), they leave the same files and rows as once. Without a broker
(``CELERY_BROKER_URL`` empty) they run in-process right after the enqueueing transaction commits.
"""

from __future__ import annotations

import logging
from typing import Any

from celery import shared_task
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction

from ecommerce.common.tasks import enqueue_on_commit

from .cache import catalog_changed
from .images import FORMATS, rendition_make, rendition_plan
from .models import ProductImage

logger = logging.getLogger(__name__)


def rendition_name(original: str, *, width: int, fmt: str) -> str:
    """``products/prod_x/img_y.jpg`` → ``products/prod_x/img_y_480.webp`` (deterministic, so a
    second run of the task overwrites instead of adding files)."""
    stem = original.rsplit(".", 1)[0]
    return f"{stem}_{width}.{FORMATS[fmt][0]}"


def _storage_put(name: str, content: bytes) -> str:
    """Write ``content`` at exactly ``name`` (replacing a file a previous run left there)."""
    if default_storage.exists(name):
        default_storage.delete(name)
    return default_storage.save(name, ContentFile(content))


def image_renditions_write(*, image_id: int) -> list[dict[str, Any]]:
    """Make every missing rendition of image ``image_id`` (``IMAGE_RENDITION_WIDTHS`` × its own
    format and WebP), record them on the row and invalidate the cached catalog reads. Returns
    the renditions recorded (empty when the image no longer exists)."""
    image = ProductImage.objects.filter(pk=image_id).first()
    if image is None or not image.file.name:
        return []
    fmt = next((f for f, (ext, _) in FORMATS.items() if image.file.name.endswith(f".{ext}")), "JPEG")
    plan = rendition_plan(width=image.width, fmt=fmt, widths=settings.IMAGE_RENDITION_WIDTHS)
    done = {(r["width"], r["format"].upper()): r for r in image.renditions or []}
    if all((width, f) in done for width, f in plan) and len(done) == len(plan):
        return list(image.renditions)
    with image.file.open("rb") as source:
        original = source.read()
    renditions: list[dict[str, Any]] = []
    for width, target in plan:
        made = rendition_make(original, width=width, fmt=target)
        name = _storage_put(rendition_name(image.file.name, width=width, fmt=target), made.content)
        renditions.append(
            {"width": made.width, "height": made.height, "format": target.lower(), "name": name}
        )
    with transaction.atomic():
        updated = ProductImage.objects.filter(pk=image_id).update(renditions=renditions)
        catalog_changed()
    if not updated:  # deleted while we worked: its files go too
        media_delete_on_commit([r["name"] for r in renditions])
        return []
    stale = {r["name"] for r in done.values()} - {r["name"] for r in renditions}
    if stale:  # renditions of widths no longer configured
        media_delete_on_commit(sorted(stale))
    return renditions


def media_delete_on_commit(names: list[str]) -> None:
    """Delete these storage names once the current transaction commits (at once outside one).
    Never raises: a store that cannot be reached leaves files behind, logged."""
    if names:
        enqueue_on_commit(media_delete, names)


@shared_task(name="catalog.tasks.image_renditions_make")
def image_renditions_make(image_id: int) -> int:
    """The renditions of one product image (see :func:`image_renditions_write`). Returns how many."""
    return len(image_renditions_write(image_id=image_id))


@shared_task(name="catalog.tasks.media_delete")
def media_delete(names: list[str]) -> int:
    """Delete files from the media storage (missing ones are fine). Returns how many were there."""
    deleted = 0
    for name in names:
        if default_storage.exists(name):
            default_storage.delete(name)
            deleted += 1
    return deleted


def image_files_delete_on_delete(sender: type[ProductImage], instance: ProductImage, **kwargs: Any) -> None:
    """``post_delete`` of :class:`ProductImage` (connected in ``CatalogConfig.ready``): however the
    row goes (the API, the admin, a product deleted with its images), its files are deleted
    after the transaction commits, and kept if it rolls back."""
    media_delete_on_commit(instance.storage_names())
