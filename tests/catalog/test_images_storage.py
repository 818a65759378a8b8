"""Where product images live: Django's storage API, the filesystem by default (served by Django
only when SERVE_MEDIA says so), an S3-compatible store when MEDIA_STORAGE=s3."""

from __future__ import annotations

import pytest
from django.core.files.storage import default_storage
from django.utils.module_loading import import_string

from catalog.models import ProductImage
from ecommerce.settings.config import media_storage_config
from tests.factories import ProductFactory
from tests.helpers.images import picture, upload


@pytest.fixture
def image(db, admin_user, auth_client) -> ProductImage:
    product = ProductFactory()
    response = auth_client(admin_user).post(
        f"/api/products/{product.public_id}/images/",
        {"file": upload(picture("PNG", (30, 20)), "a.png", "image/png")},
        format="multipart",
    )
    assert response.status_code == 201
    return ProductImage.objects.get()


def test_files_go_through_the_filesystem_storage_under_media_root(image, settings):
    assert default_storage.__class__.__name__ == "FileSystemStorage"
    assert default_storage.path(image.file.name).startswith(str(settings.MEDIA_ROOT))
    assert default_storage.exists(image.file.name)


def test_media_served_only_when_serve_media_is_on(image, client, settings):
    url = f"/media/{image.file.name}"
    settings.SERVE_MEDIA = True
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cache-Control"] == "public, max-age=3600"
    with default_storage.open(image.file.name, "rb") as handle:
        assert b"".join(response.streaming_content) == handle.read()
    assert client.get("/media/../manage.py").status_code == 404
    assert client.get("/media/products/").status_code == 404  # no directory listing

    settings.SERVE_MEDIA = False
    assert client.get(url).status_code == 404


def test_s3_storage_from_settings_builds_public_urls_without_the_network():
    config = media_storage_config(
        "S3",
        options={
            "bucket_name": "shop-media",
            "endpoint_url": "http://127.0.0.1:9000",
            "region_name": "",
            "custom_domain": "cdn.example.com",
            "location": "media",
            "querystring_auth": False,
            "file_overwrite": False,
        },
    )
    assert config["BACKEND"] == "storages.backends.s3.S3Storage"
    assert "region_name" not in config["OPTIONS"]  # empty values are left to the library's defaults
    storage = import_string(config["BACKEND"])(**config["OPTIONS"])
    assert (
        storage.url("products/prod_1/img_1.jpg") == "https://cdn.example.com/media/products/prod_1/img_1.jpg"
    )


def test_media_storage_settings_are_checked():
    assert media_storage_config("filesystem") == {"BACKEND": "django.core.files.storage.FileSystemStorage"}
    with pytest.raises(ValueError, match="AWS_STORAGE_BUCKET_NAME"):
        media_storage_config("s3", options={"bucket_name": ""})
    with pytest.raises(ValueError, match="MEDIA_STORAGE"):
        media_storage_config("ftp")
