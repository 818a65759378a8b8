"""The shipping admin API (contract "Shop configuration"): zones with nested methods, the methods
sub-resource, validation with dotted details, and who may call it."""

from __future__ import annotations

from decimal import Decimal

import pytest

from shipping.models import ShippingMethod, ShippingZone, ShippingZoneCountry
from shipping.services import shipping_zone_create

pytestmark = pytest.mark.django_db
URL = "/api/shipping/zones/"
STANDARD = {
    "name": "Standard",
    "rate_type": "subtotal_tiers",
    "price": 5.9,
    "tiers": [{"from": 50, "price": 3.9}],
    "free_above": 100,
    "min_days": 2,
    "max_days": 4,
}
PARCEL = {
    "name": "Parcel",
    "rate_type": "weight_tiers",
    "price": 9,
    "tiers": [{"from": 2000, "price": 14.9}],
    "min_days": 1,
    "max_days": 2,
}


@pytest.fixture
def admin(auth_client, admin_user):
    return auth_client(admin_user)


def test_create_a_zone_with_methods_and_read_it_back(admin):
    response = admin.post(
        URL, {"name": "DACH", "countries": ["DE", "AT"], "methods": [STANDARD, PARCEL]}, format="json"
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["id"].startswith("shz_") and response["Location"].endswith(f"{URL}{body['id']}/")
    assert set(body) == {"id", "name", "countries", "methods"}
    assert body["countries"] == ["AT", "DE"]
    parcel, standard = body["methods"]
    assert set(standard) == {
        "id",
        "name",
        "rate_type",
        "price",
        "tiers",
        "free_above",
        "min_days",
        "max_days",
        "is_active",
    }
    assert standard["id"].startswith("shm_")
    assert standard["tiers"] == [{"from": 50.0, "price": 3.9}] and standard["free_above"] == 100.0
    assert parcel["tiers"] == [{"from": 2000, "price": 14.9}] and parcel["free_above"] is None
    assert standard["is_active"] is True
    assert admin.get(f"{URL}{body['id']}/").json() == body
    page = admin.get(URL).json()
    assert page["count"] == 1 and page["results"] == [body] and page["page_size"] == 20


def test_the_rest_of_the_world_and_a_country_belong_to_one_zone_each(admin):
    shipping_zone_create(name="EU", countries=["DE", "FR"])
    shipping_zone_create(name="World", countries=["*"])
    response = admin.post(URL, {"name": "Again", "countries": ["AT", "FR"]}, format="json")
    assert response.status_code == 400
    eu = ShippingZone.objects.get(name="EU").public_id
    assert response.json()["error"]["details"] == {
        "countries.1": f"Already in the zone 'EU' ({eu}): a country belongs to one zone."
    }
    response = admin.post(URL, {"name": "World 2", "countries": ["*"]}, format="json")
    assert set(response.json()["error"]["details"]) == {"countries.0"}
    response = admin.post(URL, {"name": "Mixed", "countries": ["*", "AT"]}, format="json")
    assert set(response.json()["error"]["details"]) == {"countries"}
    response = admin.post(
        URL, {"name": "Bad", "countries": ["de"]}, format="json"
    )  # the schema's codes are upper case
    assert response.status_code == 400 and set(response.json()["error"]["details"]) == {"countries.0"}
    assert ShippingZone.objects.count() == 2


def test_invalid_methods_are_refused_with_dotted_paths_and_nothing_is_written(admin):
    methods = [
        {**STANDARD, "tiers": [{"from": 50, "price": 3.9}, {"from": 20, "price": 1}]},
        {**PARCEL, "tiers": [{"from": 1.5, "price": 1}]},
        {
            "name": "Flat with tiers",
            "price": 1,
            "tiers": [{"from": 1, "price": 1}],
            "min_days": 3,
            "max_days": 1,
        },
        {"name": "Tiered without", "rate_type": "weight_tiers", "price": 1, "min_days": 1, "max_days": 1},
    ]
    response = admin.post(URL, {"name": "Z", "countries": ["DE"], "methods": methods}, format="json")
    assert response.status_code == 400
    details = response.json()["error"]["details"]
    assert set(details) == {
        "methods.0.tiers.1.from",
        "methods.1.tiers.0.from",
        "methods.2.tiers",
        "methods.2.max_days",
        "methods.3.tiers",
    }, details
    assert not ShippingZone.objects.exists() and not ShippingMethod.objects.exists()
    response = admin.post(
        URL, {"name": "Z", "countries": ["DE"], "methods": [{"name": "No price"}]}, format="json"
    )
    assert set(response.json()["error"]["details"]) == {
        "methods.0.price",
        "methods.0.min_days",
        "methods.0.max_days",
    }


def test_patch_replaces_the_methods_list_and_the_countries(admin):
    zone = shipping_zone_create(
        name="DACH", countries=["DE", "AT"], methods=[STANDARD | {"price": Decimal("5.90")}, PARCEL]
    )
    standard = ShippingMethod.objects.get(name="Standard")
    body = {
        "name": "DACH+",
        "countries": ["DE", "CH"],
        "methods": [
            {"id": standard.public_id, "free_above": 80},
            {"name": "Courier", "price": 15, "min_days": 0, "max_days": 1},
        ],
    }
    response = admin.patch(f"{URL}{zone.public_id}/", body, format="json")
    assert response.status_code == 200, response.json()
    result = response.json()
    assert result["name"] == "DACH+" and result["countries"] == ["CH", "DE"]
    assert [(m["name"], m["free_above"]) for m in result["methods"]] == [
        ("Courier", None),
        ("Standard", 80.0),
    ]
    assert result["methods"][1]["id"] == standard.public_id and result["methods"][1]["tiers"] == [
        {"from": 50.0, "price": 3.9}
    ]
    assert not ShippingMethod.objects.filter(name="Parcel").exists()  # left out: deleted
    assert set(ShippingZoneCountry.objects.values_list("country", flat=True)) == {"CH", "DE"}


def test_patch_refuses_a_method_of_another_zone(admin):
    zone = shipping_zone_create(name="A", countries=["DE"], methods=[PARCEL])
    other = shipping_zone_create(name="B", countries=["FR"], methods=[{**PARCEL, "name": "Theirs"}])
    theirs = other.methods.get()
    response = admin.patch(
        f"{URL}{zone.public_id}/", {"methods": [{"id": theirs.public_id, "price": 1}]}, format="json"
    )
    assert response.status_code == 400
    assert set(response.json()["error"]["details"]) == {"methods.0.id"}
    assert zone.methods.count() == 1 and ShippingMethod.objects.get(pk=theirs.pk).price == Decimal("9.00")


def test_the_methods_sub_resource(admin):
    zone = shipping_zone_create(name="DACH", countries=["DE"])
    methods_url = f"{URL}{zone.public_id}/methods/"
    response = admin.post(methods_url, PARCEL, format="json")
    assert response.status_code == 201, response.json()
    method = response.json()
    assert response["Location"].endswith(f"{methods_url}{method['id']}/")
    assert admin.get(methods_url).json()["results"] == [method]
    assert admin.get(f"{methods_url}{method['id']}/").json() == method

    response = admin.patch(f"{methods_url}{method['id']}/", {"rate_type": "flat", "tiers": []}, format="json")
    assert (
        response.status_code == 200
        and response.json()["tiers"] == []
        and response.json()["rate_type"] == "flat"
    )
    response = admin.patch(f"{methods_url}{method['id']}/", {"rate_type": "subtotal_tiers"}, format="json")
    assert response.status_code == 400 and set(response.json()["error"]["details"]) == {"tiers"}
    response = admin.patch(f"{methods_url}{method['id']}/", {"min_days": 5}, format="json")
    assert response.status_code == 400 and set(response.json()["error"]["details"]) == {"max_days"}
    response = admin.post(methods_url, {"name": "No days", "price": 1}, format="json")
    assert response.status_code == 400 and set(response.json()["error"]["details"]) == {
        "min_days",
        "max_days",
    }

    # another zone's path does not reach it
    other = shipping_zone_create(name="Other", countries=["FR"])
    assert admin.get(f"{URL}{other.public_id}/methods/{method['id']}/").status_code == 404

    assert admin.delete(f"{methods_url}{method['id']}/").status_code == 204
    assert not zone.methods.exists()
    assert admin.delete(f"{methods_url}{method['id']}/").status_code == 404


def test_unknown_ids_pages_and_deletion(admin):
    zone = shipping_zone_create(name="DACH", countries=["DE"], methods=[PARCEL])
    for method, url in [
        ("get", f"{URL}shz_nope/"),
        ("patch", f"{URL}shz_nope/"),
        ("delete", f"{URL}shz_nope/"),
        ("get", f"{URL}shz_nope/methods/"),
        ("post", f"{URL}shz_nope/methods/"),
        ("get", f"{URL}{zone.public_id}/methods/shm_nope/"),
        ("patch", f"{URL}{zone.public_id}/methods/shm_nope/"),
    ]:
        response = getattr(admin, method)(url, {}, format="json")
        assert response.status_code == 404, (method, url)
        assert response.json()["error"]["code"] == "NOT_FOUND"
    for url in (URL, f"{URL}{zone.public_id}/methods/"):
        response = admin.get(f"{url}?page=0")
        assert response.status_code == 400 and set(response.json()["error"]["details"]) == {"page"}
    assert admin.delete(f"{URL}{zone.public_id}/").status_code == 204
    assert not ShippingMethod.objects.exists() and not ShippingZoneCountry.objects.exists()


def test_only_admins(api_client, auth_client, user):
    assert api_client.get(URL).status_code == 401
    assert auth_client(user).get(URL).status_code == 403
    assert auth_client(user).post(URL, {"name": "X", "countries": ["DE"]}, format="json").status_code == 403
    assert not ShippingZone.objects.exists()
