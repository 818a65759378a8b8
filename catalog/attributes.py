"""Product attributes: their definitions (admin writes), the values set on products and variants
(validated and made canonical here), and the index that filters and facets read.

A value is stored twice, by design: as given (canonical) in ``Product.attributes`` /
``ProductVariant.attributes`` (``{slug: value}``), which responses show without a query, and
as :class:`~catalog.models.ProductAttributeValue` rows, one per distinct (attribute, value) of
the product or any of its active variants, which the list filters and counts on indexes.
:func:`attribute_index_sync` rewrites a product's rows from the first; every catalog service
that changes attributes, options or variants calls it in its own transaction.

A variant option named like an attribute's slug (``size``) is that attribute's value of the
variant, so a shop that sells sizes as options can still filter and facet by size.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import connection, transaction

from ecommerce.common.exceptions import InvalidRequest

from .cache import catalog_changed
from .models import Attribute, AttributeType, Product, ProductAttributeValue, ProductVariant

ATTRIBUTE_FIELDS = frozenset({"slug", "name", "type", "unit", "choices", "filterable", "position"})
MAX_TEXT_LENGTH = 200
MAX_VALUES = 50  # per product or variant
# A number attribute's values: at most 14 digits before the point and 6 after.
NUMBER_LIMIT = Decimal("1e14")


# --- values --------------------------------------------------------------------------------


def attribute_value_canonical(attribute: Attribute, value: Any) -> Any:
    """``value`` as stored for ``attribute`` (a ``bool``, a number as ``int`` or ``Decimal``
    text-free, or a ``str``); raises ``ValueError`` with a message for the field."""
    if attribute.type == AttributeType.BOOLEAN:
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.lower() in ("true", "false"):
            return value.lower() == "true"
        raise ValueError("must be true or false")
    if attribute.type == AttributeType.NUMBER:
        if isinstance(value, bool) or not isinstance(value, (int, float, str, Decimal)):
            raise ValueError("must be a number")
        try:
            number = Decimal(str(value).strip())
        except InvalidOperation:
            raise ValueError("must be a number") from None
        if not number.is_finite() or abs(number) >= NUMBER_LIMIT or number != round(number, 6):
            raise ValueError("must be a finite number with at most 6 decimal places")
        number = number.normalize()
        return int(number) if number == number.to_integral_value() else number
    if not isinstance(value, str) or not value.strip():
        raise ValueError("must be a non-empty string")
    if "\x00" in value:
        raise ValueError("must not contain NUL characters")
    text = value.strip()
    if len(text) > MAX_TEXT_LENGTH:
        raise ValueError(f"at most {MAX_TEXT_LENGTH} characters")
    if attribute.type == AttributeType.CHOICE and text not in attribute.choices:
        raise ValueError(f"must be one of {attribute.choices}")
    return text


def attribute_value_text(value: Any) -> str:
    """The index's text of a canonical value (``true``, ``12.5``, ``red``)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal):
        return format(value, "f")
    return str(value)


def attribute_values_clean(values: Mapping[str, Any], *, field: str) -> dict[str, Any]:
    """Validate ``{slug: value}`` against the attribute definitions; returns the canonical values
    (JSON-ready: a number with decimals is stored as a JSON number, exact to 15 significant digits). Unknown slugs and bad
    values raise ``InvalidRequest`` with dotted paths (``attributes.color``, ``variants.0.attributes.size``)."""
    if len(values) > MAX_VALUES:
        raise InvalidRequest(
            "The attribute values are invalid.", details={field: f"at most {MAX_VALUES} values"}
        )
    definitions = {a.slug: a for a in Attribute.objects.filter(slug__in=[str(slug) for slug in values])}
    cleaned: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for slug, value in values.items():
        attribute = definitions.get(slug)
        if attribute is None:
            errors[f"{field}.{slug}"] = "unknown attribute"
            continue
        try:
            canonical = attribute_value_canonical(attribute, value)
        except ValueError as error:
            errors[f"{field}.{slug}"] = str(error)
            continue
        cleaned[slug] = float(canonical) if isinstance(canonical, Decimal) else canonical
    if errors:
        raise InvalidRequest("The attribute values are invalid.", details=errors)
    return cleaned


# --- the index -------------------------------------------------------------------------------


def attribute_index_sync(product_ids: Iterable[int]) -> None:
    """Rewrite the :class:`ProductAttributeValue` rows of these products from their attributes,
    their active variants' attributes and options (see the module docstring). Runs in the
    caller's transaction, holding the products' row locks (primary-key order; a caller may hold
    them already): two rewrites of one product never overlap, so neither inserts rows beside the
    other's, and the kept pair counts (migration ``0010_facet_pair_counts``), computed against the
    rows each statement sees, stay exact."""
    ids = sorted(set(product_ids))
    if not ids:
        return
    no_key = connection.features.has_select_for_no_key_update  # as catalog.services.product_lock
    locked = Product.objects.select_for_update(no_key=no_key).filter(pk__in=ids).order_by("pk")
    attributes = {a.slug: a for a in Attribute.objects.all()}
    rows: dict[tuple[int, int, str], ProductAttributeValue] = {}

    def add(product_id: int, slug: str, value: Any) -> None:
        attribute = attributes.get(slug)
        if attribute is None:
            return
        try:
            canonical = attribute_value_canonical(attribute, value)
        except ValueError:
            return  # an option value that is not a valid value of the attribute: not indexed
        text = attribute_value_text(canonical)
        number = Decimal(text) if attribute.type == AttributeType.NUMBER else None
        rows.setdefault(
            (product_id, attribute.pk, text),
            ProductAttributeValue(
                product_id=product_id, attribute_id=attribute.pk, value=text, number=number
            ),
        )

    for product_id, values in locked.values_list("pk", "attributes"):
        for slug, value in (values or {}).items():
            add(product_id, slug, value)
    variants = ProductVariant.objects.filter(product_id__in=ids, is_active=True)
    for product_id, values, options in variants.values_list("product_id", "attributes", "options"):
        for slug, value in {**(options or {}), **(values or {})}.items():
            add(product_id, slug, value)
    ProductAttributeValue.objects.filter(product_id__in=ids).delete()
    ProductAttributeValue.objects.bulk_create(list(rows.values()), batch_size=1000)


