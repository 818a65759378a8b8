"""Attribute filters and facet counts of the product list (reads).

``?attr.<slug>=<value>`` keeps products whose attributes, or an active variant's, have that value
(``a,b``: any of them); for number attributes also ``attr.<slug>__gte`` / ``__lte`` / ``__gt`` /
``__lt``, together one range that one value row must fall in. ``?facets=<slug>,price`` counts,
for the current filter, the matching products per value of each attribute and per price bucket
(``CATALOG_PRICE_FACET_BOUNDS``).

Filters read :class:`~catalog.models.ProductAttributeValue` (one row per product and value) on
its (attribute, value, product) and (attribute, number, product) indexes. Counts, on
PostgreSQL: from the kept bitmaps (:class:`~catalog.models.FacetBitmap`, one bit per product
per value, category, price bound and "live"): the filters ANDed, each value's bits under them
counted, one query whatever the filter (:func:`product_facets_bitmaps`). Elsewhere, and for
discontinued products: live, two ``GROUP BY`` queries over the filtered products
(:func:`product_facets`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import ROUND_CEILING, Decimal
from typing import Any

from django.conf import settings
from django.db import connections
from django.db.models import Case, Count, Exists, IntegerField, OuterRef, QuerySet, Value, When

from ecommerce.common.exceptions import InvalidRequest

from .attributes import attribute_value_canonical, attribute_value_text
from .models import (
    BITMAP_CHUNK,
    Attribute,
    AttributeType,
    FacetBitmapKind,
    Product,
    ProductAttributeValue,
)

PREFIX = "attr."
RANGE_OPERATORS = ("gte", "lte", "gt", "lt")
MAX_ATTRIBUTE_FILTERS = 10
MAX_VALUES_PER_FILTER = 20
MAX_FACETS = 10
PRICE = "price"
SLUG = re.compile(r"[-a-zA-Z0-9_]{1,64}")


@dataclass(frozen=True)
class AttributeFilter:
    """One validated ``attr.<slug>`` parameter: ``values`` (canonical texts, any of them), or
    every range bound of one number attribute (``attr.<slug>__gte`` … together): ``bounds``,
    ``(operator, number)`` pairs that one value row must all satisfy."""

    attribute_id: int
    values: tuple[str, ...] = ()
    bounds: tuple[tuple[str, Decimal], ...] = ()  # operator: gte, lte, gt, lt

    def condition(self) -> Exists:
        rows = ProductAttributeValue.objects.filter(product_id=OuterRef("pk"), attribute_id=self.attribute_id)
        if self.bounds:
            rows = rows.filter(**{f"number__{operator}": number for operator, number in self.bounds})
        else:
            rows = rows.filter(value__in=self.values)
        return Exists(rows)


@dataclass(frozen=True)
class FacetRequest:
    """Validated ``facets``: the attributes to count by, and whether to count price buckets."""

    attributes: tuple[Attribute, ...] = ()
    price: bool = False


def _filterable(slugs: set[str], field_of: Mapping[str, str]) -> dict[str, Attribute]:
    """The filterable attributes named ``slugs`` (one query); 400 naming the field otherwise."""
    valid = sorted(slug for slug in slugs if SLUG.fullmatch(slug))  # nothing else can name one
    found = {a.slug: a for a in Attribute.objects.filter(slug__in=valid)}
    errors = {}
    for slug in sorted(slugs):
        attribute = found.get(slug)
        if attribute is None:
            errors[field_of[slug]] = f"unknown attribute '{slug}'"
        elif not attribute.filterable:
            errors[field_of[slug]] = f"attribute '{slug}' is not filterable"
    if errors:
        raise InvalidRequest("Invalid attribute filter.", details=errors)
    return found


def list_parameters_parse(
    params: Mapping[str, str], facets: str | None
) -> tuple[tuple[AttributeFilter, ...], FacetRequest]:
    """The ``attr.`` parameters and the ``facets`` list of a product list request, validated
    against the attribute definitions (one query, none without either); 400 naming the
    parameter for an unknown or unfilterable attribute, a bad value or operator."""
    names = sorted(name for name in params if name.startswith(PREFIX))
    if len(names) > MAX_ATTRIBUTE_FILTERS:
        raise InvalidRequest(
            "Too many attribute filters.", details={"attr": f"at most {MAX_ATTRIBUTE_FILTERS}"}
        )
    facet_slugs = [slug.strip() for slug in (facets or "").split(",") if slug.strip()]
    if len(facet_slugs) > MAX_FACETS + 1:
        raise InvalidRequest("Too many facets.", details={"facets": f"at most {MAX_FACETS} and price"})
    wanted: dict[str, str] = {}
    parsed: list[tuple[str, str, str | None]] = []
    for name in names:
        slug, _, suffix = name[len(PREFIX) :].partition("__")
        parsed.append((name, slug, suffix or None))
        wanted.setdefault(slug, name)
    for slug in facet_slugs:
        if slug != PRICE:
            wanted.setdefault(slug, "facets")
    if not wanted:
        return (), FacetRequest(price=PRICE in facet_slugs)
    attributes = _filterable(set(wanted), wanted)
    filters: list[AttributeFilter] = []
    ranges: dict[int, list[tuple[str, Decimal]]] = {}  # an attribute's bounds: one range
    errors: dict[str, str] = {}
    for name, slug, operator in parsed:
        attribute = attributes[slug]
        raw = params[name]
        try:
            if operator:
                if operator not in RANGE_OPERATORS or attribute.type != AttributeType.NUMBER:
                    raise ValueError(f"ranges ({', '.join(RANGE_OPERATORS)}) are for number attributes only")
                number = Decimal(attribute_value_text(attribute_value_canonical(attribute, raw)))
                ranges.setdefault(attribute.pk, []).append((operator, number))
            else:
                values = [value for value in raw.split(",") if value.strip()]
                if not values or len(values) > MAX_VALUES_PER_FILTER:
                    raise ValueError(f"1 to {MAX_VALUES_PER_FILTER} comma-separated values")
                texts = tuple(attribute_value_text(attribute_value_canonical(attribute, v)) for v in values)
                filters.append(AttributeFilter(attribute.pk, values=texts))
        except ValueError as error:
            errors[name] = str(error)
    if errors:
        raise InvalidRequest("Invalid attribute filter.", details=errors)
    filters.extend(AttributeFilter(pk, bounds=tuple(bounds)) for pk, bounds in ranges.items())
    facet_attributes = tuple(attributes[slug] for slug in dict.fromkeys(facet_slugs) if slug != PRICE)
    return tuple(filters), FacetRequest(attributes=facet_attributes, price=PRICE in facet_slugs)


def price_bounds() -> list[Decimal]:
    """The price bucket boundaries (``CATALOG_PRICE_FACET_BOUNDS``), ascending and distinct, each
    rounded up to the cent: prices are whole cents, so "below 19.999" is "below 20.00", and the
    bounds equal those whose bitmaps are kept (two decimals), which would otherwise never match."""
    cent = Decimal("0.01")
    return sorted(
        {
            Decimal(str(bound)).quantize(cent, rounding=ROUND_CEILING)
            for bound in settings.CATALOG_PRICE_FACET_BOUNDS
        }
    )


def _facet_value(attribute: Attribute, text: str) -> Any:
    if attribute.type == AttributeType.BOOLEAN:
        return text == "true"
    if attribute.type == AttributeType.NUMBER:
        number = Decimal(text)
        return int(number) if number == number.to_integral_value() else float(number)
    return text


def _bucket() -> Case:
    """The index of a price's bucket: 0 below the first bound, … , ``len(bounds)`` above the last."""
    bounds = price_bounds()
    return Case(
        *(When(price__lt=bound, then=Value(index)) for index, bound in enumerate(bounds)),
        default=Value(len(bounds)),
        output_field=IntegerField(),
    )


