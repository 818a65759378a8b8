"""Categories (a tree), products with their variants, and the stock ledger. Stock lives on the
variant and can never go negative: the database refuses it; every change of it goes through
``catalog.stock``."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.db.models import Q

from ecommerce.common.fields import PublicIdField
from ecommerce.common.models import TimeStampedModel

from .querysets import ProductManager


class ProductStatus(models.TextChoices):
    IN_STOCK = "in_stock", "In stock"
    OUT_OF_STOCK = "out_of_stock", "Out of stock"
    DISCONTINUED = "discontinued", "Discontinued"


class Category(TimeStampedModel):
    public_id = PublicIdField(prefix="cat")
    name = models.CharField(max_length=120)
    slug = models.SlugField(max_length=140, unique=True)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="children"
    )
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "name"]
        verbose_name_plural = "categories"

    def __str__(self) -> str:
        return self.name


class Product(TimeStampedModel):
    public_id = PublicIdField(prefix="prod")
    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=220, unique=True)
    description = models.TextField(blank=True)
    # The lowest price of the product's active variants: a copy kept by the catalog services
    # that change variants (never by a buyer's transaction), so the list orders and filters by
    # price on an index (docs/catalog.md, "Where price and stock are read").
    price = models.DecimalField(max_digits=12, decimal_places=2)
    # The names of the options its variants differ by, e.g. ["size", "color"]; [] for a product
    # with exactly one variant.
    options = models.JSONField(default=list, blank=True)
    discontinued = models.BooleanField(default=False)
    categories = models.ManyToManyField(Category, blank=True, related_name="products")
    image_url = models.URLField(max_length=500, blank=True)
    # Attribute values set on the product, ``{slug: value}`` (see :class:`Attribute`); what
    # responses show. Filters and facets read :class:`ProductAttributeValue`, kept with it.
    attributes = models.JSONField(default=dict, blank=True)
    manager = models.ForeignKey(
        "accounts.StoreManager",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="products",
    )

    objects = ProductManager()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(price__gte=0), name="product_price_gte_0"),
        ]
        indexes = [
            models.Index(fields=["discontinued", "price"], name="product_disc_price_idx"),
            models.Index(fields=["discontinued", "name"], name="product_disc_name_idx"),
            models.Index(fields=["discontinued", "-created_at"], name="product_disc_created_idx"),
            models.Index(fields=["manager", "name"], name="product_manager_name_idx"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def quantity(self) -> int:
        """The total stock of the product's active variants. ``Product.objects`` reads annotate
        it (``ProductQuerySet.with_stock``); otherwise it is summed from prefetched variants or,
        failing that, read with one query. Never stored on the product: a buyer's transaction
        changes only its variant's row (docs/catalog.md)."""
        cached = self.__dict__.get("_quantity")
        if cached is not None:
            return int(cached)
        prefetched = getattr(self, "_prefetched_objects_cache", {}).get("variants")
        if prefetched is not None:
            total = sum(v.quantity for v in prefetched if v.is_active)
        elif self.pk is None:
            total = 0
        else:
            total = sum(
                ProductVariant.objects.filter(product_id=self.pk, is_active=True).values_list(
                    "quantity", flat=True
                )
            )
        self.__dict__["_quantity"] = total
        return total

    @quantity.setter
    def quantity(self, value: int | None) -> None:
        """Set by the ``quantity`` annotation of product reads, or by a caller building an unsaved
        product (its default variant's opening stock: ``catalog.stock.stock_import``)."""
        self.__dict__["_quantity"] = value

    def refresh_from_db(self, *args: Any, **kwargs: Any) -> None:  # noqa: D102 - Django's
        self.__dict__.pop("_quantity", None)
        super().refresh_from_db(*args, **kwargs)

    @property
    def in_stock(self) -> bool:
        """Any active variant has stock (and the product is not discontinued)."""
        return not self.discontinued and self.quantity > 0

    @property
    def status(self) -> str:
        """``discontinued`` wins; otherwise ``out_of_stock`` at quantity 0, else ``in_stock``."""
        if self.discontinued:
            return ProductStatus.DISCONTINUED
        return ProductStatus.IN_STOCK if self.quantity > 0 else ProductStatus.OUT_OF_STOCK


