"""Catalog API shapes: query-string validation, request bodies and responses (contract "Catalog")."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from catalog.models import ProductStatus
from catalog.search import MAX_QUERY_LENGTH
from catalog.selectors import ORDERINGS

MANAGER_ID_REGEX = r"^[A-Za-z0-9_-]{1,64}$"


class StrictIntegerField(serializers.IntegerField):
    """An integer given as a JSON integer: no strings, no floats, no booleans."""

    def to_internal_value(self, data: Any) -> int:
        if isinstance(data, bool) or not isinstance(data, int):
            self.fail("invalid")
        return super().to_internal_value(data)


# --- query strings -------------------------------------------------------------------------


class ProductListQuerySerializer(serializers.Serializer):
    search = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=MAX_QUERY_LENGTH,
        help_text="Full-text search over name and description; ranks by relevance. "
        "On PostgreSQL small typos in the name still match.",
    )
    category = serializers.CharField(
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
    in_stock = serializers.ChoiceField(
        required=False, choices=["true", "false"], help_text="`true`: only products with quantity > 0."
    )
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
        attrs["in_stock"] = attrs.get("in_stock") == "true"
        return attrs


# --- products ------------------------------------------------------------------------------


class CategoryRefSerializer(serializers.Serializer):
    id = serializers.CharField(source="public_id", help_text="Category public id (`cat_…`).")
    name = serializers.CharField()
    slug = serializers.CharField()

    class Meta:
        ref_name = "CategoryRef"


class ProductSerializer(serializers.Serializer):
    id = serializers.CharField(source="public_id", help_text="Product public id (`prod_…`).")
    name = serializers.CharField()
    slug = serializers.CharField()
    description = serializers.CharField()
    price = serializers.DecimalField(max_digits=12, decimal_places=2)
    quantity = serializers.IntegerField()
    status = serializers.ChoiceField(choices=ProductStatus.values)
    categories = CategoryRefSerializer(many=True)
    image_url = serializers.CharField()
    manager_id = serializers.CharField(
        source="manager.external_id", allow_null=True, help_text="Owning store manager's id, or null."
    )
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()

    class Meta:
        ref_name = "Product"


class ProductPageSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = ProductSerializer(many=True)

    class Meta:
        ref_name = "ProductPage"


class ProductWriteSerializer(serializers.Serializer):
    """POST and PUT need name, price and quantity; PATCH any subset."""

    name = serializers.CharField(max_length=200)
    slug = serializers.SlugField(
        max_length=200,
        required=False,
        help_text="Defaults to one made from the name; a taken slug gets a suffix.",
    )
    description = serializers.CharField(required=False, allow_blank=True, max_length=20_000)
    price = serializers.DecimalField(max_digits=12, decimal_places=2, min_value=0)
    quantity = StrictIntegerField(min_value=0, max_value=2_147_483_647)
    categories = serializers.ListField(
        child=serializers.CharField(max_length=64),
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


# --- categories ----------------------------------------------------------------------------


class CategoryNodeSerializer(serializers.Serializer):
    id = serializers.CharField(help_text="Category public id (`cat_…`).")
    name = serializers.CharField()
    slug = serializers.CharField()
    parent = serializers.CharField(allow_null=True, help_text="Parent's public id, or null for a root.")  # type: ignore[assignment]  # a field named parent (the stubs see Field.parent)

    class Meta:
        ref_name = "Category"

    def get_fields(self) -> dict[str, serializers.Field]:
        fields = super().get_fields()
        fields["children"] = CategoryNodeSerializer(many=True, help_text="Sub-categories, recursively.")
        return fields


class CategoryPageSerializer(serializers.Serializer):
    count = serializers.IntegerField(help_text="Number of root categories.")
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = CategoryNodeSerializer(many=True)

    class Meta:
        ref_name = "CategoryPage"


class CategoryWriteSerializer(serializers.Serializer):
    """POST needs a name; PATCH any subset."""

    name = serializers.CharField(max_length=120)
    slug = serializers.SlugField(
        max_length=120,
        required=False,
        help_text="Defaults to one made from the name; a taken slug gets a suffix.",
    )
    parent = serializers.CharField(  # type: ignore[assignment]  # a field named parent (the stubs see Field.parent)
        max_length=64, required=False, allow_null=True, help_text="Parent's public id; null makes a root."
    )
    position = StrictIntegerField(min_value=0, max_value=1_000_000, required=False)

    class Meta:
        ref_name = "CategoryWrite"
