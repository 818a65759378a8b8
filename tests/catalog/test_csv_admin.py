"""The product admin's CSV export (button and action) and import page (upload → preview →
import), through the same service as the API."""

from __future__ import annotations

import csv
import io
import re
from decimal import Decimal

import pytest
from django.contrib.admin import helpers
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from catalog import services
from catalog.models import Product, ProductVariant, StockMovement
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

IMPORT = "admin:catalog_product_import_csv"
CSV = b"product_name,sku,price,quantity\nCSV Mug,CSV-MUG,4.00,6\nCSV Cup,CSV-CUP,3.00,2\n"


@pytest.fixture
def staff_client(client, admin_user):
    client.force_login(admin_user)
    return client


def test_changelist_links_to_export_and_import(staff_client):
    page = staff_client.get(reverse("admin:catalog_product_changelist")).content.decode()

    assert reverse("admin:catalog_product_export_csv") in page
    assert reverse(IMPORT) in page


def test_export_button_and_action(staff_client):
    mug = services.product_create(name="Mug", price=Decimal("4"), quantity=3)
    services.product_create(name="Cup", price=Decimal("3"), quantity=1)

    everything = staff_client.get(reverse("admin:catalog_product_export_csv"))
    selected = staff_client.post(
        reverse("admin:catalog_product_changelist"),
        {"action": "export_csv", helpers.ACTION_CHECKBOX_NAME: [mug.pk]},
    )

    def names(response):
        assert response["Content-Type"] == "text/csv; charset=utf-8"
        body = b"".join(response.streaming_content).decode()
        return sorted(r["product_name"] for r in csv.DictReader(io.StringIO(body)))

    assert names(everything) == ["Cup", "Mug"]
    assert names(selected) == ["Mug"]


def test_import_page_previews_then_imports(staff_client):
    preview = staff_client.post(reverse(IMPORT), {"file": SimpleUploadedFile("p.csv", CSV)})

    assert preview.status_code == 200
    assert preview.context["summary"]["products_created"] == 2
    assert [r["sku"] for r in preview.context["rows"]] == ["CSV-MUG", "CSV-CUP"]
    assert Product.objects.count() == 0  # the preview wrote nothing
    assert re.search(r"<script>|<style>| style=", preview.content.decode()) is None  # the strict CSP
    token = preview.context["token"]

    done = staff_client.post(reverse(IMPORT), {"token": token})

    assert done.status_code == 302
    assert sorted(ProductVariant.objects.values_list("sku", "quantity")) == [("CSV-CUP", 2), ("CSV-MUG", 6)]
    assert set(StockMovement.objects.values_list("reason", flat=True)) == {"import"}
    again = staff_client.post(reverse(IMPORT), {"token": token}, follow=True)  # used up
    assert "expired" in again.content.decode()
    assert ProductVariant.objects.count() == 2


def test_import_page_shows_errors_by_line_and_offers_no_import(staff_client):
    bad = CSV + b"Broken,CSV-BAD,1.2.3,1\n"

    preview = staff_client.post(reverse(IMPORT), {"file": SimpleUploadedFile("p.csv", bad)})

    assert preview.context["errors"] == [{"line": 4, "field": "price", "message": "'1.2.3' is not a number"}]
    assert "token" not in preview.context
    assert "nothing can be imported" in preview.content.decode()


def test_import_token_belongs_to_its_user(client, staff_client):
    token = staff_client.post(reverse(IMPORT), {"file": SimpleUploadedFile("p.csv", CSV)}).context["token"]
    other = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(other)

    client.post(reverse(IMPORT), {"token": token})

    assert Product.objects.count() == 0


def test_import_page_needs_staff(client):
    client.force_login(UserFactory())

    response = client.get(reverse(IMPORT))

    assert response.status_code == 302  # to the admin login
    assert client.get(reverse("admin:catalog_product_export_csv")).status_code == 302
