"""A variant's tax class (issue #16): ``standard`` by default, read and written through nested
product writes and the per-variant endpoints, refused when unknown (dotted path)."""

from __future__ import annotations

import pytest

from catalog.models import ProductVariant, TaxClass

pytestmark = pytest.mark.django_db

URL = "/api/products/"


def test_a_new_variant_is_standard_and_a_nested_write_sets_the_class(admin_client):
    body = {
        "name": "Books and a mug",
        "options": ["kind"],
        "variants": [
            {"sku": "BOOK", "options": {"kind": "book"}, "price": 12, "tax_class": "reduced"},
            {"sku": "MUG", "options": {"kind": "mug"}, "price": 8},
        ],
    }
    response = admin_client.post(URL, body, format="json")
    assert response.status_code == 201, response.json()
    classes = {v["sku"]: v["tax_class"] for v in response.json()["variants"]}
    assert classes == {"BOOK": "reduced", "MUG": "standard"}
    assert dict(ProductVariant.objects.values_list("sku", "tax_class")) == {
        "BOOK": "reduced",
        "MUG": "standard",
    }

    product_id = response.json()["id"]
    variants = [{"id": v["id"], "tax_class": "zero"} for v in response.json()["variants"]]
    response = admin_client.patch(f"{URL}{product_id}/", {"variants": variants}, format="json")
    assert response.status_code == 200, response.json()
    assert {v["tax_class"] for v in response.json()["variants"]} == {"zero"}
    assert set(ProductVariant.objects.values_list("tax_class", flat=True)) == {TaxClass.ZERO}


def test_the_variant_endpoints_read_and_write_the_class(admin_client, api_client):
    product = admin_client.post(URL, {"name": "Tea", "price": 5, "quantity": 3}, format="json").json()
    variant_id = product["variants"][0]["id"]
    variant_url = f"{URL}{product['id']}/variants/{variant_id}/"
    assert api_client.get(variant_url).json()["tax_class"] == "standard"

    response = admin_client.patch(variant_url, {"tax_class": "reduced"}, format="json")
    assert response.status_code == 200 and response.json()["tax_class"] == "reduced"
    assert ProductVariant.objects.get(public_id=variant_id).tax_class == TaxClass.REDUCED


def test_an_unknown_class_is_a_400_naming_the_variant(admin_client):
    body = {
        "name": "Tee",
        "options": ["size"],
        "variants": [{"options": {"size": "S"}, "price": 1, "tax_class": "luxury"}],
    }
    response = admin_client.post(URL, body, format="json")
    assert response.status_code == 400
    assert set(response.json()["error"]["details"]) == {"variants.0.tax_class"}
    assert not ProductVariant.objects.exists()


def test_the_schema_documents_the_class_on_variants(api_client):
    schema = api_client.get("/api/schema/?format=json").json()["components"]["schemas"]
    for name in ("Variant", "VariantWriteRequest"):
        assert schema[name]["properties"]["tax_class"]["$ref"].endswith("/TaxClassEnum"), name
    assert schema["TaxClassEnum"]["enum"] == ["standard", "reduced", "zero"]