class TaxClass(models.TextChoices):
    STANDARD = "standard", "Standard"
    REDUCED = "reduced", "Reduced"
    ZERO = "zero", "Zero"


class ProductVariant(TimeStampedModel):
    """What is bought: one combination of the product's options (``{"size": "M"}``), with its
    own SKU, price and stock. A product without options has exactly one variant (``options``
    ``{}``), made and kept by the catalog services."""

    public_id = PublicIdField(prefix="var")
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="variants")
    sku = models.CharField(max_length=64, unique=True)
    options = models.JSONField(default=dict, blank=True)
    price = models.DecimalField(max_digits=12, decimal_places=2)
    compare_at_price = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    quantity = models.IntegerField(default=0)
    weight_grams = models.PositiveIntegerField(null=True, blank=True)
    is_active = models.BooleanField(default=True)
    position = models.PositiveIntegerField(default=0)
    tax_class = models.CharField(max_length=16, choices=TaxClass.choices, default=TaxClass.STANDARD)
    # Attribute values of this variant, ``{slug: value}`` (the product's apply to every variant).
    attributes = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gte=0), name="variant_quantity_gte_0"),
            models.CheckConstraint(condition=Q(price__gte=0), name="variant_price_gte_0"),
        ]
        indexes = [
            models.Index(fields=["product", "is_active", "quantity"], name="variant_product_stock_idx"),
        ]

    def __str__(self) -> str:
        label = " / ".join(str(value) for value in self.options.values())
        return f"{self.sku} ({label})" if label else self.sku

    @property
    def status(self) -> str:
        """``discontinued`` when inactive, else by its own stock."""
        if not self.is_active:
            return ProductStatus.DISCONTINUED
        return ProductStatus.IN_STOCK if self.quantity > 0 else ProductStatus.OUT_OF_STOCK


class AttributeType(models.TextChoices):
    TEXT = "text", "Text"
    NUMBER = "number", "Number"
    BOOLEAN = "boolean", "Yes/no"
    CHOICE = "choice", "Choice"


class Attribute(TimeStampedModel):
    """A typed property admins define (``material``: text, ``screen``: number in inches,
    ``organic``: boolean, ``color``: one of a list) and set on products and variants as
    ``attributes: {slug: value}``. ``filterable`` ones can be filtered and faceted by in the
    product list (``?attr.<slug>=…``, ``?facets=<slug>``). A variant option with the same name
    as an attribute's slug (``size``) counts as that attribute's value of the variant."""

    public_id = PublicIdField(prefix="attr")
    slug = models.SlugField(max_length=64, unique=True)
    name = models.CharField(max_length=120)
    type = models.CharField(max_length=16, choices=AttributeType.choices)
    unit = models.CharField(max_length=32, blank=True)  # numbers only, e.g. "cm"
    choices = models.JSONField(default=list, blank=True)  # choice only: the allowed values
    filterable = models.BooleanField(default=True)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "slug"]

    def __str__(self) -> str:
        return self.name


