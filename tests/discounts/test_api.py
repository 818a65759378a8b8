"""The vouchers and promotions admin API (contract "Shop configuration")."""

from __future__ import annotations

import pytest
from django.test import Client

from discounts.models import Promotion, Voucher
from discounts.services import voucher_create, voucher_uses_claim
from tests.factories import CategoryFactory, ProductFactory

pytestmark = pytest.mark.django_db
VOUCHERS = "/api/discounts/vouchers/"
PROMOTIONS = "/api/discounts/promotions/"


@pytest.fixture
def admin(auth_client, admin_user):
    return auth_client(admin_user)


def test_create_read_update_a_voucher(admin):
    coffee, mug = CategoryFactory(), ProductFactory()
    body = {
        "code": "spring10",
        "kind": "percentage",
        "value": 10,
        "min_subtotal": 30,
        "applies_to": {"categories": [coffee.public_id], "products": [mug.public_id]},
        "starts_at": "2026-03-01T00:00:00Z",
        "ends_at": "2026-04-01T00:00:00Z",
        "usage_limit": 500,
        "usage_limit_per_customer": 1,
        "used_count": 99,  # read-only: ignored
    }
    response = admin.post(VOUCHERS, body, format="json")
    assert response.status_code == 201, response.json()
    voucher = response.json()
    assert voucher == {
        "id": voucher["id"],
        "code": "SPRING10",
        "kind": "percentage",
        "value": 10.0,
        "min_subtotal": 30.0,
        "applies_to": {"categories": [coffee.public_id], "products": [mug.public_id], "variants": []},
        "starts_at": "2026-03-01T00:00:00Z",
        "ends_at": "2026-04-01T00:00:00Z",
        "usage_limit": 500,
        "usage_limit_per_customer": 1,
        "used_count": 0,
        "is_active": True,
    }
    assert voucher["id"].startswith("vch_") and response["Location"].endswith(f"{VOUCHERS}{voucher['id']}/")
    url = f"{VOUCHERS}{voucher['id']}/"
    assert admin.get(url).json() == voucher and admin.get(VOUCHERS).json()["results"] == [voucher]

    response = admin.patch(
        url, {"usage_limit": None, "applies_to": {}, "used_count": 5, "is_active": False}, format="json"
    )
    assert response.status_code == 200, response.json()
    changed = response.json()
    assert changed["usage_limit"] is None and changed["is_active"] is False and changed["used_count"] == 0
    assert changed["applies_to"] == {"categories": [], "products": [], "variants": []}
    response = admin.post(VOUCHERS, {"code": "shipfree", "kind": "free_shipping", "value": 7}, format="json")
    assert response.json()["value"] == 0.0 and response.json()["min_subtotal"] is None


def test_voucher_rules_are_400s_naming_the_field(admin):
    voucher_create(data={"code": "TAKEN", "kind": "fixed", "value": 5})
    cases = [
        ({"code": "taken", "kind": "fixed", "value": 5}, {"code"}),  # case-insensitive
        ({"code": "BIG", "kind": "percentage", "value": 101}, {"value"}),
        ({"code": "NONE", "kind": "fixed"}, {"value"}),
        (
            {
                "code": "DATES",
                "kind": "fixed",
                "value": 1,
                "starts_at": "2026-02-01T00:00:00Z",
                "ends_at": "2026-01-01T00:00:00Z",
            },
            {"ends_at"},
        ),
        (
            {
                "code": "SCOPE",
                "kind": "fixed",
                "value": 1,
                "applies_to": {"variants": ["var_nope"], "categories": ["cat_x"]},
            },
            {"applies_to.variants.0", "applies_to.categories.0"},
        ),
        ({"code": "bad code!", "kind": "fixed", "value": 1}, {"code"}),
        ({"code": "LIMIT", "kind": "fixed", "value": 1, "usage_limit": 0}, {"usage_limit"}),
    ]
    for body, fields in cases:
        response = admin.post(VOUCHERS, body, format="json")
        assert response.status_code == 400, body
        assert set(response.json()["error"]["details"]) == fields, (body, response.json())
    assert Voucher.objects.count() == 1


def test_a_used_voucher_cannot_be_deleted(admin):
    used = voucher_create(data={"code": "USED", "kind": "fixed", "value": 5})
    unused = voucher_create(data={"code": "UNUSED", "kind": "fixed", "value": 5})
    voucher_uses_claim(vouchers=[used], order_ref="ord_1", user_id=None, email="a@example.com")
    response = admin.delete(f"{VOUCHERS}{used.public_id}/")
    assert response.status_code == 409 and response.json()["error"]["code"] == "INVALID_STATE"
    assert admin.delete(f"{VOUCHERS}{unused.public_id}/").status_code == 204
    assert list(Voucher.objects.values_list("code", flat=True)) == ["USED"]
    assert admin.get(VOUCHERS).json()["results"][0]["used_count"] == 1


