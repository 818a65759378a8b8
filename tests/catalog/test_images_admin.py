"""Product images in the Django admin: an inline with thumbnails, added through Pillow's checks,
reordered by position, deleted with their files."""

from __future__ import annotations

import pytest
from django.core.files.storage import default_storage
from django.urls import reverse

from catalog.models import ProductImage
from tests.factories import ProductFactory
from tests.helpers.admin_forms import variant_inline_forms
from tests.helpers.images import picture, upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(client, admin_user):
    client.force_login(admin_user)
    return client


def _form(product, rows: list[dict[str, object]], initial: int) -> dict[str, object]:
    data: dict[str, object] = {
        "name": product.name,
        "slug": product.slug,
        "description": product.description,
        "price": str(product.price),
        "image_url": "",
        "manager": "",
        "stock_change": "",
        "stock_reason": "",
        "stock_note": "",
        "images-TOTAL_FORMS": str(len(rows)),
        "images-INITIAL_FORMS": str(initial),
        "images-MIN_NUM_FORMS": "0",
        "images-MAX_NUM_FORMS": "1000",
    }
    for index, row in enumerate(rows):
        for key, value in row.items():
            data[f"images-{index}-{key}"] = value
    data.update(variant_inline_forms(product))  # the variants inline, unchanged
    return data


def test_admin_adds_reorders_and_deletes_images_with_thumbnails(
    staff_client, django_capture_on_commit_callbacks
):
    product = ProductFactory()
    url = reverse("admin:catalog_product_change", args=[product.pk])

    with django_capture_on_commit_callbacks(execute=True):
        added = staff_client.post(
            url,
            _form(
                product,
                [
                    {"file": upload(picture("JPEG", (400, 300))), "alt": "Front", "position": ""},
                    {"file": upload(picture("PNG", (300, 300)), "b.png"), "alt": "Back", "position": ""},
                ],
                initial=0,
            ),
        )
    assert added.status_code == 302, added.content
    front, back = ProductImage.objects.order_by("position")
    assert (front.alt, front.position, back.alt, back.position) == ("Front", 0, "Back", 1)
    assert front.renditions  # made after the commit

    page = staff_client.get(url)
    smallest = min(front.renditions, key=lambda r: r["width"])
    assert f'<img src="/media/{smallest["name"]}" alt="Front"'.encode() in page.content

    rows = [
        {"id": front.pk, "product": product.pk, "alt": "Front", "position": "5"},
        {"id": back.pk, "product": product.pk, "alt": "Back", "position": "0"},
    ]
    with django_capture_on_commit_callbacks(execute=True):
        assert staff_client.post(url, _form(product, rows, initial=2)).status_code == 302
    assert list(ProductImage.objects.values_list("alt", flat=True)) == ["Back", "Front"]

    names = back.storage_names()
    rows[1]["DELETE"] = "on"
    with django_capture_on_commit_callbacks(execute=True):
        assert staff_client.post(url, _form(product, rows, initial=2)).status_code == 302
    assert list(ProductImage.objects.values_list("alt", flat=True)) == ["Front"]
    assert not any(default_storage.exists(name) for name in names)


def test_admin_refuses_a_file_that_is_not_an_image(staff_client):
    product = ProductFactory()
    url = reverse("admin:catalog_product_change", args=[product.pk])
    response = staff_client.post(
        url,
        _form(product, [{"file": upload(picture("GIF", (20, 20)), "a.jpg"), "alt": "", "position": ""}], 0),
    )
    assert response.status_code == 200  # the form again, with the error
    assert b"Only JPEG, PNG and WebP images are accepted." in response.content
    assert not ProductImage.objects.exists()