def _products_using(attribute: Attribute) -> list[int]:
    """Products whose attributes, variants' attributes or options may name ``attribute``."""
    indexed = set(
        ProductAttributeValue.objects.filter(attribute=attribute).values_list("product_id", flat=True)
    )
    named = {
        product_id
        for product_id, options in Product.objects.exclude(options=[]).values_list("pk", "options")
        if attribute.slug in (options or [])
    }
    return sorted(indexed | named)


# --- definitions (admin writes) ------------------------------------------------------------------


def attribute_definition_errors(
    attribute: Attribute, *, changes: Mapping[str, Any] | None = None
) -> dict[str, str]:
    """What is wrong with ``attribute`` (saved or not) once ``changes`` are applied to a copy:
    ``{field: message}``, empty when valid. The services refuse these; the admin shows them."""
    errors: dict[str, str] = {}
    candidate = Attribute(
        **{f.attname: getattr(attribute, f.attname) for f in Attribute._meta.concrete_fields}
    )
    in_use = (
        ProductAttributeValue.objects.filter(attribute_id=attribute.pk)
        if attribute.pk
        else ProductAttributeValue.objects.none()
    )
    for name, value in (changes or {}).items():
        if name in ("slug", "type") and value != getattr(attribute, name) and in_use.exists():
            errors[name] = "cannot change while products use the attribute"
        setattr(candidate, name, value)
    if Attribute.objects.filter(slug=candidate.slug).exclude(pk=attribute.pk).exists():
        errors["slug"] = "this slug is taken"
    errors.update(_definition_errors(candidate))
    if candidate.type == AttributeType.CHOICE and not errors:
        removed = sorted(set(in_use.values_list("value", flat=True)) - set(candidate.choices))
        if removed:
            errors["choices"] = f"still used by products: {removed}"
    return errors


def _definition_errors(attribute: Attribute) -> dict[str, str]:
    errors: dict[str, str] = {}
    if attribute.type == AttributeType.CHOICE:
        if not attribute.choices:
            errors["choices"] = "a choice attribute needs at least one choice"
        elif len(set(attribute.choices)) != len(attribute.choices):
            errors["choices"] = "choices must be unique"
    elif attribute.choices:
        errors["choices"] = "only choice attributes have choices"
    if attribute.unit and attribute.type != AttributeType.NUMBER:
        errors["unit"] = "only number attributes have a unit"
    return errors


def attribute_create(*, slug: str, name: str, type: str, **data: Any) -> Attribute:  # noqa: A002 - the contract's name
    """Define an attribute; a taken slug is a 400. Products whose variants have an option of
    that name are indexed for it at once."""
    unknown = set(data) - ATTRIBUTE_FIELDS
    if unknown:
        raise ValueError(f"Unknown attribute fields: {sorted(unknown)}")
    with transaction.atomic():
        attribute = Attribute(slug=slug, name=name, type=type, **data)
        errors = attribute_definition_errors(attribute)
        if errors:
            raise InvalidRequest("The attribute is invalid.", details=errors)
        attribute.save()
        attribute_index_sync(_products_using(attribute))
        catalog_changed()
    return attribute


def attribute_update(*, attribute: Attribute, data: Mapping[str, Any]) -> Attribute:
    """Change a definition. ``slug`` and ``type`` cannot change once values use them (they are
    the values' key and meaning); a choice in use cannot be removed."""
    unknown = set(data) - ATTRIBUTE_FIELDS
    if unknown:
        raise ValueError(f"Unknown attribute fields: {sorted(unknown)}")
    with transaction.atomic():
        locked = Attribute.objects.select_for_update().get(pk=attribute.pk)
        errors = attribute_definition_errors(locked, changes=data)
        if errors:
            raise InvalidRequest("The attribute is invalid.", details=errors)
        for name, value in data.items():
            setattr(locked, name, value)
        locked.save()
        attribute_index_sync(_products_using(locked))
        catalog_changed()
    return locked


def attribute_delete(*, attribute: Attribute) -> None:
    """Delete a definition and every value set with it (from products and variants)."""
    with transaction.atomic():
        product_ids = _products_using(attribute)
        no_key = connection.features.has_select_for_no_key_update  # as catalog.services.product_lock
        locked = Product.objects.select_for_update(no_key=no_key).filter(pk__in=product_ids).order_by("pk")
        for product in locked:
            if attribute.slug in product.attributes:
                product.attributes.pop(attribute.slug)
                product.save(update_fields=["attributes", "updated_at"])
        for variant in ProductVariant.objects.filter(product_id__in=product_ids).order_by("pk"):
            if attribute.slug in variant.attributes:
                variant.attributes.pop(attribute.slug)
                variant.save(update_fields=["attributes", "updated_at"])
        attribute.delete()
        catalog_changed()