def _facets_shaped(
    request: FacetRequest, counts: Iterable[tuple[int, str, int]], buckets: dict[int, int] | None
) -> dict[str, list[dict[str, Any]]]:
    """``{slug: [{value, count}]}`` (most products first, then by value) from ``(attribute id,
    value, count)`` rows, and ``price: [{min, max, count}]`` from ``{bucket: count}`` (non-empty
    buckets; ``max`` null for the last)."""
    facets: dict[str, list[dict[str, Any]]] = {}
    grouped: dict[int, list[tuple[str, int]]] = {attribute.pk: [] for attribute in request.attributes}
    for attribute_id, value, count in counts:
        grouped[attribute_id].append((value, count))
    for attribute in request.attributes:
        rows = sorted(grouped[attribute.pk], key=lambda row: (-row[1], row[0]))
        facets[attribute.slug] = [
            {"value": _facet_value(attribute, value), "count": count} for value, count in rows
        ]
    if buckets is not None:
        bounds = price_bounds()
        edges: list[Decimal | None] = [Decimal("0"), *bounds, None]
        facets[PRICE] = [
            {"min": edges[index], "max": edges[index + 1], "count": buckets[index]}
            for index in range(len(bounds) + 1)
            if buckets.get(index)
        ]
    return facets


def product_facets(products: QuerySet[Product], request: FacetRequest) -> dict[str, list[dict[str, Any]]]:
    """Facet counts over ``products`` (filtered bare product rows: no stock annotation, no
    ordering), counted live: one ``GROUP BY`` over their attribute value rows, one over their
    price buckets.

    Both group the filtered product query itself (a join to the value rows, a bucket
    expression on the price), not a sub-select of it: the search backend's SQL names the
    product table, which must stay unaliased."""
    counts: Iterable[tuple[int, str, int]] = ()
    if request.attributes:
        counts = (
            products.order_by()
            .filter(attribute_values__attribute_id__in=[a.pk for a in request.attributes])
            .values_list("attribute_values__attribute_id", "attribute_values__value")
            .annotate(count=Count("pk"))
        )
    buckets = None
    if request.price:
        buckets = dict(
            products.order_by().annotate(bucket=_bucket()).values_list("bucket").annotate(count=Count("pk"))
        )
    return _facets_shaped(request, counts, buckets)


