"""Product images: upload (multipart, admins), Pillow's checks, EXIF, renditions, files, listing."""

from __future__ import annotations

import io

import pytest
from django.core.files.storage import default_storage
from PIL import ExifTags, Image

from catalog.models import ProductImage
from tests.factories import ProductFactory, UserFactory
from tests.helpers.images import BLUE, RED, jpeg_with_orientation_and_gps, picture, png_bomb, upload

pytestmark = pytest.mark.django_db


def images_url(product) -> str:
    return f"/api/products/{product.public_id}/images/"


def post_image(client, product, content: bytes, **fields):
    name = fields.pop("name", "picture.jpg")
    content_type = fields.pop("content_type", "image/jpeg")
    return client.post(
        images_url(product), {"file": upload(content, name, content_type), **fields}, format="multipart"
    )


def stored(name: str) -> Image.Image:
    with default_storage.open(name, "rb") as handle:
        image = Image.open(io.BytesIO(handle.read()))
        image.load()
    return image


def near(pixel, colour, tolerance: int = 40) -> bool:
    return all(abs(a - b) <= tolerance for a, b in zip(pixel[:3], colour, strict=True))


# --- upload ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fmt", "extension", "pillow_format"),
    [("JPEG", "jpg", "JPEG"), ("PNG", "png", "PNG"), ("WEBP", "webp", "WEBP")],
)
def test_upload_jpeg_png_webp(admin_client, fmt, extension, pillow_format):
    product = ProductFactory()

    response = post_image(admin_client, product, picture(fmt, (640, 480)), alt="Front", name="x.bin")

    assert response.status_code == 201, response.content
    body = response.json()
    image = ProductImage.objects.get(public_id=body["id"])
    assert body["id"].startswith("img_")
    assert body == {
        "id": image.public_id,
        "alt": "Front",
        "position": 0,
        "variant_id": None,
        "width": 640,
        "height": 480,
        "url": f"/media/{image.file.name}",
        "renditions": [],  # made after the commit, in the background
    }
    assert response["Location"].endswith(f"/api/products/{product.public_id}/images/{image.public_id}/")
    assert image.file.name == f"products/{product.public_id}/{image.public_id}.{extension}"
    assert stored(image.file.name).format == pillow_format
    assert image.product_id == product.pk


def test_upload_positions_follow_the_last_image_unless_given(admin_client):
    product = ProductFactory()
    first = post_image(admin_client, product, picture(size=(64, 64))).json()
    second = post_image(admin_client, product, picture(size=(64, 64))).json()
    chosen = post_image(admin_client, product, picture(size=(64, 64)), position="7").json()
    assert (first["position"], second["position"], chosen["position"]) == (0, 1, 7)


