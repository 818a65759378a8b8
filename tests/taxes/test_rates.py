"""Tax rates: THE resolution for an address (``tax_rates_for``), the admin API and the Django admin."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.test import Client

from taxes.models import TaxRate
from taxes.selectors import tax_rates_for
from taxes.services import tax_rate_create

pytestmark = pytest.mark.django_db
URL = "/api/taxes/rates/"
D = Decimal


@pytest.fixture
def admin(auth_client, admin_user):
    return auth_client(admin_user)


def test_a_region_overrides_the_country_missing_is_zero_and_zero_is_zero(django_assert_num_queries):
    tax_rate_create(country="DE", rate=D("19"))
    tax_rate_create(country="DE", tax_class="reduced", rate=D("7"))
    tax_rate_create(country="US", region="ca", rate=D("7.25"))
    tax_rate_create(country="US", rate=D("5"))
    tax_rate_create(country="US", region="CA", tax_class="zero", rate=D("0"))

    with django_assert_num_queries(1):
        germany = tax_rates_for(country="de", region="Bavaria")
    assert germany == {"standard": D("19.00"), "reduced": D("7.00"), "zero": D("0.00")}
    assert tax_rates_for(country="US", region=" Ca ") == {
        "standard": D("7.25"),
        "reduced": D("0.00"),
        "zero": D("0.00"),
    }
    assert tax_rates_for(country="US", region="NY") == {
        "standard": D("5.00"),
        "reduced": D("0.00"),
        "zero": D("0.00"),
    }
    assert tax_rates_for(country="US", region=None)["standard"] == D("5.00")
    assert tax_rates_for(country="FR", region=None) == {
        "standard": D("0.00"),
        "reduced": D("0.00"),
        "zero": D("0.00"),
    }
    assert all(str(rate).endswith(".00") or len(str(rate).split(".")[1]) == 2 for rate in germany.values())


def test_the_zero_class_is_always_zero_even_if_a_row_says_otherwise():
    TaxRate.objects.create(country="DE", tax_class="zero", rate=D("5"))  # written around the service
    assert tax_rates_for(country="DE", region=None)["zero"] == D("0.00")


def test_create_read_update_delete(admin):
    response = admin.post(
        URL, {"country": "US", "region": "ca", "tax_class": "standard", "rate": 7.25}, format="json"
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body == {"id": body["id"], "country": "US", "region": "CA", "tax_class": "standard", "rate": 7.25}
    assert body["id"].startswith("txr_") and response["Location"].endswith(f"{URL}{body['id']}/")
    response = admin.post(URL, {"country": "DE", "rate": 19}, format="json")
    assert response.json()["region"] is None and response.json()["tax_class"] == "standard"
    assert [r["country"] for r in admin.get(URL).json()["results"]] == ["DE", "US"]
    assert admin.get(f"{URL}{body['id']}/").json() == body

    response = admin.patch(f"{URL}{body['id']}/", {"region": None, "rate": 6.5}, format="json")
    assert (
        response.status_code == 200 and response.json()["region"] is None and response.json()["rate"] == 6.5
    )
    assert admin.delete(f"{URL}{body['id']}/").status_code == 204
    assert not TaxRate.objects.filter(public_id=body["id"]).exists()
    for method in ("get", "patch", "delete"):
        response = getattr(admin, method)(f"{URL}{body['id']}/", {}, format="json")
        assert response.status_code == 404 and response.json()["error"]["code"] == "NOT_FOUND"
    assert admin.get(f"{URL}?page_size=0").status_code == 400


def test_rules_are_400s_naming_the_field(admin):
    tax_rate_create(country="DE", rate=D("19"))
    cases = [
        ({"country": "DE", "rate": 20}, "tax_class"),  # one rate per country, region, class
        ({"country": "DE", "tax_class": "zero", "rate": 1}, "rate"),
        ({"country": "DE", "rate": 101}, "rate"),
        ({"country": "XX", "rate": 1}, "country"),
        ({"country": "de", "rate": 1}, "country"),
    ]
    for body, field in cases:
        response = admin.post(URL, body, format="json")
        assert response.status_code == 400, body
        assert set(response.json()["error"]["details"]) == {field}, body
    assert TaxRate.objects.count() == 1


def test_only_admins(api_client, auth_client, user):
    assert api_client.get(URL).status_code == 401
    assert auth_client(user).post(URL, {"country": "DE", "rate": 19}, format="json").status_code == 403
    assert not TaxRate.objects.exists()


def test_the_django_admin_adds_through_the_service_and_refuses_a_second_rate(admin_user):
    client = Client()
    client.force_login(admin_user)
    response = client.post(
        "/admin/taxes/taxrate/add/",
        {"country": "US", "region": "ca", "tax_class": "standard", "rate": "7.25"},
    )
    assert response.status_code == 302
    rate = TaxRate.objects.get()
    assert (str(rate.country), rate.region, rate.rate, rate.public_id[:4]) == ("US", "CA", D("7.25"), "txr_")
    response = client.post(
        "/admin/taxes/taxrate/add/", {"country": "US", "region": "CA", "tax_class": "standard", "rate": "8"}
    )
    assert response.status_code == 200 and "already has a rate" in str(
        response.context["adminform"].form.errors
    )
    response = client.post(
        "/admin/taxes/taxrate/add/", {"country": "US", "region": "", "tax_class": "zero", "rate": "3"}
    )
    assert "always 0" in str(response.context["adminform"].form.errors)
    assert TaxRate.objects.count() == 1
