"""URLs of stored media (product images) through Django's storage API (``STORAGES["default"]``).

The filesystem storage answers ``MEDIA_URL`` + name (``/media/products/…``; an absolute
``MEDIA_URL`` such as a CDN's makes them absolute); S3 answers the bucket's or
``AWS_S3_CUSTOM_DOMAIN``'s URL.
"""

from __future__ import annotations

from django.core.files.storage import default_storage


def media_url(name: str) -> str:
    """The public URL of storage name ``name``."""
    return default_storage.url(name)
