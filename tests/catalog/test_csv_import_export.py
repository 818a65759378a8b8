"""CSV export and import of products with their variants, prices, stock and categories
(issue #15): the API, the service rules (preview writes nothing, commit all or nothing, the
ledger), line numbers of errors, CSV injection, limits."""

from __future__ import annotations

import csv
import io
from decimal import Decimal
from typing import Any

import pytest
from django.db.models import Sum
from django.test import override_settings

from catalog import services
from catalog.csv_io import COLUMNS, cell_escape, cell_unescape
from catalog.models import Category, Product, ProductVariant, StockMovement, StockMovementReason
from ecommerce.common.exceptions import InvalidRequest
from ecommerce.events.models import OutboxEvent

pytestmark = pytest.mark.django_db

EXPORT_URL = "/api/products/export/"
IMPORT_URL = "/api/products/import/"
HEADER = ",".join(COLUMNS)


def table_counts() -> dict[str, int]:
    """Rows of every table an import writes."""
    return {
        "products": Product.objects.count(),
        "variants": ProductVariant.objects.count(),
        "ledger": StockMovement.objects.count(),
        "links": Product.categories.through.objects.count(),
        "events": OutboxEvent.objects.count(),
        "categories": Category.objects.count(),
    }


def catalog_state() -> list[tuple[Any, ...]]:
    """Every field the import can change, with timestamps (an unchanged row is not re-saved)."""
    products = sorted(
        Product._base_manager.values_list(
            "public_id", "name", "slug", "description", "options", "discontinued", "price", "updated_at"
        )
    )
    variants = sorted(
        ProductVariant.objects.values_list(
            "public_id", "sku", "options", "price", "compare_at_price", "quantity", "weight_grams",
            "is_active", "tax_class", "position", "updated_at",
        )
    )  # fmt: skip
    links = sorted(Product.categories.through.objects.values_list("product_id", "category_id"))
    return [*products, *variants, *links]


def make_csv(*rows: dict[str, Any], columns: tuple[str, ...] = COLUMNS) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({name: row.get(name, "") for name in columns})
    return out.getvalue().encode()


def row(sku: str, **fields: Any) -> dict[str, Any]:
    """A new product's row: one variant, no options."""
    return {"product_name": f"Product {sku}", "sku": sku, "price": "9.50", "quantity": "3", **fields}


def upload(client: Any, content: bytes, *, commit: bool | None = None, name: str = "p.csv") -> Any:
    data: dict[str, Any] = {"file": io.BytesIO(content)}
    data["file"].name = name
    if commit is not None:
        data["commit"] = "true" if commit else "false"
    return client.post(IMPORT_URL, data, format="multipart")


@pytest.fixture
def shop() -> dict[str, Any]:
    """Two categories, a tee with three variants and a mug with one, made through the services
    (so their opening stock is in the ledger)."""
    clothing = services.category_create(name="Clothing", slug="clothing")
    kitchen = services.category_create(name="Kitchen", slug="kitchen")
    tee = services.product_create(
        name="Tee",
        description="Soft cotton,\nwashed twice.",
        categories=[clothing.public_id],
        options=["size", "color"],
        variants=[
            {
                "sku": "TEE-S-RED",
                "options": {"size": "S", "color": "red"},
                "price": Decimal("19"),
                "quantity": 4,
            },
            {
                "sku": "TEE-M-RED",
                "options": {"size": "M", "color": "red"},
                "price": Decimal("21.50"),
                "compare_at_price": Decimal("25"),
                "quantity": 0,
                "weight_grams": 180,
            },
            {
                "sku": "TEE-L-RED",
                "options": {"size": "L", "color": "red"},
                "price": Decimal("21.50"),
                "quantity": 7,
                "is_active": False,
                "tax_class": "reduced",
            },
        ],
    )
    mug = services.product_create(
        name="=HYPERLINK(evil)", price=Decimal("8"), quantity=12, categories=[kitchen.public_id]
    )
    return {"tee": tee, "mug": mug, "clothing": clothing, "kitchen": kitchen}


