"""Catalog reads: the product list with its filters and orderings, product detail, the
category tree. Each read has a fixed query cost, whatever the page size:

- ``product_list``: COUNT + page + categories + variants + images of the page (5 queries; a
  product's total stock is a subquery of the page query, its price a column: docs/catalog.md);
  the category filter's sub-tree is resolved inside those queries, not by an extra query. On
  PostgreSQL it reads :class:`~catalog.models.ProductPlacement` (a category with its sub-tree,
  pre-expanded by triggers, ordered by price); elsewhere a recursive CTE expands the sub-tree.
- ``product_get``: product with manager and stock + its categories + variants + images (4
  queries).
- ``category_tree`` / ``category_get``: all categories in one query, assembled in Python.

The list, the detail, the category tree and a category read from the read replica when one is
configured and the request allows it (:func:`ecommerce.common.replica.catalog_read_db`: safe
requests, outside transactions, not right after a catalog write); otherwise from the primary.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any

from django.db import connection
from django.db.models import BooleanField, Case, F, OrderBy, Prefetch, Q, QuerySet, Subquery, Value, When
from django.db.models.expressions import RawSQL
from django.db.models.functions import Lower

from ecommerce.common.exceptions import InvalidRequest
from ecommerce.common.replica import catalog_read_db

from .exceptions import AttributeNotFound, CategoryNotFound, ImageNotFound, ProductNotFound, VariantRequired
from .facets import (
    AttributeFilter,
    FacetRequest,
    product_facets,
    product_facets_bitmaps,
)
from .models import (
    Attribute,
    Category,
    Product,
    ProductImage,
    ProductPlacement,
    ProductStatus,
    ProductVariant,
)
from .querysets import ProductQuerySet
from .search import search_backend

ORDERINGS: dict[str, tuple[str, ...]] = {
    "price": ("price", "id"),
    "-price": ("-price", "-id"),
    "name": ("name", "id"),
    "-created_at": ("-created_at", "-id"),
    "relevance": ("-relevance", "-id"),
}

# With a category on PostgreSQL, price order comes from the placement rows' (category,
# discontinued, price, product) index: the page is one index range scan.
PLACEMENT_ORDERINGS: dict[str, tuple[str, ...]] = {
    "price": ("placements__price", "placements__product_id"),
    "-price": ("-placements__price", "-placements__product_id"),
}

# With a search, sort by expressions on purpose: the planner cannot estimate how many
# products a search matches, and would otherwise walk the whole price or name index testing
# each row, instead of sorting the (small) set of matches.
SEARCH_ORDERINGS: dict[str, tuple[OrderBy | str, ...]] = {
    "price": ((F("price") + 0).asc(), "id"),
    "-price": ((F("price") + 0).desc(), "-id"),
    "name": (Lower("name").asc(), "id"),
}


@dataclass(frozen=True)
class ProductFilters:
    """Validated list parameters (the API validates the query string into this)."""

    search: str | None = None
    category: str | None = None  # public id or slug; includes its sub-categories
    min_price: Decimal | None = None
    max_price: Decimal | None = None
    in_stock: bool = False
    status: str | None = None  # absent: everything but discontinued products
    manager_id: str | None = None  # the store manager's external id
    ordering: str | None = None  # default: relevance with a search, else -created_at
    attributes: tuple[AttributeFilter, ...] = ()  # ``attr.<slug>`` filters (catalog.facets)


# Products filed under a category (by public id or slug) or any of its descendants. UNION
# (not UNION ALL) also stops at a cycle, should one ever exist. On PostgreSQL the sub-tree is
# wrapped in ``= ANY(ARRAY(...))``: evaluated once, and the planner then scans the
# (category, product) index instead of guessing the CTE's size.
_SUBTREE = (
    "WITH RECURSIVE subtree(id) AS ("
    " SELECT id FROM catalog_category WHERE public_id = %s OR slug = %s"
    " UNION SELECT c.id FROM catalog_category c INNER JOIN subtree s ON c.parent_id = s.id"
    ") SELECT id FROM subtree"
)
_IN_CATEGORY = {
    "postgresql": (
        "catalog_product.id IN (SELECT product_id FROM catalog_product_categories"  # noqa: S608 - constant
        f" WHERE category_id = ANY(ARRAY({_SUBTREE})))"
    ),
    "default": (
        "catalog_product.id IN (SELECT product_id FROM catalog_product_categories"  # noqa: S608 - constant
        f" WHERE category_id IN ({_SUBTREE}))"
    ),
}
_LINK_IN_SUBTREE = {
    "postgresql": f"catalog_product_categories.category_id = ANY(ARRAY({_SUBTREE}))",
    "default": f"catalog_product_categories.category_id IN ({_SUBTREE})",
}


def _product_base(db: str) -> ProductQuerySet:
    categories = (
        Category.objects.using(db).only("id", "public_id", "name", "slug").order_by("position", "name")
    )
    variants = ProductVariant.objects.using(db).filter(is_active=True).order_by("position", "id")
    images = ProductImage.objects.using(db).select_related("variant").order_by("position", "id")
    return (
        Product.objects.using(db)
        .select_related("manager")
        .prefetch_related(
            Prefetch("categories", queryset=categories),
            Prefetch("variants", queryset=variants),
            Prefetch("images", queryset=images),
        )
    )


def _product_filter(queryset: ProductQuerySet, filters: ProductFilters) -> ProductQuerySet:
    """``queryset`` narrowed to ``filters`` (search aside: it also ranks, see the callers)."""
    if filters.status:
        queryset = queryset.with_status(filters.status)
    else:
        queryset = queryset.filter(discontinued=False)
    if filters.in_stock:
        queryset = queryset.in_stock()
    if filters.min_price is not None:
        queryset = queryset.filter(price__gte=filters.min_price)
    if filters.max_price is not None:
        queryset = queryset.filter(price__lte=filters.max_price)
    if filters.manager_id:
        queryset = queryset.filter(manager__external_id=filters.manager_id)
    for attribute_filter in filters.attributes:
        queryset = queryset.filter(attribute_filter.condition())
    if filters.category is not None and connection.vendor == "postgresql":
        # One placement row per product of the sub-tree; its copy of ``discontinued`` matches
        # the product's, so the (category, discontinued, price) index answers the filter.
        queryset = queryset.filter(
            placements__category_id=_category_id(filters.category),
            placements__discontinued=filters.status == "discontinued",
        )
    elif filters.category:
        sql = _IN_CATEGORY.get(connection.vendor, _IN_CATEGORY["default"])
        params = (filters.category, filters.category)
        queryset = queryset.filter(RawSQL(sql, params, output_field=BooleanField()))  # noqa: S611 - bound params
    return queryset


def product_facet_counts(
    *, filters: ProductFilters, request: FacetRequest
) -> dict[str, list[dict[str, Any]]]:
    """The facet counts of the products matching ``filters`` (the same filters as
    :func:`product_list`). On PostgreSQL, for live products (any ``status`` but discontinued),
    from the kept bitmaps: the attribute filters and the category as kept, the products of a
    search or of price, stock, status and manager filters ANDed in as one more bitmap
    (:func:`catalog.facets.product_facets_bitmaps`). Otherwise, or while the price bounds'
    bitmaps are not kept, counted live on bare product rows (no stock, no prefetches:
    :func:`catalog.facets.product_facets`)."""
    db = catalog_read_db()
    if connection.vendor == "postgresql" and filters.status != ProductStatus.DISCONTINUED:
        rest = replace(filters, attributes=(), category=None, ordering=None)
        also = None
        if rest != ProductFilters():  # a search, prices, stock, a status, a manager: their products
            also = _bare_products(rest, db)
        counted = product_facets_bitmaps(filters.attributes, filters.category, request, also=also, using=db)
        if counted is not None:
            return counted
    return product_facets(_bare_products(filters, db), request)


def _bare_products(filters: ProductFilters, db: str) -> ProductQuerySet:
    """The products matching ``filters``, search included: bare rows (no stock, no prefetches,
    no ordering), for counting."""
    products = _product_filter(ProductQuerySet(Product, using=db), filters)
    if filters.search:
        products = search_backend().search(products, filters.search)
    return products


def product_list(*, filters: ProductFilters) -> QuerySet[Product]:
    """Products matching ``filters``, ordered; discontinued ones only with ``status=discontinued``.

    The result is lazy: paginate it (COUNT + one page) and its categories are prefetched.
    """
    db = catalog_read_db()
    queryset = _product_filter(_product_base(db), filters)
    placements = filters.category is not None and connection.vendor == "postgresql"
    ordering = filters.ordering or ("relevance" if filters.search else "-created_at")
    if filters.search:
        queryset = search_backend().search(queryset, filters.search)
        if ordering in SEARCH_ORDERINGS:
            return queryset.order_by(*SEARCH_ORDERINGS[ordering])
    if placements and ordering in PLACEMENT_ORDERINGS:
        queryset = queryset.order_by(*PLACEMENT_ORDERINGS[ordering])
    else:
        queryset = queryset.order_by(*ORDERINGS[ordering])
    if placements and filters == ProductFilters(
        category=filters.category,
        min_price=filters.min_price,
        max_price=filters.max_price,
        ordering=filters.ordering,
    ):
        queryset = queryset.counted_by(_placement_count_query(filters).using(db))
    elif filters.category and filters == ProductFilters(category=filters.category, ordering=filters.ordering):
        queryset = queryset.counted_by(_category_count_query(filters.category).using(db))
    return queryset


def _category_id(category: str | None) -> Subquery:
    """The id of the category with this public id or slug (the public id wins a tie; None: no category)."""
    matches = Category.objects.filter(Q(public_id=category) | Q(slug=category)).order_by(
        Case(When(public_id=category, then=Value(0)), default=Value(1))
    )
    return Subquery(matches.values("id")[:1])


def _placement_count_query(filters: ProductFilters) -> QuerySet[ProductPlacement]:
    """PostgreSQL: the live products of a category sub-tree (in a price range), counted from the
    placement index alone, one row per product. Browsing a category is the most common list;
    this avoids joining every product of the category."""
    placements = ProductPlacement.objects.filter(
        category_id=_category_id(filters.category), discontinued=False
    )
    if filters.min_price is not None:
        placements = placements.filter(price__gte=filters.min_price)
    if filters.max_price is not None:
        placements = placements.filter(price__lte=filters.max_price)
    return placements


def _category_count_query(category: str) -> QuerySet[Any]:
    """Live products of a category sub-tree, counted from the (category, product) index alone:
    distinct product ids of the sub-tree minus the (few) discontinued ones (SQLite, MariaDB)."""
    through = Product.categories.through
    sql = _LINK_IN_SUBTREE.get(connection.vendor, _LINK_IN_SUBTREE["default"])
    in_subtree = RawSQL(sql, (category, category), output_field=BooleanField())  # noqa: S611 - bound params
    discontinued = Product.objects.filter(discontinued=True).values("id")
    return (
        through.objects.filter(in_subtree)
        .exclude(product_id__in=discontinued)
        .values("product_id")
        .distinct()
    )


def category_check_exists(*, id_or_slug: str) -> None:
    """Raise ``InvalidRequest`` naming ``category`` when no category has this public id or slug."""
    if (
        not Category.objects.using(catalog_read_db())
        .filter(Q(public_id=id_or_slug) | Q(slug=id_or_slug))
        .exists()
    ):
        raise InvalidRequest(
            "Unknown category.", details={"category": f"No category with id or slug '{id_or_slug}'."}
        )


def product_get(*, public_id: str) -> Product:
    """The product (any status, discontinued included) or :class:`ProductNotFound`."""
    product = _product_base(catalog_read_db()).filter(public_id=public_id).first()
    if product is None:
        raise ProductNotFound(details={"id": public_id})
    return product


def product_get_for_update(*, public_id: str) -> Product:
    """The product row from the primary (for a write), or :class:`ProductNotFound`."""
    product = Product.objects.filter(public_id=public_id).first()
    if product is None:
        raise ProductNotFound(details={"id": public_id})
    return product


def product_image_get(*, product: Product, public_id: str) -> ProductImage:
    """Image ``public_id`` of ``product`` (for a write), or :class:`ImageNotFound`."""
    image = (
        ProductImage.objects.filter(product=product, public_id=public_id).select_related("product").first()
    )
    if image is None:
        raise ImageNotFound(details={"id": public_id})
    return image


@dataclass
class CategoryNode:
    """A category with its sub-tree; ``id``/``parent`` are public ids."""

    id: str
    name: str
    slug: str
    parent: str | None
    position: int
    children: list[CategoryNode] = field(default_factory=list)


def _category_nodes() -> tuple[list[CategoryNode], dict[str, CategoryNode]]:
    rows = list(
        Category.objects.using(catalog_read_db())
        .order_by("position", "name", "id")
        .values_list("id", "public_id", "name", "slug", "parent_id", "position")
    )
    public_ids = {row[0]: row[1] for row in rows}
    nodes = {
        row[1]: CategoryNode(
            id=row[1], name=row[2], slug=row[3], parent=public_ids.get(row[4]), position=row[5]
        )
        for row in rows
    }
    roots: list[CategoryNode] = []
    for node in nodes.values():  # rows are in (position, name) order, so children are too
        if node.parent is None:
            roots.append(node)
        else:
            nodes[node.parent].children.append(node)
    return roots, nodes


def category_tree() -> list[CategoryNode]:
    """Root categories, each with its whole sub-tree, in (position, name) order. One query."""
    return _category_nodes()[0]


def category_get_for_update(*, public_id: str) -> Category:
    """The category row (for a write), or :class:`CategoryNotFound`."""
    category = Category.objects.filter(public_id=public_id).first()
    if category is None:
        raise CategoryNotFound(details={"id": public_id})
    return category


def category_get(*, public_id: str) -> CategoryNode:
    """One category with its sub-tree, or :class:`CategoryNotFound`. One query."""
    node = _category_nodes()[1].get(public_id)
    if node is None:
        raise CategoryNotFound(details={"id": public_id})
    return node


def variant_resolve(*, public_id: str, field: str = "product_id") -> ProductVariant:
    """The variant a client names by its id, or by its product's id when that product has
    exactly one active variant (with its product). Raises :class:`ProductNotFound` (details
    name ``field``) or :class:`VariantRequired` (details: the product id → its variant ids)."""
    if public_id.startswith("var_"):
        variant = ProductVariant.objects.select_related("product").filter(public_id=public_id).first()
        if variant is None:
            raise ProductNotFound(details={field: "product not found"})
        return variant
    variants = list(
        ProductVariant.objects.select_related("product").filter(product__public_id=public_id).order_by("pk")
    )
    if not variants:
        raise ProductNotFound(details={field: "product not found"})
    active = [v for v in variants if v.is_active]
    if len(variants) == 1 or len(active) == 1:
        return active[0] if active else variants[0]
    raise VariantRequired(details={public_id: [v.public_id for v in variants]})


def product_variants(*, product: Product) -> list[ProductVariant]:
    """All variants of ``product`` (inactive ones too), in position order."""
    return list(
        ProductVariant.objects.using(catalog_read_db()).filter(product=product).order_by("position", "id")
    )


def attribute_list() -> list[Attribute]:
    """Every attribute definition, in ``position`` then ``slug`` order."""
    return list(Attribute.objects.order_by("position", "slug"))


def attribute_get(*, public_id: str) -> Attribute:
    """The attribute with this public id, or :class:`AttributeNotFound`."""
    attribute = Attribute.objects.filter(public_id=public_id).first()
    if attribute is None:
        raise AttributeNotFound(details={"attribute_id": public_id})
    return attribute


EXPORT_CHUNK = 500  # products per query of the CSV export (with their variants and categories)


def products_for_export(*, product_ids: QuerySet[Any] | list[int] | None = None) -> Iterator[Product]:
    """Every product (or those of ``product_ids``) with its variants (in position order) and
    categories, from the primary, in primary-key order: a chunked iterator (``EXPORT_CHUNK``
    products and their prefetched rows in memory at a time), for the CSV export."""
    queryset = Product._base_manager.order_by("pk").prefetch_related(
        Prefetch("variants", queryset=ProductVariant.objects.order_by("position", "pk")),
        Prefetch("categories", queryset=Category.objects.order_by("slug")),
    )
    if product_ids is not None:
        queryset = queryset.filter(pk__in=product_ids)
    return queryset.iterator(chunk_size=EXPORT_CHUNK)
