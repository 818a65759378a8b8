"""The Django admin: a zone with its methods inline (through the services), and the quote page,
which answers with the checkout's own function."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.test import Client

from shipping.models import ShippingMethod, ShippingZone
from shipping.services import shipping_zone_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_site(admin_user) -> Client:
    client = Client()
    client.force_login(admin_user)
    return client


def _inline(rows: list[dict], initial: int = 0) -> dict:
    data = {
        "methods-TOTAL_FORMS": str(len(rows)),
        "methods-INITIAL_FORMS": str(initial),
        "methods-MIN_NUM_FORMS": "0",
        "methods-MAX_NUM_FORMS": "1000",
    }
    for index, row in enumerate(rows):
        data.update({f"methods-{index}-{name}": value for name, value in row.items()})
    return data


METHOD = {
    "name": "Standard",
    "rate_type": "subtotal_tiers",
    "price": "5.90",
    "tiers": '[{"from": 50, "price": "3.90"}]',
    "free_above": "",
    "min_days": "2",
    "max_days": "4",
    "is_active": "on",
}


def test_add_a_zone_with_a_method(admin_site):
    data = {"name": "DACH", "countries": "de, AT", **_inline([METHOD])}
    response = admin_site.post("/admin/shipping/shippingzone/add/", data)
    assert response.status_code == 302, (
        response.context["adminform"].form.errors if response.context else response
    )
    zone = ShippingZone.objects.get()
    assert zone.countries == ["AT", "DE"]
    method = ShippingMethod.objects.get()
    assert method.zone == zone and method.tiers == [{"from": "50.00", "price": "3.90"}]
    page = admin_site.get(f"/admin/shipping/shippingzone/{zone.pk}/change/")
    assert page.status_code == 200 and "AT, DE" in page.content.decode()


def test_the_form_refuses_a_taken_country_and_bad_tiers(admin_site):
    shipping_zone_create(name="EU", countries=["FR"])
    data = {
        "name": "Again",
        "countries": "FR",
        **_inline([{**METHOD, "tiers": '[{"from": 50, "price": 1}, {"from": 10, "price": 1}]'}]),
    }
    response = admin_site.post("/admin/shipping/shippingzone/add/", data)
    assert response.status_code == 200
    assert "Already in the zone" in str(response.context["adminform"].form.errors["countries"])
    assert "tiers.1.from" in str(response.context["inline_admin_formsets"][0].formset.errors)
    assert ShippingZone.objects.count() == 1


def test_the_quote_page_prices_an_order_for_a_country(admin_site):
    shipping_zone_create(
        name="DACH",
        countries=["DE"],
        methods=[
            {
                "name": "Standard",
                "price": Decimal("5.90"),
                "rate_type": "subtotal_tiers",
                "tiers": [{"from": Decimal("50"), "price": Decimal("3.90")}],
                "min_days": 2,
                "max_days": 4,
            }
        ],
    )
    zone = ShippingZone.objects.get()
    change = admin_site.get(f"/admin/shipping/shippingzone/{zone.pk}/change/").content.decode()
    assert "/admin/shipping/shippingzone/quote/?country=DE" in change

    response = admin_site.get(
        "/admin/shipping/shippingzone/quote/", {"country": "DE", "subtotal": "60", "weight_grams": "0"}
    )
    assert response.status_code == 200
    assert [(q.name, q.price) for q in response.context["quotes"]] == [("Standard", Decimal("3.90"))]
    assert "3.90" in response.content.decode()
    response = admin_site.get(
        "/admin/shipping/shippingzone/quote/", {"country": "US", "subtotal": "60", "weight_grams": "0"}
    )
    assert response.context["quotes"] == [] and "No method ships there." in response.content.decode()
    # the empty form first, and only for admins
    assert admin_site.get("/admin/shipping/shippingzone/quote/").context["quotes"] is None
    assert Client().get("/admin/shipping/shippingzone/quote/").status_code == 302