_OPERATORS = {"gte": ">=", "lte": "<=", "gt": ">", "lt": "<"}


def _bitmaps_sql(
    filters: tuple[AttributeFilter, ...],
    category: str | None,
    also: QuerySet[Product] | None,
    request: FacetRequest,
    bounds: list[Decimal],
) -> tuple[str, list[Any]]:
    """The one statement of :func:`product_facets_bitmaps` and its parameters."""
    kinds = FacetBitmapKind
    keys = ["kind = %s", "kind = %s AND number = ANY(%s)", "kind = %s AND key_id = ANY(%s)"]
    key_params: list[Any] = [
        kinds.LIVE,
        kinds.PRICE_BELOW,
        bounds,
        kinds.VALUE,
        sorted({f.attribute_id for f in filters} | {a.pk for a in request.attributes}),
    ]
    # One bitmap per filter and chunk: live, the category's, each filter's values OR'ed.
    each = ["SELECT chunk, bits FROM wanted WHERE kind = %s"]
    each_params: list[Any] = [kinds.LIVE]
    if category is not None:
        # the category with this public id or slug, the public id winning a tie (as the list's)
        keys.append(
            "kind = %s AND key_id = (SELECT id FROM catalog_category WHERE public_id = %s OR slug = %s"
            " ORDER BY public_id = %s DESC LIMIT 1)"
        )
        key_params += [kinds.CATEGORY, category, category, category]
        each.append("SELECT chunk, bits FROM wanted WHERE kind = %s")
        each_params.append(kinds.CATEGORY)
    for f in filters:
        if f.bounds:
            test = " AND ".join(f"number {_OPERATORS[operator]} %s" for operator, _ in f.bounds)
            values: list[Any] = [number for _, number in f.bounds]
        else:
            test, values = "value = ANY(%s)", [list(f.values)]
        each.append(
            f"SELECT chunk, bit_or(bits) FROM wanted WHERE kind = %s AND key_id = %s AND {test} GROUP BY chunk"  # noqa: S608 - structure only
        )
        each_params += [kinds.VALUE, f.attribute_id, *values]
    if also is not None:
        # the products the other filters keep, their bits set: one product at a time
        rest, rest_params = also.order_by().values("pk").query.sql_with_params()
        each.append(
            f"SELECT id / {BITMAP_CHUNK}, bit_or(catalog_facet_bit(id)) FROM ({rest}) AS r (id) GROUP BY 1"  # noqa: S608 - the ORM's SQL, its values parameters
        )
        each_params += rest_params
    sql = f"""
        WITH wanted AS MATERIALIZED (
            SELECT kind, key_id, value, number, chunk, bit_xor(bits) AS bits
            FROM catalog_facetbitmap WHERE {" OR ".join(f"({key})" for key in keys)}
            GROUP BY kind, key_id, value, number, chunk
        ), matching AS (
            SELECT chunk, bit_and(bits) AS bits FROM ({" UNION ALL ".join(each)}) AS each_filter
            GROUP BY chunk HAVING count(*) = %s
        )
        SELECT w.kind, w.key_id, w.value, w.number, sum(bit_count(w.bits & m.bits))
        FROM wanted w JOIN matching m ON m.chunk = w.chunk
        WHERE w.kind = %s OR (w.kind = %s AND w.key_id = ANY(%s))
        GROUP BY w.kind, w.key_id, w.value, w.number
        UNION ALL SELECT %s, 0, '', NULL, sum(bit_count(bits)) FROM matching
        UNION ALL SELECT NULL, 0, '', number, NULL FROM catalog_facetbitmapbound WHERE number = ANY(%s)
    """  # noqa: S608 - structure only; every value is a parameter
    params = [
        *key_params,
        *each_params,
        len(each),
        kinds.PRICE_BELOW,
        kinds.VALUE,
        [a.pk for a in request.attributes],
        kinds.LIVE,
        bounds,
    ]
    return sql, params