def export(client: Any) -> bytes:
    response = client.get(EXPORT_URL)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response.streaming
    return b"".join(response.streaming_content)


def ledger_matches_quantities() -> None:
    for variant in ProductVariant.objects.all():
        total = StockMovement.objects.filter(variant=variant).aggregate(total=Sum("delta"))["total"] or 0
        assert total == variant.quantity, variant.sku


# --- export ----------------------------------------------------------------------------------


def test_export_one_row_per_variant_with_product_fields(admin_client, shop) -> None:
    rows = list(csv.DictReader(io.StringIO(export(admin_client).decode())))

    assert [r["sku"] for r in rows] == ["TEE-S-RED", "TEE-M-RED", "TEE-L-RED", shop["mug"].variants.get().sku]
    tee_m = rows[1]
    assert tee_m["product_id"] == shop["tee"].public_id
    assert tee_m["product_slug"] == "tee"
    assert tee_m["description"] == "Soft cotton,\nwashed twice."
    assert tee_m["categories"] == "clothing"
    assert tee_m["options"] == "size|color"
    assert tee_m["option_values"] == "size=M|color=red"
    assert (tee_m["price"], tee_m["compare_at_price"], tee_m["quantity"]) == ("21.50", "25.00", "0")
    assert (tee_m["weight_grams"], tee_m["tax_class"], tee_m["is_active"]) == ("180", "standard", "true")
    assert rows[2]["is_active"] == "false" and rows[2]["tax_class"] == "reduced"
    assert rows[3]["options"] == "" and rows[3]["option_values"] == ""


def test_export_prefixes_formula_cells_but_not_numbers(admin_client, shop) -> None:
    rows = list(csv.DictReader(io.StringIO(export(admin_client).decode())))

    assert rows[3]["product_name"] == "'=HYPERLINK(evil)"
    assert rows[3]["price"] == "8.00"
    assert [cell_escape(v) for v in ("=1", "+1", "-1", "@x", "'=x", "'Tis", "plain")] == [
        "'=1", "'+1", "'-1", "'@x", "''=x", "'Tis", "plain",
    ]  # fmt: skip
    assert all(cell_unescape(cell_escape(v)) == v for v in ("=1", "'=x", "''", "'Tis", "-", ""))


def test_export_and_import_need_an_admin(api_client, auth_client, user) -> None:
    assert api_client.get(EXPORT_URL).status_code == 401
    assert auth_client(user).get(EXPORT_URL).status_code == 403
    assert upload(api_client, make_csv(row("A-1"))).status_code == 401
    response = upload(auth_client(user), make_csv(row("A-1")), commit=True)
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "PERMISSION_DENIED"
    assert Product.objects.count() == 0


def test_export_then_import_unchanged_changes_nothing(admin_client, shop) -> None:
    content = export(admin_client)
    before, counts = catalog_state(), table_counts()

    preview = upload(admin_client, content)
    committed = upload(admin_client, content, commit=True)

    nothing = {
        "products_created": 0, "products_updated": 0, "variants_created": 0, "variants_updated": 0,
        "stock_changes": 0,
    }  # fmt: skip
    assert preview.json() == {"valid": True, "committed": False, "summary": nothing, "errors": []}
    assert committed.status_code == 200
    assert committed.json() == {"valid": True, "committed": True, "summary": nothing, "errors": []}
    assert catalog_state() == before
    assert table_counts() == counts


# --- preview and commit ----------------------------------------------------------------------


def test_preview_writes_nothing_and_tells_what_would_happen(admin_client, shop) -> None:
    tee = shop["tee"]
    content = make_csv(
        # the tee: a new price for S, stock for M, a new size XL
        {**_tee_row(tee, "TEE-S-RED", "size=S|color=red"), "price": "18.00", "quantity": "4"},
        {**_tee_row(tee, "TEE-M-RED", "size=M|color=red"), **TEE_M_KEPT, "quantity": "9"},
        {**_tee_row(tee, "TEE-XL-RED", "size=XL|color=red"), "price": "23.00", "quantity": "2"},
        row("NEW-1", categories="kitchen|clothing"),
    )
    before, counts = catalog_state(), table_counts()

    response = upload(admin_client, content)

    assert response.status_code == 200
    assert response.json()["summary"] == {
        "products_created": 1, "products_updated": 0, "variants_created": 2, "variants_updated": 1,
        "stock_changes": 3,
    }  # fmt: skip
    assert response.json()["valid"] is True
    assert catalog_state() == before
    assert table_counts() == counts


