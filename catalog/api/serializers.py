"""Catalog API shapes: query-string validation, request bodies and responses (contract "Catalog")."""

from __future__ import annotations

from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from catalog.media import media_url
from catalog.models import ProductStatus
from catalog.search import MAX_QUERY_LENGTH
from catalog.selectors import ORDERINGS
from ecommerce.common.api_fields import StrictCharField, StrictIntegerField

MANAGER_ID_REGEX = r"^[A-Za-z0-9_-]{1,64}$"


# --- query strings -------------------------------------------------------------------------


@extend_schema_field(OpenApiTypes.BOOL)
class BooleanQueryField(serializers.ChoiceField):
    """A query flag spelt exactly ``true`` or ``false`` (``yes``, ``1`` are refused), documented as a
    boolean so a generated client takes a ``bool``."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(choices=["true", "false"], **kwargs)

    def to_internal_value(self, data: Any) -> bool:  # type: ignore[override]  # a flag, not the choice
        return super().to_internal_value(data) == "true"


class ProductListQuerySerializer(serializers.Serializer):
    search = StrictCharField(
        required=False,
        allow_blank=True,
        max_length=MAX_QUERY_LENGTH,
        help_text="Full-text search over name and description; ranks by relevance. "
        "On PostgreSQL small typos in the name still match.",
    )
    category = StrictCharField(
        required=False,
        max_length=140,
        help_text="Category public id (`cat_…`) or slug; products of its sub-categories are included.",
    )
    min_price = serializers.DecimalField(
        required=False, max_digits=12, decimal_places=2, min_value=0, help_text="Lowest price (inclusive)."
    )
    max_price = serializers.DecimalField(
        required=False, max_digits=12, decimal_places=2, min_value=0, help_text="Highest price (inclusive)."
    )
    in_stock = BooleanQueryField(required=False, help_text="`true`: only products with quantity > 0.")
    status = serializers.ChoiceField(
        required=False,
        choices=ProductStatus.values,
        help_text="Only products of this status. Discontinued products are listed only with "
        "`status=discontinued`.",
    )
    manager_id = serializers.RegexField(
        MANAGER_ID_REGEX, required=False, help_text="Only the products of this store manager."
    )
    ordering = serializers.ChoiceField(
        required=False,
        choices=list(ORDERINGS),
        help_text="Sort order. Default: `relevance` with `search`, else `-created_at`. "
        "`relevance` needs `search`.",
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        low, high = attrs.get("min_price"), attrs.get("max_price")
        if low is not None and high is not None and low > high:
            raise serializers.ValidationError({"min_price": "must not be greater than max_price."})
        attrs["search"] = (attrs.get("search") or "").strip() or None
        if attrs.get("ordering") == "relevance" and not attrs["search"]:
            raise serializers.ValidationError({"ordering": "'relevance' can only be used with 'search'."})
        attrs["in_stock"] = bool(attrs.get("in_stock"))
        return attrs


# --- products ------------------------------------------------------------------------------


class CategoryRefSerializer(serializers.Serializer):
    id = StrictCharField(source="public_id", help_text="Category public id (`cat_…`).")
    name = StrictCharField()
    slug = StrictCharField()

    class Meta:
        ref_name = "CategoryRef"


class ImageRenditionSerializer(serializers.Serializer):
    width = serializers.IntegerField(min_value=1)
    height = serializers.IntegerField(min_value=1)
    format = serializers.ChoiceField(choices=["jpeg", "png", "webp"])
    url = serializers.SerializerMethodField()

    class Meta:
        ref_name = "ImageRendition"

    def get_url(self, rendition: dict[str, Any]) -> str:
        return media_url(rendition["name"])


class ProductImageSerializer(serializers.Serializer):
    id = StrictCharField(source="public_id", help_text="Image public id (`img_…`).")
    alt = StrictCharField()
    position = serializers.IntegerField(min_value=0)
    variant_id = StrictCharField(
        source="variant.public_id",
        allow_null=True,
        help_text="The variant (`var_…`) this image shows, or null for the whole product.",
    )
    width = serializers.IntegerField(min_value=1, help_text="Width of the stored original, in pixels.")
    height = serializers.IntegerField(min_value=1, help_text="Height of the stored original, in pixels.")
    url = serializers.SerializerMethodField(help_text="URL of the original (EXIF stripped, upright).")
    renditions = ImageRenditionSerializer(
        many=True,
        help_text="Smaller copies (each configured width, in the original's format and WebP), made in "
        "the background after the upload: empty until they exist.",
    )

    class Meta:
        ref_name = "ProductImage"

    def get_url(self, image: Any) -> str:
        return media_url(image.file.name)


class ProductSerializer(serializers.Serializer):
    id = StrictCharField(source="public_id", help_text="Product public id (`prod_…`).")
    name = StrictCharField()
    slug = StrictCharField()
    description = StrictCharField()
    price = serializers.DecimalField(max_digits=12, decimal_places=2, min_value=0)
    quantity = serializers.IntegerField()
    status = serializers.ChoiceField(choices=ProductStatus.values)
    categories = CategoryRefSerializer(many=True)
    image_url = StrictCharField(help_text="An external picture's URL (uploaded ones are in `images`).")
    images = ProductImageSerializer(many=True, help_text="Uploaded images in `position` order.")
    manager_id = StrictCharField(
        source="manager.external_id", allow_null=True, help_text="Owning store manager's id, or null."
    )
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()

    class Meta:
        ref_name = "Product"


class ProductWriteSerializer(serializers.Serializer):
    """POST and PUT need name, price and quantity; PATCH any subset."""

    name = StrictCharField(max_length=200)
    slug = serializers.SlugField(
        max_length=200,
        required=False,
        help_text="Defaults to one made from the name; a taken slug gets a suffix.",
    )
    description = StrictCharField(required=False, allow_blank=True, max_length=20_000)
    price = serializers.DecimalField(max_digits=12, decimal_places=2, min_value=0)
    quantity = StrictIntegerField(min_value=0, max_value=2_147_483_647)
    categories = serializers.ListField(
        child=StrictCharField(max_length=64),
        required=False,
        max_length=100,
        help_text="Category public ids; replaces the product's categories.",
    )
    image_url = serializers.URLField(required=False, allow_blank=True, max_length=500)
    manager_id = serializers.RegexField(
        MANAGER_ID_REGEX,
        required=False,
        allow_null=True,
        help_text="An existing store manager's id, or null.",
    )
    discontinued = serializers.BooleanField(
        required=False, help_text="Discontinue (or bring back) the product."
    )

    class Meta:
        ref_name = "ProductWrite"


class ProductImageUploadSerializer(serializers.Serializer):
    """``multipart/form-data``: the picture and its optional fields."""

    file = serializers.FileField(
        allow_empty_file=False,
        use_url=False,
        help_text="A JPEG, PNG or WebP picture (judged by its content). Its EXIF orientation is applied "
        "and its metadata (EXIF, GPS, XMP) stripped.",
    )
    alt = StrictCharField(required=False, allow_blank=True, max_length=255, help_text="Alternative text.")
    position = serializers.IntegerField(  # a form field: digits as text
        required=False, min_value=0, max_value=1_000_000, help_text="Default: after the last image."
    )
    variant_id = StrictCharField(
        required=False, allow_null=True, max_length=64, help_text="A variant of this product (`var_…`)."
    )

    class Meta:
        ref_name = "ProductImageUpload"


class ProductImageWriteSerializer(serializers.Serializer):
    """PATCH: any subset."""

    alt = StrictCharField(required=False, allow_blank=True, max_length=255)
    position = StrictIntegerField(required=False, min_value=0, max_value=1_000_000)
    variant_id = StrictCharField(
        required=False, allow_null=True, max_length=64, help_text="A variant of this product, or null."
    )

    class Meta:
        ref_name = "ProductImageWrite"


# --- categories ----------------------------------------------------------------------------


class CategoryNodeSerializer(serializers.Serializer):
    id = StrictCharField(help_text="Category public id (`cat_…`).")
    name = StrictCharField()
    slug = StrictCharField()
    parent = StrictCharField(allow_null=True, help_text="Parent's public id, or null for a root.")  # type: ignore[assignment]  # a field named parent (the stubs see Field.parent)

    class Meta:
        ref_name = "Category"

    def get_fields(self) -> dict[str, serializers.Field]:
        fields = super().get_fields()
        fields["children"] = CategoryNodeSerializer(many=True, help_text="Sub-categories, recursively.")
        return fields


class CategoryWriteSerializer(serializers.Serializer):
    """POST needs a name; PATCH any subset."""

    name = StrictCharField(max_length=120)
    slug = serializers.SlugField(
        max_length=120,
        required=False,
        help_text="Defaults to one made from the name; a taken slug gets a suffix.",
    )
    parent = StrictCharField(  # type: ignore[assignment]  # a field named parent (the stubs see Field.parent)
        max_length=64, required=False, allow_null=True, help_text="Parent's public id; null makes a root."
    )
    position = StrictIntegerField(min_value=0, max_value=1_000_000, required=False)

    class Meta:
        ref_name = "CategoryWrite"