class ProductAttributeValue(models.Model):
    """One row per distinct (attribute, value) of a product *or any of its active variants*:
    what attribute filters and facet counts read, counting products without a DISTINCT.
    Rewritten for a product by ``catalog.attributes.attribute_index_sync`` whenever the
    product's or its variants' attributes or options change; never written elsewhere.

    ``value`` is the canonical text (``"true"``/``"false"``, numbers without trailing zeros);
    ``number`` is set for number attributes, for ranges."""

    # (product, attribute, value) is the product's index: facet counts over a filtered product set
    # read each product's values from it alone (index-only), never from the table.
    product = models.ForeignKey(
        Product, on_delete=models.CASCADE, related_name="attribute_values", db_index=False
    )
    attribute = models.ForeignKey(Attribute, on_delete=models.CASCADE, related_name="+", db_index=False)
    value = models.CharField(max_length=200)
    number = models.DecimalField(max_digits=20, decimal_places=6, null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["attribute", "value", "product"], name="attribute_value_product_uniq"
            ),
        ]
        indexes = [
            models.Index(fields=["attribute", "number", "product"], name="attribute_number_product_idx"),
            models.Index(fields=["product", "attribute", "value"], name="product_attribute_value_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.product_id}: {self.attribute_id}={self.value}"


class ProductPlacement(models.Model):
    """Where a product is found when browsing categories: one row per (category, product) for
    every category the product is filed under *and each of its ancestors*, with the product's
    ``price`` and ``discontinued`` copied in.

    PostgreSQL only. Triggers (migration ``0003``) keep it current from the category links, the
    product rows and the category tree; no Python code writes it. It turns "a category with its
    sub-categories, ordered by price" into one index range scan, and counting a category into an
    index-only scan. On SQLite and MariaDB the table stays empty and the product list expands
    the sub-tree with a recursive query instead (``catalog.selectors``).
    """

    pk = models.CompositePrimaryKey("category_id", "product_id")
    category = models.ForeignKey(Category, on_delete=models.CASCADE, related_name="+", db_index=False)
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="placements")
    price = models.DecimalField(max_digits=12, decimal_places=2)
    discontinued = models.BooleanField()

    class Meta:
        indexes = [
            models.Index(
                fields=["category", "discontinued", "price", "product"], name="placement_browse_price_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.product_id} in {self.category_id}"


# The products one facet bitmap row covers: product ``id`` is bit ``id % BITMAP_CHUNK`` of chunk
# ``id // BITMAP_CHUNK`` (1 kB a row: stored inline, never compressed). Migration 0011's SQL
# (``catalog_facet_bit()`` and its triggers) spells the same 8192 out: change both or neither.
BITMAP_CHUNK = 8192


class BitStringField(models.Field):
    """A bit string: ``bit varying`` on PostgreSQL (elsewhere a blob that nothing writes)."""

    description = "Bit string"

    def db_type(self, connection: Any) -> str:
        return {"postgresql": "bit varying", "mysql": "longblob"}.get(connection.vendor, "blob")


class FacetBitmapKind(models.IntegerChoices):
    LIVE = 0, "live products"  # not discontinued
    PRICE_BELOW = 1, "price below a bound"  # ``number``: the bound
    VALUE = 2, "attribute value"  # ``key_id``: the attribute, ``value`` (and ``number``)
    CATEGORY = 3, "category and its sub-tree"  # ``key_id``: the category


class FacetBitmap(models.Model):
    """PostgreSQL only: which products have a key (an attribute value, a category, a price below
    a bound, being live), one bit per product, as rows of *flips*: the key's bitmap for a chunk
    of products is the XOR of its rows (``bit_xor``); a key is (kind, key_id, value, number).
    What ``?facets=`` reads for every list of live products
    (``catalog.facets.product_facets_bitmaps``): ``&`` the filters, ``bit_count`` each value
    under them.

    Statement triggers (migration ``0011_facet_bitmaps``) on the attribute value rows, the
    placements and the products append one row per key and chunk a statement flips: inserts
    only, so writers never wait for each other, and the order of the rows does not matter; the
    hourly housekeeping folds each key's rows into one (``catalog_facet_bitmaps_compact()``).
    No Python code writes it."""

    kind = models.SmallIntegerField(choices=FacetBitmapKind.choices)
    key_id = models.BigIntegerField(default=0)
    value = models.CharField(max_length=200, default="")
    number = models.DecimalField(max_digits=20, decimal_places=6, null=True, blank=True)
    chunk = models.IntegerField()
    bits = BitStringField()

    class Meta:
        indexes = [
            models.Index(fields=["kind", "key_id", "value", "chunk"], name="facetbitmap_key_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.key_id}={self.value or self.number} @{self.chunk}"


class FacetBitmapBound(models.Model):
    """PostgreSQL only: the price bounds that :class:`FacetBitmap` keeps "price below" bitmaps
    for. The housekeeping makes them ``CATALOG_PRICE_FACET_BOUNDS``
    (``catalog.queries.facet_bitmaps_bounds_sync``); until then the price facet is counted live."""

    number = models.DecimalField(max_digits=12, decimal_places=2, unique=True)

    def __str__(self) -> str:
        return str(self.number)


def product_image_upload_to(instance: ProductImage, filename: str) -> str:
    """``products/<product public id>/<image public id>.<ext>``: names we make, never the client's."""
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"products/{instance.product.public_id}/{instance.public_id}.{extension}"


class ProductImage(TimeStampedModel):
    """A picture of a product, stored through Django's storage API (``STORAGES["default"]``).

    ``file`` is the normalised original (EXIF orientation applied, metadata stripped, re-encoded
    by Pillow: ``catalog.images``). ``renditions`` lists the smaller copies made in the
    background (``catalog.tasks``): ``[{"width", "height", "format", "name"}]``, ``name`` being
    the storage name; empty until they exist. Deleting the row deletes every file after commit
    (``catalog.signals``).
    """

    public_id = PublicIdField(prefix="img")
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="images")
    # The variant this picture shows (a colour, say), or None for the whole product.
    variant = models.ForeignKey(
        "ProductVariant", null=True, blank=True, on_delete=models.SET_NULL, related_name="images"
    )
    file = models.FileField(upload_to=product_image_upload_to, max_length=255)
    alt = models.CharField(max_length=255, blank=True)
    position = models.PositiveIntegerField(default=0)
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    renditions = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["position", "id"]
        indexes = [models.Index(fields=["product", "position"], name="productimage_product_pos_idx")]

    def __str__(self) -> str:
        return f"{self.public_id} of {self.product_id}"

    def storage_names(self) -> list[str]:
        """Every file of this image in the storage: the original and its renditions."""
        names = [self.file.name] if self.file.name else []
        return names + [r["name"] for r in self.renditions or [] if r.get("name")]


class StockMovementReason(models.TextChoices):
    SALE = "sale", "Sale"
    RELEASE = "release", "Released (cancel or failed payment)"
    RESTOCK = "restock", "Restock"
    ADJUSTMENT = "adjustment", "Adjustment"
    IMPORT = "import", "Import"


class StockMovement(models.Model):
    """The stock ledger: every change of a variant's quantity, with its cause. ``product`` is
    the variant's product, copied so that a product's history is one indexed read."""

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="stock_movements")
    variant = models.ForeignKey(ProductVariant, on_delete=models.CASCADE, related_name="stock_movements")
    # The order that caused the change (sale, release). A reference to the layer above by name
    # only: the catalog never imports ``orders`` (docs/architecture.md).
    order = models.ForeignKey(
        "orders.Order", null=True, blank=True, on_delete=models.SET_NULL, related_name="stock_movements"
    )
    delta = models.IntegerField()
    reason = models.CharField(max_length=16, choices=StockMovementReason.choices)
    # Why a person changed the stock (admin adjustments); a database default, so the hand-written
    # ledger INSERTs of checkout need not name the column.
    note = models.CharField(max_length=255, blank=True, default="", db_default="")
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["created_at", "id"]
        # Moved from ``orders`` (issue #19) without moving data: the table keeps its name.
        db_table = "orders_stockmovement"

    def __str__(self) -> str:
        return f"{self.variant_id}: {self.delta:+d} ({self.reason})"