TEE_M_KEPT = {"price": "21.50", "compare_at_price": "25.00", "weight_grams": "180"}


def _tee_row(tee: Product, sku: str, options: str) -> dict[str, Any]:
    return {
        "product_id": tee.public_id,
        "product_name": tee.name,
        "product_slug": tee.slug,
        "description": tee.description,
        "categories": "clothing",
        "options": "size|color",
        "sku": sku,
        "option_values": options,
    }


def test_commit_creates_and_updates_with_import_ledger_rows(admin_client, shop) -> None:
    tee = shop["tee"]
    content = make_csv(
        {**_tee_row(tee, "TEE-S-RED", "size=S|color=red"), "price": "18.00", "quantity": "4"},
        {**_tee_row(tee, "TEE-M-RED", "size=M|color=red"), **TEE_M_KEPT, "quantity": "9"},
        {**_tee_row(tee, "TEE-XL-RED", "size=XL|color=red"), "price": "23.00", "quantity": "2"},
        row("NEW-1", categories="kitchen|clothing", quantity="5"),
        row("NEW-2", quantity="0"),
    )
    ledger_before = StockMovement.objects.count()

    response = upload(admin_client, content, commit=True)

    assert response.status_code == 200, response.content
    assert response.json()["summary"]["variants_created"] == 3
    new = StockMovement.objects.order_by("id")[ledger_before:]
    assert sorted((m.variant.sku, m.delta, m.reason) for m in new) == [
        ("NEW-1", 5, "import"), ("TEE-M-RED", 9, "import"), ("TEE-XL-RED", 2, "import"),
    ]  # fmt: skip
    ledger_matches_quantities()
    tee.refresh_from_db()
    assert tee.price == Decimal("18.00")  # the lowest active variant price
    xl = ProductVariant.objects.get(sku="TEE-XL-RED")
    assert (xl.product_id, xl.options, xl.position) == (tee.pk, {"size": "XL", "color": "red"}, 3)
    made = Product.objects.get(slug="product-new-1")
    assert sorted(made.categories.values_list("slug", flat=True)) == ["clothing", "kitchen"]
    assert (made.price, made.quantity, made.options) == (Decimal("9.50"), 5, [])
    assert ProductVariant.objects.get(sku="TEE-L-RED").quantity == 7  # not in the file: kept
    events = list(OutboxEvent.objects.values_list("type", flat=True))
    assert events.count("product.created") == 2 + 2  # the fixture's two, the import's two


def test_commit_matches_variants_by_sku_and_products_by_slug(admin_client, shop) -> None:
    mug = shop["mug"]
    sku = mug.variants.get().sku
    content = make_csv(
        {"product_name": "Mug", "product_slug": mug.slug, "sku": sku, "price": "7.00", "quantity": "2"},
        columns=("product_name", "product_slug", "sku", "price", "quantity"),
    )

    response = upload(admin_client, content, commit=True)

    assert response.json()["summary"] == {
        "products_created": 0, "products_updated": 1, "variants_created": 0, "variants_updated": 1,
        "stock_changes": 1,
    }  # fmt: skip
    mug.refresh_from_db()
    assert (mug.name, mug.price, mug.quantity) == ("Mug", Decimal("7.00"), 2)
    assert list(mug.categories.values_list("slug", flat=True)) == ["kitchen"]  # column absent: kept
    movement = StockMovement.objects.filter(variant__sku=sku).latest("id")
    assert (movement.delta, movement.reason) == (-10, StockMovementReason.IMPORT)
    ledger_matches_quantities()