@pytest.mark.parametrize(
    ("content", "name"),
    [
        (picture("GIF", (40, 40)), "animation.jpg"),
        (b"just some text, not a picture\n" * 10, "notes.jpg"),
        (b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n", "doc.png"),
        (picture("BMP", (40, 40)), "bitmap.webp"),
    ],
    ids=["gif", "text", "pdf", "bmp"],
)
def test_upload_other_content_is_415_whatever_its_name(admin_client, content, name):
    product = ProductFactory()

    response = post_image(admin_client, product, content, name=name, content_type="image/jpeg")

    assert response.status_code == 415, response.content
    assert response.json()["error"]["code"] == "UNSUPPORTED_MEDIA_TYPE"
    assert response.json()["error"]["details"] == {"file": "not a JPEG, PNG or WebP image"}
    assert not ProductImage.objects.exists()


def test_upload_as_json_is_415(admin_client):
    product = ProductFactory()
    response = admin_client.post(images_url(product), {"file": "aGVsbG8="}, format="json")
    assert response.status_code == 415
    assert response.json()["error"]["code"] == "UNSUPPORTED_MEDIA_TYPE"


def test_upload_without_file_is_400(admin_client):
    response = admin_client.post(images_url(ProductFactory()), {"alt": "nothing"}, format="multipart")
    assert response.status_code == 400
    assert set(response.json()["error"]["details"]) == {"file"}


def test_upload_with_a_variant_id_is_400_until_variants_exist(admin_client):
    response = post_image(admin_client, ProductFactory(), picture(size=(32, 32)), variant_id="var_nope")
    assert response.status_code == 400
    assert set(response.json()["error"]["details"]) == {"variant_id"}
    assert not ProductImage.objects.exists()


def test_upload_over_image_max_bytes_is_413(admin_client, settings):
    settings.IMAGE_MAX_BYTES = 1000
    content = picture("PNG", (60, 60), compress_level=0)
    assert 1000 < len(content) < 64 * 1024  # within the request limit, over the file limit

    response = post_image(admin_client, ProductFactory(), content)

    assert response.status_code == 413
    assert response.json()["error"] == {
        "code": "PAYLOAD_TOO_LARGE",
        "message": "The image file is larger than 1000 bytes.",
        "details": {"file": "at most 1000 bytes"},
    }
    assert not ProductImage.objects.exists()


def test_upload_body_over_the_upload_limit_is_413_before_reading(admin_client, settings):
    """A body over both DATA_UPLOAD_MAX_MEMORY_SIZE and the upload's own limit (IMAGE_MAX_BYTES +
    the multipart framing) is refused by the middleware, unread."""
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000
    settings.IMAGE_MAX_BYTES = 1000
    content = picture("PNG", (300, 300), compress_level=0)
    assert len(content) > 1000 + 64 * 1024

    response = post_image(admin_client, ProductFactory(), content)

    assert response.status_code == 413
    assert set(response.json()["error"]["details"]) == {"body"}


def test_upload_may_exceed_the_json_body_limit(admin_client, settings):
    """DATA_UPLOAD_MAX_MEMORY_SIZE bounds JSON bodies; an upload is bounded by IMAGE_MAX_BYTES."""
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000
    content = picture("PNG", (300, 300), compress_level=0)
    assert len(content) > 10_000

    response = post_image(admin_client, ProductFactory(), content)

    assert response.status_code == 201, response.content
    # ... and other endpoints keep the JSON limit
    big = admin_client.post("/api/products/", {"name": "x" * 20_000}, format="json")
    assert big.status_code == 413


def test_decompression_bomb_is_400(admin_client):
    bomb = png_bomb()
    assert len(bomb) < 1000  # claims 10^10 pixels

    response = post_image(admin_client, ProductFactory(), bomb, name="bomb.png")

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "INVALID_REQUEST"
    assert "pixels" in response.json()["error"]["details"]["file"]
    assert not ProductImage.objects.exists()


def test_picture_over_image_max_pixels_is_400(admin_client, settings):
    settings.IMAGE_MAX_PIXELS = 100 * 100
    response = post_image(admin_client, ProductFactory(), picture(size=(101, 100)))
    assert response.status_code == 400
    assert response.json()["error"]["details"] == {"file": "at most 10000 pixels"}
    assert post_image(admin_client, ProductFactory(), picture(size=(100, 100))).status_code == 201


def test_truncated_picture_is_400(admin_client):
    content = picture("PNG", (200, 200))
    response = post_image(admin_client, ProductFactory(), content[: len(content) // 2], name="half.png")
    assert response.status_code == 400
    assert response.json()["error"]["details"] == {"file": "truncated or corrupt image"}


def test_exif_orientation_applied_and_exif_with_gps_stripped(admin_client):
    source = jpeg_with_orientation_and_gps(size=(300, 200), orientation=6)
    original = Image.open(io.BytesIO(source))
    assert original.getexif()[ExifTags.Base.Orientation] == 6
    assert original.getexif().get_ifd(ExifTags.IFD.GPSInfo)  # the test picture does carry GPS

    response = post_image(admin_client, ProductFactory(), source)

    assert response.status_code == 201
    body = response.json()
    assert (body["width"], body["height"]) == (200, 300)  # turned upright
    image = stored(ProductImage.objects.get().file.name)
    assert image.size == (200, 300)
    # orientation 6: turn 90° clockwise, so the left (red) half is now on top
    assert near(image.getpixel((100, 30)), RED) and near(image.getpixel((100, 270)), BLUE)
    assert not image.getexif()
    assert "exif" not in image.info and "xmp" not in image.info
    with default_storage.open(ProductImage.objects.get().file.name, "rb") as handle:
        raw = handle.read()
    assert b"Exif" not in raw and b"Test camera" not in raw


def test_png_text_and_webp_exif_are_stripped_too(admin_client):
    from PIL import PngImagePlugin

    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", "secret-location")
    png = picture("PNG", (50, 40), pnginfo=info)
    exif = Image.Exif()
    exif[ExifTags.Base.Model] = "Test camera"
    webp = picture("WEBP", (50, 40), exif=exif.tobytes())
    product = ProductFactory()

    for content in (png, webp):
        assert post_image(admin_client, product, content).status_code == 201

    for image in ProductImage.objects.all():
        with default_storage.open(image.file.name, "rb") as handle:
            raw = handle.read()
        assert b"secret-location" not in raw and b"Test camera" not in raw


# --- renditions --------------------------------------------------------------------------------


def test_renditions_made_after_commit_with_their_sizes_and_webp(
    admin_client, django_capture_on_commit_callbacks
):
    product = ProductFactory()
    with django_capture_on_commit_callbacks(execute=True):
        response = post_image(admin_client, product, picture("JPEG", (1200, 800)))
    assert response.status_code == 201

    image = ProductImage.objects.get()
    made = {(r["width"], r["height"], r["format"]) for r in image.renditions}
    assert made == {
        (160, 107, "jpeg"),
        (160, 107, "webp"),
        (480, 320, "jpeg"),
        (480, 320, "webp"),
        (1024, 683, "jpeg"),
        (1024, 683, "webp"),
    }
    for rendition in image.renditions:
        picture_file = stored(rendition["name"])
        assert picture_file.size == (rendition["width"], rendition["height"])
        assert picture_file.format == rendition["format"].upper()
        assert rendition["name"].startswith(f"products/{product.public_id}/{image.public_id}_")

    detail = admin_client.get(f"/api/products/{product.public_id}/").json()
    listed = detail["images"][0]["renditions"]
    assert {(r["width"], r["format"]) for r in listed} == {(r[0], r[2]) for r in made}
    assert all(r["url"].startswith(f"/media/products/{product.public_id}/") for r in listed)
    assert all(set(r) == {"width", "height", "format", "url"} for r in listed)


def test_renditions_never_enlarge_and_the_task_is_idempotent(
    admin_client, django_capture_on_commit_callbacks, settings
):
    from catalog.tasks import image_renditions_make

    settings.IMAGE_RENDITION_WIDTHS = [160, 480, 1024]
    with django_capture_on_commit_callbacks(execute=True):
        post_image(admin_client, ProductFactory(), picture("WEBP", (500, 250)))
    image = ProductImage.objects.get()
    first = list(image.renditions)
    assert {(r["width"], r["format"]) for r in first} == {(160, "webp"), (480, "webp")}

    with django_capture_on_commit_callbacks(execute=True):
        assert image_renditions_make(image.pk) == 2  # a second run changes nothing
    image.refresh_from_db()
    assert image.renditions == first
    files = default_storage.listdir(f"products/{image.product.public_id}")[1]
    assert len(files) == 3  # original + 2 renditions, no duplicates


def test_small_picture_gets_one_webp_copy(admin_client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        post_image(admin_client, ProductFactory(), picture("PNG", (100, 60)))
    assert [(r["width"], r["height"], r["format"]) for r in ProductImage.objects.get().renditions] == [
        (100, 60, "webp")
    ]


# --- change, delete, files ---------------------------------------------------------------------


def detail_url(image: ProductImage) -> str:
    return f"/api/products/{image.product.public_id}/images/{image.public_id}/"


def test_patch_changes_alt_and_position(admin_client):
    product = ProductFactory()
    post_image(admin_client, product, picture(size=(64, 64)))
    image = ProductImage.objects.get()

    response = admin_client.patch(detail_url(image), {"alt": "Side", "position": 5}, format="json")

    assert response.status_code == 200
    assert (response.json()["alt"], response.json()["position"]) == ("Side", 5)
    image.refresh_from_db()
    assert (image.alt, image.position) == ("Side", 5)


def test_image_of_another_product_is_404(admin_client):
    post_image(admin_client, ProductFactory(), picture(size=(64, 64)))
    image = ProductImage.objects.get()
    other = ProductFactory()
    url = f"/api/products/{other.public_id}/images/{image.public_id}/"
    assert admin_client.patch(url, {"alt": "x"}, format="json").status_code == 404
    assert admin_client.delete(url).status_code == 404
    assert admin_client.delete(f"/api/products/prod_nope/images/{image.public_id}/").status_code == 404
    assert ProductImage.objects.filter(pk=image.pk, alt="").exists()


def test_upload_to_an_unknown_product_is_404_and_stores_nothing(admin_client):
    response = admin_client.post(
        "/api/products/prod_nope/images/",
        {"file": upload(picture(size=(64, 64)), "x.jpg", "image/jpeg")},
        format="multipart",
    )
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "PRODUCT_NOT_FOUND"
    assert not ProductImage.objects.exists()


def _files_of(image: ProductImage) -> list[str]:
    names = image.storage_names()
    assert len(names) > 1 and all(default_storage.exists(name) for name in names)
    return names


def test_delete_image_removes_its_files_after_commit(admin_client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        post_image(admin_client, ProductFactory(), picture(size=(600, 400)))
    image = ProductImage.objects.get()
    names = _files_of(image)

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        assert admin_client.delete(detail_url(image)).status_code == 204
    assert all(default_storage.exists(name) for name in names)  # not before the commit
    for callback in callbacks:
        callback()

    assert not ProductImage.objects.exists()
    assert not any(default_storage.exists(name) for name in names)


def test_delete_product_removes_its_image_files(admin_client, django_capture_on_commit_callbacks):
    product = ProductFactory()
    with django_capture_on_commit_callbacks(execute=True):
        post_image(admin_client, product, picture(size=(600, 400)))
        post_image(admin_client, product, picture("PNG", (300, 200)))
    names = [name for image in ProductImage.objects.all() for name in _files_of(image)]

    with django_capture_on_commit_callbacks(execute=True):
        assert admin_client.delete(f"/api/products/{product.public_id}/").status_code == 204

    assert not ProductImage.objects.exists()
    assert not any(default_storage.exists(name) for name in names)


def test_failed_upload_leaves_no_file(admin_client, settings):
    """The file is written before the transaction; a failure inside it removes the file again."""
    from catalog import services
    from catalog.exceptions import ProductNotFound

    product = ProductFactory()
    product_pk = product.pk
    product.delete()
    product.pk = product_pk  # a product deleted between the view's read and the service's lock
    with pytest.raises(ProductNotFound):
        services.product_image_add(product=product, upload=io.BytesIO(picture(size=(64, 64))), size=100)
    assert (
        not default_storage.exists(f"products/{product.public_id}")
        or not default_storage.listdir(f"products/{product.public_id}")[1]
    )


# --- permissions -------------------------------------------------------------------------------


def test_anonymous_401_and_customer_403(api_client, auth_client, admin_client):
    product = ProductFactory()
    post_image(admin_client, product, picture(size=(64, 64)))
    image = ProductImage.objects.get()
    customer = auth_client(UserFactory())

    for client, status, code in (
        (api_client, 401, "AUTHENTICATION_REQUIRED"),
        (customer, 403, "PERMISSION_DENIED"),
    ):
        responses = [
            post_image(client, product, picture(size=(64, 64))),
            client.patch(detail_url(image), {"alt": "x"}, format="json"),
            client.delete(detail_url(image)),
        ]
        assert [r.status_code for r in responses] == [status] * 3
        assert {r.json()["error"]["code"] for r in responses} == {code}
    assert ProductImage.objects.count() == 1 and ProductImage.objects.get().alt == ""


# --- product responses ---------------------------------------------------------------------------


def test_product_detail_lists_images_in_position_order(admin_client, api_client):
    product = ProductFactory()
    ids = [
        post_image(admin_client, product, picture(size=(64, 64)), alt=f"{n}").json()["id"] for n in range(3)
    ]
    last = ProductImage.objects.get(public_id=ids[2])
    admin_client.patch(detail_url(last), {"position": 0}, format="json")
    first = ProductImage.objects.get(public_id=ids[0])
    admin_client.patch(detail_url(first), {"position": 2}, format="json")

    body = api_client.get(f"/api/products/{product.public_id}/").json()

    assert [image["id"] for image in body["images"]] == [ids[2], ids[1], ids[0]]
    assert [image["position"] for image in body["images"]] == [0, 1, 2]
    assert body["image_url"] == product.image_url  # the external picture stays


def test_product_list_with_images_keeps_its_query_budget(
    admin_client, api_client, django_assert_max_num_queries
):
    for _ in range(12):
        product = ProductFactory()
        for _ in range(2):
            post_image(admin_client, product, picture(size=(32, 32)))

    with django_assert_max_num_queries(5):  # count, page, categories, variants, images
        body = api_client.get("/api/products/", {"page_size": 10}).json()

    assert len(body["results"]) == 10
    assert all(len(product["images"]) == 2 for product in body["results"])


def test_malformed_multipart_is_400_in_the_envelope(admin_client):
    response = admin_client.generic(
        "POST",
        images_url(ProductFactory()),
        data=b"not multipart at all",
        content_type="multipart/form-data; boundary=",
    )
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "INVALID_REQUEST"
    assert response.json()["error"]["message"] == "The request body is not valid multipart/form-data."
