"""Catalog API shapes: query-string validation, request bodies and responses (contract "Catalog")."""

from __future__ import annotations

from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.fields import empty

from catalog.media import media_url
from catalog.models import AttributeType, ProductStatus, TaxClass
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
        "On PostgreSQL small typos in the name still match. Also finds the product of an active "
        "variant whose SKU equals the query (case-insensitive, surrounding spaces ignored; ranked "
        "first) or one of whose option values equals the whole query (e.g. `red`, `XL`, `navy "
        "blue`; case-insensitive; ranked after name and description matches).",
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
    facets = StrictCharField(
        required=False,
        max_length=700,
        help_text="Comma-separated filterable attribute slugs and/or `price`: the page then carries "
        "`facets`, the count of matching products per attribute value and per price bucket, for "
        "the current filter.",
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


class FacetValueSerializer(serializers.Serializer):
    value = serializers.JSONField(help_text="A value of the attribute (string, number or boolean).")
    count = serializers.IntegerField(min_value=1, help_text="Matching products with this value.")

    class Meta:
        ref_name = "FacetValue"


class PriceBucketSerializer(serializers.Serializer):
    min = serializers.DecimalField(max_digits=12, decimal_places=2, help_text="Inclusive.")
    max = serializers.DecimalField(
        max_digits=12, decimal_places=2, allow_null=True, help_text="Exclusive; null for the last bucket."
    )
    count = serializers.IntegerField(min_value=1, help_text="Matching products priced in the bucket.")

    class Meta:
        ref_name = "PriceBucket"


def facets_data(facets: dict[str, list[dict[str, Any]]]) -> dict[str, list[Any]]:
    """The ``facets`` object of a product list page."""
    return {
        slug: list((PriceBucketSerializer if slug == "price" else FacetValueSerializer)(rows, many=True).data)
        for slug, rows in facets.items()
    }


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


class VariantSerializer(serializers.Serializer):
    id = StrictCharField(source="public_id", help_text="Variant public id (`var_…`).")
    sku = StrictCharField()
    options = serializers.DictField(child=StrictCharField(), help_text='Option values, e.g. `{"size": "M"}`.')
    price = serializers.DecimalField(max_digits=12, decimal_places=2, min_value=0)
    compare_at_price = serializers.DecimalField(max_digits=12, decimal_places=2, min_value=0, allow_null=True)
    quantity = serializers.IntegerField()
    status = serializers.ChoiceField(choices=ProductStatus.values, help_text="`discontinued` when inactive.")
    weight_grams = serializers.IntegerField(allow_null=True)
    tax_class = serializers.ChoiceField(choices=TaxClass.values)
    position = serializers.IntegerField()
    is_active = serializers.BooleanField()
    attributes = serializers.DictField(
        help_text="The variant's own attribute values, `{slug: value}` (the product's apply to every variant)."
    )
    images = serializers.SerializerMethodField(help_text="The variant's images (see the product's `images`).")

    class Meta:
        ref_name = "Variant"

    @extend_schema_field(ProductImageSerializer(many=True))
    def get_images(self, variant: Any) -> list[Any]:
        """The product's images of this variant: from the product's prefetched images in product
        responses (no query), else read (the per-variant endpoints)."""
        cache = getattr(variant, "_state", None) and variant._state.fields_cache.get("product")
        prefetched = getattr(cache, "_prefetched_objects_cache", {}).get("images") if cache else None
        images = (
            [image for image in prefetched if image.variant_id == variant.pk]
            if prefetched is not None
            else list(variant.images.order_by("position", "id"))
        )
        return list(ProductImageSerializer(images, many=True).data)


class PriceRangeSerializer(serializers.Serializer):
    min = serializers.DecimalField(max_digits=12, decimal_places=2, min_value=0)
    max = serializers.DecimalField(max_digits=12, decimal_places=2, min_value=0)

    class Meta:
        ref_name = "PriceRange"


def _active_variants(product: Any) -> list[Any]:
    return [v for v in product.variants.all() if v.is_active]


class ProductSerializer(serializers.Serializer):
    id = StrictCharField(source="public_id", help_text="Product public id (`prod_…`).")
    name = StrictCharField()
    slug = StrictCharField()
    description = StrictCharField()
    price = serializers.DecimalField(
        max_digits=12, decimal_places=2, min_value=0, help_text="The lowest price of its active variants."
    )
    quantity = serializers.IntegerField(help_text="The total stock of its active variants.")
    status = serializers.ChoiceField(choices=ProductStatus.values)
    in_stock = serializers.BooleanField(
        help_text="Some active variant has units (and it is not discontinued)."
    )
    price_range = serializers.SerializerMethodField()
    options = serializers.ListField(
        child=StrictCharField(), help_text='Option names, e.g. `["size", "color"]`.'
    )
    variants = serializers.SerializerMethodField()
    categories = CategoryRefSerializer(many=True)
    image_url = StrictCharField(help_text="An external picture's URL (uploaded ones are in `images`).")
    images = ProductImageSerializer(many=True, help_text="Uploaded images in `position` order.")
    attributes = serializers.DictField(
        help_text='Attribute values, `{slug: value}` (e.g. `{"material": "cotton", "organic": true}`); '
        "the definitions are at `/api/attributes/`."
    )
    manager_id = StrictCharField(
        source="manager.external_id", allow_null=True, help_text="Owning store manager's id, or null."
    )
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()

    class Meta:
        ref_name = "Product"

    @extend_schema_field(PriceRangeSerializer)
    def get_price_range(self, product: Any) -> dict[str, Any]:
        prices = [v.price for v in _active_variants(product)] or [product.price]
        return PriceRangeSerializer({"min": min(prices), "max": max(prices)}).data

    @extend_schema_field(VariantSerializer(many=True))
    def get_variants(self, product: Any) -> list[Any]:
        return list(VariantSerializer(_active_variants(product), many=True).data)


class VariantWriteSerializer(serializers.Serializer):
    """A variant in a product's nested write (``id``: update that one; none: create) or on its
    own endpoint. ``price`` is needed to create one."""

    id = StrictCharField(max_length=64, required=False, help_text="An existing variant of this product.")
    sku = StrictCharField(max_length=64, required=False, help_text="Unique; generated when left out.")
    options = serializers.DictField(
        child=StrictCharField(max_length=100),
        required=False,
        help_text="A value for each of the product's options.",
    )
    price = serializers.DecimalField(max_digits=12, decimal_places=2, min_value=0, required=False)
    compare_at_price = serializers.DecimalField(
        max_digits=12, decimal_places=2, min_value=0, required=False, allow_null=True
    )
    quantity = StrictIntegerField(min_value=0, max_value=2_147_483_647, required=False)
    weight_grams = StrictIntegerField(min_value=0, max_value=10_000_000, required=False, allow_null=True)
    is_active = serializers.BooleanField(required=False)
    position = StrictIntegerField(min_value=0, max_value=1_000_000, required=False)
    tax_class = serializers.ChoiceField(choices=TaxClass.values, required=False)
    attributes = serializers.DictField(
        required=False,
        help_text="`{slug: value}` of defined attributes (`/api/attributes/`): a string for text and "
        "choice, a number for number, a boolean for boolean. Replaces the values set before.",
    )

    class Meta:
        ref_name = "VariantWrite"


class ProductWriteSerializer(serializers.Serializer):
    """POST and PUT need name, and price and quantity unless ``variants`` are given; PATCH any
    subset."""

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
    options = serializers.ListField(
        child=StrictCharField(max_length=50), required=False, max_length=10, help_text="Option names."
    )
    variants = VariantWriteSerializer(
        many=True,
        required=False,
        help_text="Nested: with an `id` updates that variant, without creates one; one left out of "
        "a PUT is removed (deactivated when orders reference it).",
    )
    attributes = serializers.DictField(
        required=False,
        help_text="`{slug: value}` of defined attributes (`/api/attributes/`): a string for text and "
        "choice, a number for number, a boolean for boolean. Replaces the values set before.",
    )

    class Meta:
        ref_name = "ProductWrite"

    def get_fields(self) -> dict[str, serializers.Field]:
        fields = super().get_fields()
        data = getattr(self, "initial_data", None)
        if isinstance(data, dict) and "variants" in data:  # price and stock are per variant then
            fields["price"].required = False
            fields["quantity"].required = False
        return fields


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


# --- attributes ----------------------------------------------------------------------------


class AttributeSerializer(serializers.Serializer):
    id = StrictCharField(source="public_id", help_text="Attribute public id (`attr_…`).")
    slug = StrictCharField(help_text="The key of its values in `attributes` and of `attr.<slug>` filters.")
    name = StrictCharField()
    type = serializers.ChoiceField(choices=AttributeType.values)
    unit = serializers.SerializerMethodField(help_text="Number attributes' unit (e.g. `cm`), or null.")
    choices = serializers.SerializerMethodField(help_text="A choice attribute's allowed values, or null.")
    filterable = serializers.BooleanField(help_text="Usable in `attr.<slug>` filters and `facets`.")
    position = serializers.IntegerField()

    class Meta:
        ref_name = "Attribute"

    @extend_schema_field({"type": "string", "nullable": True})
    def get_unit(self, attribute: Any) -> str | None:
        return attribute.unit or None

    @extend_schema_field({"type": "array", "items": {"type": "string"}, "nullable": True})
    def get_choices(self, attribute: Any) -> list[str] | None:
        return list(attribute.choices) if attribute.type == AttributeType.CHOICE else None


class AttributeWriteSerializer(serializers.Serializer):
    """POST needs slug, name and type; PATCH any subset."""

    slug = serializers.SlugField(max_length=64)
    name = StrictCharField(max_length=120)
    type = serializers.ChoiceField(choices=AttributeType.values)
    unit = StrictCharField(max_length=32, required=False, allow_blank=True, allow_null=True)
    choices = serializers.ListField(
        child=StrictCharField(max_length=200), required=False, allow_null=True, max_length=500
    )
    filterable = serializers.BooleanField(required=False)
    position = StrictIntegerField(min_value=0, max_value=1_000_000, required=False)

    class Meta:
        ref_name = "AttributeWrite"

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if "unit" in attrs:
            attrs["unit"] = attrs["unit"] or ""
        if "choices" in attrs:
            attrs["choices"] = list(attrs["choices"] or [])
        return attrs


# --- CSV import ----------------------------------------------------------------------------


class _FormBooleanField(serializers.BooleanField):
    """A form's boolean that is absent when not sent (DRF's reads a missing one as ``false``)."""

    default_empty_html = empty


class ProductImportSerializer(serializers.Serializer):
    """``multipart/form-data``: the CSV file, and ``commit`` (also accepted in the query string)."""

    file = serializers.FileField(
        allow_empty_file=False,
        use_url=False,
        help_text="The CSV (UTF-8, a BOM tolerated), one row per variant; columns in docs/catalog.md.",
    )
    commit = _FormBooleanField(
        required=False, help_text="`true`: write it (all or nothing). Default `false`: a preview."
    )


class ProductImportQuerySerializer(serializers.Serializer):
    commit = serializers.BooleanField(
        required=False, help_text="`true`: write it (all or nothing). Default `false`: a preview."
    )


class ImportRowErrorSerializer(serializers.Serializer):
    line = serializers.IntegerField(
        help_text="The line of the file (the header is line 1; 0: the whole file)."
    )
    field = serializers.CharField(help_text="The column, or empty for the line as a whole.", allow_blank=True)
    message = serializers.CharField()


class ImportSummarySerializer(serializers.Serializer):
    products_created = serializers.IntegerField()
    products_updated = serializers.IntegerField()
    variants_created = serializers.IntegerField()
    variants_updated = serializers.IntegerField()
    stock_changes = serializers.IntegerField(help_text="Variants whose stock changes (ledger rows `import`).")


class ProductImportResultSerializer(serializers.Serializer):
    valid = serializers.BooleanField(help_text="No errors: a commit would (or did) write it.")
    committed = serializers.BooleanField(help_text="`true` when written; a preview writes nothing.")
    summary = ImportSummarySerializer()
    errors = ImportRowErrorSerializer(many=True)  # type: ignore[assignment]  # the field named "errors"