def test_commit_is_all_or_nothing(admin_client, shop) -> None:
    rows = [row(f"BULK-{n}") for n in range(50)]
    rows[37]["price"] = "12,50"
    content = make_csv(*rows)
    before, counts = catalog_state(), table_counts()

    response = upload(admin_client, content, commit=True)

    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "INVALID_REQUEST"
    assert error["details"]["errors"] == [
        {"line": 39, "field": "price", "message": "'12,50' is not a number"}
    ]
    assert catalog_state() == before
    assert table_counts() == counts


def test_commit_refused_by_the_service_writes_nothing(shop) -> None:
    content = make_csv(row("OK-1"), row("OK-2"), {**row("OK-3"), "categories": "nope"})
    counts = table_counts()

    with pytest.raises(InvalidRequest) as raised:
        services.products_csv_import(content=content, commit=True)

    assert raised.value.details["errors"][0]["line"] == 4
    assert table_counts() == counts


# --- errors by line --------------------------------------------------------------------------


def errors_of(client: Any, content: bytes) -> list[tuple[int, str, str]]:
    response = upload(client, content)
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["valid"] is (not body["errors"])
    return [(e["line"], e["field"], e["message"]) for e in body["errors"]]


def test_errors_name_the_line_and_field(admin_client, shop) -> None:
    tee = shop["tee"]
    content = make_csv(
        row("E-1", categories="kitchen|unknown-cat"),  # line 2
        row("E-2", price="abc"),  # 3
        row("E-3", quantity="-4"),  # 4
        row("E-1", product_name="Other"),  # 5: same SKU as line 2
        row("TEE-S-RED"),  # 6: another product's SKU
        # lines 7-8 and 9-10 (the tee's description has a line break)
        {**_tee_row(tee, "TEE-S2", "size=S|color=red"), "price": "1"},  # same options as TEE-S-RED
        {**_tee_row(tee, "TEE-X", "size=X"), "price": "1"},  # a value for each option
        row("E-4", price="1.234", tax_class="luxury", is_active="maybe"),  # 11
        row("E-5", product_id="prod_doesnotexist"),  # 12
    )

    errors = errors_of(admin_client, content)

    assert errors == [
        (2, "categories", "unknown category slug(s): unknown-cat"),
        (3, "price", "'abc' is not a number"),
        (4, "quantity", "must not be negative"),
        (5, "sku", "same SKU as line 2"),
        (6, "sku", f"SKU taken by variant {ProductVariant.objects.get(sku='TEE-S-RED').public_id}"),
        (7, "option_values", "same options as existing variant "
            f"{ProductVariant.objects.get(sku='TEE-S-RED').public_id} (TEE-S-RED)"),
        (9, "option_values", "line 9: needs a value for each of size|color"),
        (11, "is_active", "'maybe' is not true or false"),
        (11, "price", "at most 2 decimal places"),
        (11, "tax_class", "one of standard, reduced, zero"),
        (12, "product_id", "no product 'prod_doesnotexist'"),
    ]  # fmt: skip


def test_line_numbers_count_multi_line_cells_and_blank_lines(admin_client) -> None:
    content = (
        f"{HEADER}\n"
        ',First,,"two\nlines",,,,ML-1,,1.00,,1,,,,\n'  # lines 2-3
        "\n"  # line 4: blank, skipped
        ',Second,,"three\nmore\nlines",,,,ML-2,,x,,1,,,,\n'  # lines 5-7
        ",Third,,,,,,ML-3,,2.00,,-1,,,,\n"  # line 8
    ).encode()

    assert errors_of(admin_client, content) == [
        (5, "price", "'x' is not a number"),
        (8, "quantity", "must not be negative"),
    ]


def test_header_errors_are_line_one(admin_client) -> None:
    content = b"product_name,price,colour\nA,1.00,red\n"

    assert errors_of(admin_client, content) == [
        (1, "", "unknown column(s): colour"),
        (1, "", "missing required column(s): sku"),
    ]
    assert errors_of(admin_client, b"\n") == [(1, "", "the file is empty: a header line is required")]
    assert upload(admin_client, b"").json()["error"]["details"] == {"file": "The submitted file is empty."}
    assert errors_of(admin_client, b"product_name,sku,price\nx,\n") == [(2, "", "2 cells, the header has 3")]