def product_facets_bitmaps(
    filters: tuple[AttributeFilter, ...],
    category: str | None,
    request: FacetRequest,
    *,
    also: QuerySet[Product] | None = None,
    using: str,
) -> dict[str, list[dict[str, Any]]] | None:
    """PostgreSQL: the counts for the live products having the attribute ``filters``' values, in
    ``category``'s sub-tree and among ``also`` (the products that the list's other filters keep:
    a search, prices, stock), from the kept bitmaps (:class:`~catalog.models.FacetBitmap`):
    each key's chunks XOR'ed, the filters AND'ed (``also``'s products as one more bitmap), each
    value's and each price bound's bits under them counted. One query. None when the price facet
    is asked for and the bitmaps of the settings' bounds are not kept yet (the housekeeping keeps
    them): count live then."""
    bounds = price_bounds()
    sql, params = _bitmaps_sql(filters, category, also, request, bounds)
    with connections[using].cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    below: dict[Decimal, int] = {}
    kept: set[Decimal] = set()
    counts: list[tuple[int, str, int]] = []
    total = 0
    for kind, key_id, value, number, count in rows:
        if kind is None:
            kept.add(number)
        elif kind == FacetBitmapKind.LIVE:
            total = int(count or 0)
        elif kind == FacetBitmapKind.PRICE_BELOW:
            below[number] = int(count)
        elif count:
            counts.append((key_id, value, int(count)))
    buckets = None
    if request.price:
        if kept != set(bounds):
            return None
        edges = [below.get(bound, 0) for bound in bounds] + [total]
        buckets = {index: edges[index] - (edges[index - 1] if index else 0) for index in range(len(edges))}
    return _facets_shaped(request, counts, buckets)
