"""The product CSV format (issue #15): one row per variant, with its product's fields repeated.

- :func:`export_rows` renders products and their variants as rows (the export; the rows come
  from :func:`catalog.selectors.products_for_export`, a chunked iterator: constant memory);
- :func:`import_parse` reads an uploaded file into rows (UTF-8, a BOM tolerated; line numbers
  as in the file, the header being line 1), checking each cell;
- :func:`import_plan` matches the rows against the catalog and checks them as a whole (SKUs,
  option combinations, products whose rows disagree): what an import would create and change,
  with every error by line. It only reads (``lock=True``: under row locks, for the commit);
  :func:`catalog.services.products_csv_import` writes the plan.

Stdlib :mod:`csv` rather than django-import-export: the file is one row per *variant* with
product fields repeated and written through the stock module, which a per-model resource
does not model, and a plain parser keeps 10,000 rows well under a second (docs/catalog.md).

Cells starting with ``= + - @`` (or a tab or carriage return) are exported with a ``'`` in
front so spreadsheets do not run them as formulas (CSV injection); the import removes that
``'`` again, so an export imports back unchanged. Numeric columns are never prefixed.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_slug
from django.db import connection
from django.db.models import QuerySet
from django.utils.text import slugify

from ecommerce.common.exceptions import InvalidRequest

from .models import Category, Product, ProductVariant, TaxClass

COLUMNS: tuple[str, ...] = (
    "product_id",
    "product_name",
    "product_slug",
    "description",
    "categories",
    "options",
    "variant_id",
    "sku",
    "option_values",
    "price",
    "compare_at_price",
    "quantity",
    "weight_grams",
    "tax_class",
    "is_active",
    "discontinued",
)
REQUIRED_COLUMNS: tuple[str, ...] = ("product_name", "sku", "price")
NUMERIC_COLUMNS = frozenset({"price", "compare_at_price", "quantity", "weight_grams"})
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
LIST_SEPARATOR = "|"
TRUE_WORDS = frozenset({"true", "1", "yes", "y"})
FALSE_WORDS = frozenset({"false", "0", "no", "n"})
MAX_PRICE = Decimal("9999999999.99")  # max_digits=12, decimal_places=2
LOOKUP_CHUNK = 1000  # ids per IN (...) lookup: far below every database's parameter limit


# --- export --------------------------------------------------------------------------------


def cell_escape(value: str) -> str:
    """A text cell made safe for spreadsheets: ``'`` before a formula's first character (and
    before a ``'`` that would otherwise be taken for that prefix on import)."""
    if value.startswith(FORMULA_STARTS) or (value.startswith("'") and value[1:2] in (*FORMULA_STARTS, "'")):
        return "'" + value
    return value


def cell_unescape(value: str) -> str:
    """The inverse of :func:`cell_escape`: drop a ``'`` put before a formula character."""
    if value.startswith("'") and value[1:2] in (*FORMULA_STARTS, "'"):
        return value[1:]
    return value


def _decimal(value: Decimal | None) -> str:
    return "" if value is None else f"{value:.2f}"


def options_format(options: dict[str, Any]) -> str:
    """``{"size": "M", "color": "red"}`` → ``size=M|color=red``."""
    return LIST_SEPARATOR.join(f"{name}={value}" for name, value in options.items())


def product_rows(product: Product) -> Iterator[list[str]]:
    """The rows of one product (its ``variants`` and ``categories`` prefetched), in ``COLUMNS``
    order."""
    categories = LIST_SEPARATOR.join(c.slug for c in product.categories.all())
    text = [
        product.name,
        product.slug,
        product.description,
        categories,
        LIST_SEPARATOR.join(product.options or []),
    ]
    name, slug, description, categories, options = (cell_escape(value) for value in text)
    for variant in product.variants.all():
        yield [
            product.public_id,
            name,
            slug,
            description,
            categories,
            options,
            variant.public_id,
            cell_escape(variant.sku),
            cell_escape(options_format(variant.options or {})),
            _decimal(variant.price),
            _decimal(variant.compare_at_price),
            str(variant.quantity),
            "" if variant.weight_grams is None else str(variant.weight_grams),
            variant.tax_class,
            "true" if variant.is_active else "false",
            "true" if product.discontinued else "false",
        ]


class _Line:
    """A file-like object whose ``write`` returns what it is given (for ``csv.writer``)."""

    def write(self, value: str) -> str:
        return value


def export_rows(products: Iterable[Product]) -> Iterator[str]:
    """The CSV text, a header line then one line per variant, as an iterator of lines (a
    streaming response's content)."""
    writer = csv.writer(_Line())
    yield writer.writerow(COLUMNS)
    for product in products:
        for row in product_rows(product):
            yield writer.writerow(row)


# --- import: reading the file --------------------------------------------------------------


@dataclass(frozen=True)
class RowError:
    """A problem of one line of the file (``line`` 1 is the header; 0: the file as a whole)."""

    line: int
    field: str
    message: str

    def as_dict(self) -> dict[str, Any]:
        return {"line": self.line, "field": self.field, "message": self.message}


@dataclass
class ImportRow:
    """One data row, its cells checked and converted; ``None``: the column is absent (the
    field is kept as it is on an update, its default on a create)."""

    line: int
    product_id: str
    product_name: str
    product_slug: str
    description: str | None
    categories: list[str] | None
    options: list[str] | None
    variant_id: str
    sku: str
    option_values: dict[str, str] | None
    price: Decimal | None
    compare_at_price: Decimal | None
    quantity: int | None
    weight_grams: int | None
    tax_class: str | None
    is_active: bool | None
    discontinued: bool | None
    present: frozenset[str] = frozenset()


def file_decode(content: bytes) -> str:
    """UTF-8 text of an upload (a BOM is dropped). Raises ``InvalidRequest`` naming the line
    of the first byte that is not UTF-8."""
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = content[: error.start].count(b"\n") + 1
        raise InvalidRequest(
            "The file is not UTF-8 text.",
            details={"file": f"line {line}: not UTF-8 (save the CSV as UTF-8)"},
        ) from error


def _split(value: str) -> list[str]:
    return [part.strip() for part in value.split(LIST_SEPARATOR) if part.strip()]


def _parse_options(value: str) -> dict[str, str]:
    options: dict[str, str] = {}
    for part in value.split(LIST_SEPARATOR):
        if not part.strip():
            continue
        name, sep, option_value = part.partition("=")
        name, option_value = name.strip(), option_value.strip()
        if not sep or not name or not option_value:
            raise ValueError(f"'{part.strip()}' is not name=value")
        if name in options:
            raise ValueError(f"option '{name}' given twice")
        options[name] = option_value
    return options


def _parse_decimal(value: str) -> Decimal:
    try:
        number = Decimal(value)
    except InvalidOperation:
        raise ValueError(f"'{value}' is not a number") from None
    if not number.is_finite():
        raise ValueError(f"'{value}' is not a number")
    if number < 0:
        raise ValueError("must not be negative")
    if number != number.quantize(Decimal("0.01")):
        raise ValueError("at most 2 decimal places")
    if number > MAX_PRICE:
        raise ValueError(f"at most {MAX_PRICE}")
    return number.quantize(Decimal("0.01"))


def _parse_int(value: str, *, maximum: int = 2_147_483_647) -> int:
    try:
        number = int(value)
    except ValueError:
        raise ValueError(f"'{value}' is not a whole number") from None
    if number < 0:
        raise ValueError("must not be negative")
    if number > maximum:
        raise ValueError(f"at most {maximum}")
    return number


def _parse_bool(value: str) -> bool:
    word = value.strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise ValueError(f"'{value}' is not true or false")


def _row_parse(line: int, cells: dict[str, str], errors: list[RowError]) -> ImportRow | None:
    """Check and convert the cells of one row; records its errors and returns ``None`` then."""
    found: list[RowError] = []

    def get(name: str) -> str | None:
        if name not in cells:
            return None
        value = cells[name]
        return value if name in NUMERIC_COLUMNS else cell_unescape(value)

    def convert(name: str, parse: Any, *, empty: Any = None) -> Any:
        value = get(name)
        if value is None:
            return None
        value = value.strip()
        if value == "":
            return empty
        try:
            return parse(value)
        except ValueError as error:
            found.append(RowError(line, name, str(error)))
            return None

    name = (get("product_name") or "").strip()
    if not name:
        found.append(RowError(line, "product_name", "required"))
    elif len(name) > 200:
        found.append(RowError(line, "product_name", "at most 200 characters"))
    slug = (get("product_slug") or "").strip()
    if slug:
        try:
            validate_slug(slug)
        except ValidationError:
            found.append(RowError(line, "product_slug", "letters, digits, hyphens and underscores only"))
        if len(slug) > 220:
            found.append(RowError(line, "product_slug", "at most 220 characters"))
    sku = (get("sku") or "").strip()
    if not sku:
        found.append(RowError(line, "sku", "required"))
    elif len(sku) > 64:
        found.append(RowError(line, "sku", "at most 64 characters"))
    price = convert("price", _parse_decimal)
    if cells.get("price", "").strip() == "":
        found.append(RowError(line, "price", "required"))
    options = convert("options", _split, empty=[])
    if options is not None and len(set(options)) != len(options):
        found.append(RowError(line, "options", "option names must be unique"))
    tax_class = convert("tax_class", str, empty=TaxClass.STANDARD)
    if tax_class is not None and tax_class not in TaxClass.values:
        found.append(RowError(line, "tax_class", f"one of {', '.join(TaxClass.values)}"))
    description = get("description")
    row = ImportRow(
        line=line,
        product_id=(get("product_id") or "").strip(),
        product_name=name,
        product_slug=slug,
        description=description,
        categories=convert("categories", _split, empty=[]),
        options=options,
        variant_id=(get("variant_id") or "").strip(),
        sku=sku,
        option_values=convert("option_values", _parse_options, empty={}),
        price=price,
        compare_at_price=convert("compare_at_price", _parse_decimal),
        quantity=convert("quantity", _parse_int),
        weight_grams=convert("weight_grams", _parse_int),
        tax_class=tax_class,
        is_active=convert("is_active", _parse_bool, empty=True),
        discontinued=convert("discontinued", _parse_bool, empty=False),
        present=frozenset(cells),
    )
    errors.extend(found)
    return None if found else row


def import_parse(text: str) -> tuple[list[ImportRow], list[RowError]]:
    """Read CSV ``text``: its rows (those without errors) and the errors of every line. An
    unknown column, a missing required one or an empty file is an error of line 1.

    Line numbers are the file's: a row whose quoted cell spans several lines carries the line
    it starts on. Blank lines are skipped."""
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    errors: list[RowError] = []
    rows: list[ImportRow] = []
    try:
        header = next(reader, None)
    except csv.Error as error:
        return [], [RowError(1, "", f"not valid CSV: {error}")]
    if header is None or not any(cell.strip() for cell in header):
        return [], [RowError(1, "", "the file is empty: a header line is required")]
    names = [cell.strip().lower() for cell in header]
    unknown = [name for name in names if name not in COLUMNS]
    if unknown:
        errors.append(RowError(1, "", f"unknown column(s): {', '.join(unknown)}"))
    repeated = sorted({name for name in names if names.count(name) > 1})
    if repeated:
        errors.append(RowError(1, "", f"column(s) given twice: {', '.join(repeated)}"))
    missing = [name for name in REQUIRED_COLUMNS if name not in names]
    if missing:
        errors.append(RowError(1, "", f"missing required column(s): {', '.join(missing)}"))
    if errors:
        return [], errors
    while True:
        start = reader.line_num + 1
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error as error:
            errors.append(RowError(start, "", f"not valid CSV: {error}"))
            break
        if not any(cell.strip() for cell in cells):
            continue
        if len(cells) != len(names):
            errors.append(RowError(start, "", f"{len(cells)} cells, the header has {len(names)}"))
            continue
        row = _row_parse(start, dict(zip(names, cells, strict=True)), errors)
        if row is not None:
            rows.append(row)
    if not rows and not errors:
        errors.append(RowError(1, "", "the file has no data rows"))
    return rows, errors


# --- import: the plan ----------------------------------------------------------------------

PRODUCT_TEXT_FIELDS = ("name", "slug", "description", "options", "discontinued")
VARIANT_FIELDS = ("sku", "options", "price", "compare_at_price", "weight_grams", "is_active", "tax_class")


@dataclass
class ProductPlan:
    """A product of the file: ``product`` an existing row (locked for a commit) or ``None``
    (to create); ``values`` what the file sets; ``changed`` the fields that differ."""

    line: int
    product: Product | None
    values: dict[str, Any]
    categories: list[int] | None  # category pks, in the file's order; None: column absent
    changed: set[str] = field(default_factory=set)
    categories_changed: bool = False
    variants: list[VariantPlan] = field(default_factory=list)
    existing: list[ProductVariant] = field(default_factory=list)  # all its variants (locked)


@dataclass
class VariantPlan:
    """A variant row: ``variant`` an existing row or ``None`` (to create); ``quantity`` the
    level wanted (``None``: unchanged)."""

    line: int
    variant: ProductVariant | None
    values: dict[str, Any]
    quantity: int | None
    changed: set[str] = field(default_factory=set)

    @property
    def stock_delta(self) -> int:
        """Units the import adds (negative: removes)."""
        if self.quantity is None:
            return 0
        return self.quantity - (self.variant.quantity if self.variant is not None else 0)


@dataclass
class ImportPlan:
    """What an import does, product by product, and the errors that stop it."""

    products: list[ProductPlan]
    errors: list[RowError]

    @property
    def valid(self) -> bool:
        return not self.errors

    def summary(self) -> dict[str, int]:
        """``{products_created, products_updated, variants_created, variants_updated,
        stock_changes}``: counts (``stock_changes``: variants whose stock changes)."""
        variants = [v for p in self.products for v in p.variants]
        return {
            "products_created": sum(1 for p in self.products if p.product is None),
            "products_updated": sum(
                1 for p in self.products if p.product is not None and (p.changed or p.categories_changed)
            ),
            "variants_created": sum(1 for v in variants if v.variant is None),
            "variants_updated": sum(1 for v in variants if v.variant is not None and v.changed),
            "stock_changes": sum(1 for v in variants if v.stock_delta),
        }


def _chunks(values: Sequence[str]) -> Iterator[list[str]]:
    unique = list(dict.fromkeys(values))
    for start in range(0, len(unique), LOOKUP_CHUNK):
        yield unique[start : start + LOOKUP_CHUNK]


def _fetch(queryset: QuerySet[Any], name: str, values: Sequence[str]) -> list[Any]:
    found: list[Any] = []
    for chunk in _chunks([v for v in values if v]):
        found.extend(queryset.filter(**{f"{name}__in": chunk}))
    return found


def _product_key(row: ImportRow) -> str:
    """Which rows belong together: the product id, else the slug, else the name's slug."""
    if row.product_id:
        return "id:" + row.product_id
    return "slug:" + (row.product_slug or slugify(row.product_name))


def import_plan(rows: Sequence[ImportRow], *, lock: bool = False) -> ImportPlan:
    """Match ``rows`` with the catalog and check them as a whole; reads only.

    Products are matched by ``product_id``, else by ``product_slug`` (else the slug of
    ``product_name``); variants by ``variant_id``, else by ``sku``. With ``lock`` (inside the
    commit's transaction) the matched products and all their variants are read with ``SELECT …
    FOR UPDATE``, each in one ascending primary-key order (see the lock order below)."""
    errors: list[RowError] = []
    groups: dict[str, list[ImportRow]] = {}
    for row in rows:
        groups.setdefault(_product_key(row), []).append(row)

    # what exists: products by id or slug, variants by id or SKU, the categories named
    by_id = {
        p.public_id: p for p in _fetch(Product._base_manager.all(), "public_id", [r.product_id for r in rows])
    }
    slugs = [r.product_slug or slugify(r.product_name) for r in rows]
    by_slug = {p.slug: p for p in _fetch(Product._base_manager.all(), "slug", slugs)}
    variant_ids = [r.variant_id for r in rows]
    skus = [r.sku for r in rows]
    variants_by_id = {v.public_id: v for v in _fetch(ProductVariant.objects.all(), "public_id", variant_ids)}
    variants_by_sku = {v.sku: v for v in _fetch(ProductVariant.objects.all(), "sku", skus)}
    category_slugs = [slug for r in rows for slug in (r.categories or [])]
    categories = dict(
        pair
        for chunk in _chunks(category_slugs)
        for pair in Category.objects.filter(slug__in=chunk).values_list("slug", "pk")
    )

    # the products each group updates, locked with all their variants for a commit
    matched: dict[str, Product | None] = {}
    for key, group in groups.items():
        first = group[0]
        if first.product_id:
            product = by_id.get(first.product_id)
            if product is None:
                errors.append(RowError(first.line, "product_id", f"no product '{first.product_id}'"))
                continue
            matched[key] = product
        else:
            matched[key] = by_slug.get(first.product_slug or slugify(first.product_name))
    product_pks = sorted({p.pk for p in matched.values() if p is not None})
    # Lock order (commit): checkout locks variants, then its ledger INSERT takes a key-share lock
    # on their products (the foreign key). PostgreSQL: products first with FOR NO KEY UPDATE,
    # which that key-share lock does not wait for (and in the order of the catalog services,
    # which lock a product, then its variants). Elsewhere (MariaDB: a row lock blocks the foreign
    # key check): variants first, in checkout's order, then their products.
    products_first = not lock or connection.features.has_select_for_no_key_update
    products: dict[int, Product] = {}
    if products_first:
        products = _products_read(product_pks, lock=lock)
    variant_pks: list[int] = []
    for start in range(0, len(product_pks), LOOKUP_CHUNK):
        chunk = product_pks[start : start + LOOKUP_CHUNK]
        variant_pks.extend(ProductVariant.objects.filter(product_id__in=chunk).values_list("pk", flat=True))
    variant_pks.sort()  # one ascending order across all chunks, as checkout locks them
    variants_of: dict[int, list[ProductVariant]] = {pk: [] for pk in product_pks}
    for start in range(0, len(variant_pks), LOOKUP_CHUNK):
        chunk = variant_pks[start : start + LOOKUP_CHUNK]
        query_v = ProductVariant.objects.filter(pk__in=chunk).order_by("pk")
        for row_variant in query_v.select_for_update() if lock else query_v:
            variants_of[row_variant.product_id].append(row_variant)
    if not products_first:
        products = _products_read(product_pks, lock=lock)

    seen_skus: dict[str, int] = {}
    seen_variants: dict[int, int] = {}
    seen_slugs: dict[str, int] = {}
    seen_products: dict[int, int] = {}
    plans: list[ProductPlan] = []
    for key, group in groups.items():
        if key not in matched:
            continue  # an unknown product id, reported above
        first = group[0]
        found = matched[key]
        product = products.get(found.pk) if found is not None else None
        if product is not None:
            if product.pk in seen_products:
                line = seen_products[product.pk]
                errors.append(RowError(first.line, "product_id", f"same product as line {line}"))
                continue
            seen_products[product.pk] = first.line
        plan = _product_plan(first, product, categories, errors)
        slug = plan.values["slug"]
        if slug in seen_slugs:
            errors.append(RowError(first.line, "product_slug", f"same slug as line {seen_slugs[slug]}"))
        seen_slugs.setdefault(slug, first.line)
        taken = by_slug.get(slug)
        if taken is not None and (product is None or taken.pk != product.pk) and key.startswith("id:"):
            errors.append(RowError(first.line, "product_slug", f"slug taken by product {taken.public_id}"))
        for row in group[1:]:
            _product_rows_agree(first, row, errors)
        existing = variants_of.get(product.pk, []) if product is not None else []
        mine = {v.pk: v for v in existing}
        for row in group:
            # the SKU, within the file and against the catalog
            if row.sku in seen_skus:
                errors.append(RowError(row.line, "sku", f"same SKU as line {seen_skus[row.sku]}"))
                continue
            seen_skus[row.sku] = row.line
            variant: ProductVariant | None = None
            if row.variant_id:
                other = variants_by_id.get(row.variant_id)
                if other is None:
                    errors.append(RowError(row.line, "variant_id", f"no variant '{row.variant_id}'"))
                    continue
                if other.pk not in mine:
                    errors.append(
                        RowError(row.line, "variant_id", "a variant of another product (see product_id)")
                    )
                    continue
                variant = mine[other.pk]
            holder = variants_by_sku.get(row.sku)
            if holder is not None and (variant is None or holder.pk != variant.pk):
                if variant is None and holder.pk in mine:
                    variant = mine[holder.pk]
                else:
                    errors.append(RowError(row.line, "sku", f"SKU taken by variant {holder.public_id}"))
                    continue
            if variant is not None:
                if variant.pk in seen_variants:
                    errors.append(
                        RowError(row.line, "variant_id", f"same variant as line {seen_variants[variant.pk]}")
                    )
                    continue
                seen_variants[variant.pk] = row.line
            plan.variants.append(_variant_plan(row, variant))
        plan.existing = existing
        _variants_check(plan, existing, errors)
        plans.append(plan)
    errors.sort(key=lambda e: (e.line, e.field))
    return ImportPlan(products=plans, errors=errors)


def _products_read(pks: Sequence[int], *, lock: bool) -> dict[int, Product]:
    """Products by primary key with their categories and manager; locked (ascending) with
    ``lock``: ``FOR NO KEY UPDATE`` where the database has it, else ``FOR UPDATE``."""
    products: dict[int, Product] = {}
    no_key = connection.features.has_select_for_no_key_update
    for start in range(0, len(pks), LOOKUP_CHUNK):
        query = Product._base_manager.filter(pk__in=pks[start : start + LOOKUP_CHUNK]).order_by("pk")
        if lock:
            query = query.select_for_update(no_key=no_key)
        products.update({p.pk: p for p in query.prefetch_related("categories", "manager")})
    return products


def _product_plan(
    row: ImportRow, product: Product | None, categories: dict[str, int], errors: list[RowError]
) -> ProductPlan:
    """The product fields the file sets (from the product's first row) and what changes."""
    values: dict[str, Any] = {
        "name": row.product_name,
        "slug": row.product_slug or (product.slug if product is not None else slugify(row.product_name)),
    }
    if not values["slug"]:
        errors.append(RowError(row.line, "product_slug", "required when the name gives no slug"))
    for name, value in (
        ("description", row.description),
        ("options", row.options),
        ("discontinued", row.discontinued),
    ):
        if value is not None:
            values[name] = value
    if product is None:
        values.setdefault("description", "")
        values.setdefault("discontinued", False)
        if "options" not in values:  # from the option values of the first row
            values["options"] = list((row.option_values or {}).keys())
    pks: list[int] | None = None
    if row.categories is not None:
        unknown = [slug for slug in row.categories if slug not in categories]
        if unknown:
            errors.append(RowError(row.line, "categories", f"unknown category slug(s): {', '.join(unknown)}"))
        pks = [categories[slug] for slug in dict.fromkeys(row.categories) if slug in categories]
    plan = ProductPlan(line=row.line, product=product, values=values, categories=pks)
    if product is not None:
        plan.changed = {name for name, value in values.items() if getattr(product, name) != value}
        if pks is not None:
            current = sorted(c.pk for c in product.categories.all())
            plan.categories_changed = current != sorted(pks)
    return plan


def _product_rows_agree(first: ImportRow, row: ImportRow, errors: list[RowError]) -> None:
    """The product's fields on its later rows must repeat those of its first row."""
    for column, attr in (
        ("product_name", "product_name"),
        ("product_slug", "product_slug"),
        ("description", "description"),
        ("categories", "categories"),
        ("options", "options"),
        ("discontinued", "discontinued"),
    ):
        if getattr(row, attr) != getattr(first, attr):
            errors.append(
                RowError(row.line, column, f"differs from the product's first row (line {first.line})")
            )


def _differs(current: Any, wanted: Any) -> bool:
    if isinstance(current, dict) and isinstance(wanted, dict):  # option values: text in the file
        return {k: str(v) for k, v in current.items()} != wanted
    return bool(current != wanted)


def _variant_plan(row: ImportRow, variant: ProductVariant | None) -> VariantPlan:
    values: dict[str, Any] = {"sku": row.sku, "price": row.price}
    if row.option_values is not None:
        values["options"] = row.option_values
    for name in ("compare_at_price", "weight_grams", "tax_class", "is_active"):
        if name in row.present:
            values[name] = getattr(row, name)
    if variant is None:
        values.setdefault("options", {})
    plan = VariantPlan(line=row.line, variant=variant, values=values, quantity=row.quantity)
    if variant is not None:
        plan.changed = {name for name, value in values.items() if _differs(getattr(variant, name), value)}
        if plan.quantity == variant.quantity:
            plan.quantity = None
    elif plan.quantity is None:
        plan.quantity = 0
    return plan


def _variants_check(plan: ProductPlan, existing: Sequence[ProductVariant], errors: list[RowError]) -> None:
    """The product's variants after the import (its others kept as they are): each has a value
    for every option and no other; no two share an option combination; a product without
    options has exactly one."""
    names = plan.values.get("options")
    if names is None:
        names = list(plan.product.options or []) if plan.product is not None else []
    in_file = {v.variant.pk for v in plan.variants if v.variant is not None}
    final: list[tuple[int, dict[str, Any], str]] = [
        (plan.line, dict(v.options or {}), f"existing variant {v.public_id} ({v.sku})")
        for v in existing
        if v.pk not in in_file
    ]
    final += [
        (
            v.line,
            dict(v.values.get("options", v.variant.options if v.variant is not None else {})),
            f"line {v.line}",
        )
        for v in plan.variants
    ]
    if not names and len(final) > 1:
        errors.append(
            RowError(plan.line, "options", "a product with several variants needs options (e.g. size|color)")
        )
        return
    seen: dict[tuple[tuple[str, str], ...], str] = {}
    for line, options, label in final:
        if set(options) != set(names):
            wanted = LIST_SEPARATOR.join(names) or "no options"
            errors.append(RowError(line, "option_values", f"{label}: needs a value for each of {wanted}"))
            continue
        combination = tuple(sorted((k, str(v)) for k, v in options.items()))
        if combination in seen:
            errors.append(RowError(line, "option_values", f"same options as {seen[combination]}"))
        seen.setdefault(combination, label)


def errors_raise(errors: Sequence[RowError]) -> None:
    """Refuse an import with errors: ``InvalidRequest`` (400) with ``details.errors`` listing
    them (``[{line, field, message}]``)."""
    if errors:
        raise InvalidRequest(
            f"The file has {len(errors)} error(s); nothing was imported.",
            details={"errors": [e.as_dict() for e in errors]},
        )