def test_rows_of_one_product_must_agree(admin_client) -> None:
    content = make_csv(
        row("P-S", product_name="Tee", options="size", option_values="size=S"),
        row("P-M", product_name="Tee", options="size", option_values="size=M", description="other"),
        row("Q-1", product_name="Cup"),
        row("Q-2", product_name="Cup"),
    )

    assert errors_of(admin_client, content) == [
        (3, "description", "differs from the product's first row (line 2)"),
        (4, "options", "a product with several variants needs options (e.g. size|color)"),
    ]


def test_bom_and_crlf_are_read_and_other_encodings_refused(admin_client) -> None:
    content = b"\xef\xbb\xbf" + make_csv(row("BOM-1", product_name="Caf\xe9 cr\xe8me")).replace(
        b"\n", b"\r\n"
    )
    response = upload(admin_client, content, commit=True)
    assert response.status_code == 200, response.content
    assert Product.objects.get().name == "Café crème"

    latin1 = make_csv(row("L-1")) + "Caf\xe9,L-2,1.00\n".encode("latin-1")
    response = upload(admin_client, latin1.replace(COLUMNS_LINE, b"product_name,sku,price"))
    assert response.status_code == 400
    assert response.json()["error"]["details"] == {"file": "line 3: not UTF-8 (save the CSV as UTF-8)"}


COLUMNS_LINE = HEADER.encode()


def test_formula_prefix_is_removed_on_import(admin_client) -> None:
    content = make_csv(row("'-SKU", product_name="'=SUM(A1)", description="''=kept apostrophe"))

    assert upload(admin_client, content, commit=True).status_code == 200

    product = Product.objects.get()
    assert (product.name, product.description) == ("=SUM(A1)", "'=kept apostrophe")
    assert product.variants.get().sku == "-SKU"


@override_settings(CATALOG_IMPORT_MAX_BYTES=200)
def test_files_over_the_limit_are_413(admin_client) -> None:
    response = upload(admin_client, make_csv(*[row(f"BIG-{n}") for n in range(10)]))

    assert response.status_code == 413
    assert response.json()["error"]["code"] == "PAYLOAD_TOO_LARGE"
    assert Product.objects.count() == 0


def test_import_without_a_file_or_with_a_bad_commit_is_400(admin_client) -> None:
    assert admin_client.post(IMPORT_URL, {}, format="multipart").status_code == 400
    response = admin_client.post(
        f"{IMPORT_URL}?commit=perhaps", {"file": io.BytesIO(b"x")}, format="multipart"
    )
    assert response.status_code == 400
    assert "commit" in response.json()["error"]["details"]


def test_commit_in_the_query_string(admin_client) -> None:
    data = {"file": io.BytesIO(make_csv(row("Q-1")))}
    response = admin_client.post(f"{IMPORT_URL}?commit=true", data, format="multipart")

    assert response.status_code == 200
    assert response.json()["committed"] is True
    assert ProductVariant.objects.get().sku == "Q-1"
    ledger_matches_quantities()


def test_export_is_a_conditional_catalog_read(admin_client, shop, django_capture_on_commit_callbacks) -> None:
    first = admin_client.get(EXPORT_URL)
    etag = first["ETag"]

    again = admin_client.get(EXPORT_URL, HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304
    with django_capture_on_commit_callbacks(execute=True):
        services.product_restock(quantities={shop["mug"].variants.get().pk: 1})
    changed = admin_client.get(EXPORT_URL, HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200
    assert changed["ETag"] != etag
    assert first["Cache-Control"] == "private, max-age=0, must-revalidate"


def test_import_takes_only_multipart(admin_client) -> None:
    response = admin_client.post(IMPORT_URL, {"file": "product_name,sku,price"}, format="json")

    assert response.status_code == 415
    assert response.json()["error"]["code"] == "UNSUPPORTED_MEDIA_TYPE"