def test_promotions(admin):
    coffee = CategoryFactory()
    body = {
        "name": "Coffee week",
        "kind": "percentage",
        "value": 15,
        "applies_to": {"categories": [coffee.public_id]},
        "starts_at": "2026-05-04T00:00:00Z",
        "ends_at": "2026-05-11T00:00:00Z",
    }
    response = admin.post(PROMOTIONS, body, format="json")
    assert response.status_code == 201, response.json()
    promotion = response.json()
    assert set(promotion) == {
        "id",
        "name",
        "kind",
        "value",
        "min_subtotal",
        "applies_to",
        "starts_at",
        "ends_at",
        "is_active",
    }
    assert promotion["id"].startswith("prm_") and promotion["applies_to"]["categories"] == [coffee.public_id]
    url = f"{PROMOTIONS}{promotion['id']}/"
    assert admin.get(url).json() == promotion and admin.get(PROMOTIONS).json()["count"] == 1
    response = admin.patch(url, {"kind": "free_shipping", "min_subtotal": 50}, format="json")
    assert (
        response.status_code == 200
        and response.json()["value"] == 0.0
        and response.json()["min_subtotal"] == 50.0
    )
    response = admin.patch(url, {"ends_at": "2026-05-01T00:00:00Z"}, format="json")
    assert response.status_code == 400 and set(response.json()["error"]["details"]) == {"ends_at"}
    response = admin.post(PROMOTIONS, {**body, "value": 0}, format="json")
    assert response.status_code == 400 and set(response.json()["error"]["details"]) == {"value"}
    response = admin.post(PROMOTIONS, {"name": "No dates", "kind": "free_shipping"}, format="json")
    assert set(response.json()["error"]["details"]) == {"starts_at", "ends_at"}
    assert admin.delete(url).status_code == 204 and not Promotion.objects.exists()


def test_unknown_ids_bad_pages_and_who_may_call(admin, api_client, auth_client, user):
    for base in (VOUCHERS, PROMOTIONS):
        for method in ("get", "patch", "delete"):
            response = getattr(admin, method)(f"{base}nope/", {}, format="json")
            assert response.status_code == 404 and response.json()["error"]["code"] == "NOT_FOUND"
        assert admin.get(f"{base}?page=abc").status_code == 400
        assert api_client.get(base).status_code == 401
        assert auth_client(user).get(base).status_code == 403
        assert (
            auth_client(user)
            .post(base, {"code": "X", "kind": "fixed", "value": 1}, format="json")
            .status_code
            == 403
        )
    assert not Voucher.objects.exists()


def test_the_django_admin_shows_used_count_read_only_and_saves_through_the_service(admin_user):
    client = Client()
    client.force_login(admin_user)
    coffee = CategoryFactory()
    data = {
        "code": "summer5", "kind": "fixed", "value": "5", "min_subtotal": "", "categories": [coffee.pk],
        "products": "", "variants": "", "starts_at_0": "", "starts_at_1": "", "ends_at_0": "", "ends_at_1": "",
        "usage_limit": "10", "usage_limit_per_customer": "", "is_active": "on",
        "uses-TOTAL_FORMS": "0", "uses-INITIAL_FORMS": "0", "uses-MIN_NUM_FORMS": "0", "uses-MAX_NUM_FORMS": "0",
    }  # fmt: skip
    response = client.post("/admin/discounts/voucher/add/", data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    voucher = Voucher.objects.get()
    assert voucher.code == "SUMMER5" and list(voucher.categories.all()) == [coffee]
    voucher_uses_claim(
        vouchers=[voucher], order_ref="ord_Hx82kQm1Zr0Tb7Yd", user_id=None, email="a@example.com"
    )
    page = client.get(f"/admin/discounts/voucher/{voucher.pk}/change/")
    html = page.content.decode()
    assert 'name="used_count"' not in html and "ord_Hx82kQm1Zr0Tb7Yd" in html
    response = client.post("/admin/discounts/voucher/add/", {**data, "code": "Summer5"})
    assert response.status_code == 200 and "Another voucher has this code" in str(
        response.context["adminform"].form.errors
    )
    # a used voucher is not deleted from the admin either
    client.post(f"/admin/discounts/voucher/{voucher.pk}/delete/", {"post": "yes"})
    assert Voucher.objects.filter(pk=voucher.pk).exists()


def test_the_django_admin_adds_a_promotion(admin_user):
    client = Client()
    client.force_login(admin_user)
    data = {
        "name": "Free over 50", "kind": "free_shipping", "value": "", "min_subtotal": "50",
        "products": "", "variants": "", "starts_at_0": "2026-01-01", "starts_at_1": "00:00:00",
        "ends_at_0": "2026-12-31", "ends_at_1": "00:00:00", "is_active": "on",
    }  # fmt: skip
    response = client.post("/admin/discounts/promotion/add/", data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert Promotion.objects.get().public_id.startswith("prm_")
    response = client.post("/admin/discounts/promotion/add/", {**data, "kind": "percentage", "value": "150"})
    assert response.status_code == 200 and "at most 100" in str(response.context["adminform"].form.errors)
