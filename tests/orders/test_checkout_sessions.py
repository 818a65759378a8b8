"""Checkout sessions (``/api/checkout/``): open, price, change, complete, cancel, expire; for
signed-in buyers and guests; with shipping, tax and vouchers (issue #16)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.services import email_verify
from cart.models import Cart, CartLine
from catalog.models import ProductVariant
from discounts.models import Voucher, VoucherUse
from discounts.services import voucher_create
from orders.models import CheckoutSession, CheckoutStatus, Order
from orders.services.sessions import checkout_sessions_expire
from shipping.models import ShippingZone
from shipping.services import shipping_method_create, shipping_zone_create
from taxes.models import TaxRate
from tests.factories import CategoryFactory, ProductFactory, UserFactory
from tests.helpers.accounts import key_from_email

pytestmark = pytest.mark.django_db
D = Decimal
URL = "/api/checkout/"
ADDRESS_DE = {
    "name": "Grace Hopper",
    "line1": "Invalidenstr. 1",
    "city": "Berlin",
    "postal_code": "10115",
    "country": "DE",
}
PAY = {"payment": {"method": "card", "token": "tok_ok"}}


@pytest.fixture
def shop():
    """Germany: standard 19 %, reduced 7 %; two methods (Standard 4.90, free above 100; Express
    9.90); the rest of the world: 25.00. Two products: a book (reduced) and a lamp."""
    zone = shipping_zone_create(
        name="Germany",
        countries=["DE"],
        methods=[
            {"name": "Standard", "price": D("4.90"), "free_above": D("100.00"), "min_days": 2, "max_days": 4},
            {"name": "Express", "price": D("9.90"), "min_days": 1, "max_days": 1},
        ],
    )
    shipping_zone_create(
        name="World",
        countries=["*"],
        methods=[{"name": "International", "price": D("25.00"), "min_days": 5, "max_days": 10}],
    )
    TaxRate.objects.create(country="DE", tax_class="standard", rate=D("19.00"))
    TaxRate.objects.create(country="DE", tax_class="reduced", rate=D("7.00"))
    book = ProductFactory(name="Book", price=D("20.00"), quantity=10)
    ProductVariant.objects.filter(product=book).update(tax_class="reduced")
    lamp = ProductFactory(name="Lamp", price=D("30.00"), quantity=10)
    methods = {method.name: method.public_id for method in zone.methods.all()}
    return {"book": book, "lamp": lamp, "methods": methods}


@pytest.fixture
def buyer(auth_client, shop):
    user = UserFactory()
    client = auth_client(user)
    assert (
        client.post(
            "/api/cart/items/", {"product_id": shop["book"].public_id, "quantity": 2}, format="json"
        ).status_code
        == 201
    )
    assert (
        client.post(
            "/api/cart/items/", {"product_id": shop["lamp"].public_id, "quantity": 1}, format="json"
        ).status_code
        == 201
    )
    return user, client


def _open(client: APIClient) -> dict:
    response = client.post(URL)
    assert response.status_code == 201, response.content
    assert response["Location"].endswith(f"{URL}{response.json()['id']}/")
    return response.json()


def _ready(client: APIClient, shop, **extra) -> dict:
    session = _open(client)
    body = {"shipping_address": ADDRESS_DE, "shipping_method_id": shop["methods"]["Standard"], **extra}
    response = client.patch(f"{URL}{session['id']}/", body, format="json")
    assert response.status_code == 200, response.content
    return response.json()


def _identity(totals: dict) -> bool:
    return D(str(totals["total"])) == D(str(totals["subtotal"])) - D(str(totals["discount"])) + D(
        str(totals["shipping"])
    ) + D(str(totals["tax"]))


def test_a_new_session_prices_the_cart_and_says_what_is_missing(buyer):
    _, client = buyer
    session = _open(client)
    assert session["status"] == "open" and session["id"].startswith("chk_")
    assert [(line["quantity"], line["unit_price"]) for line in session["lines"]] == [(2, 20.0), (1, 30.0)]
    assert session["totals"] == {
        "subtotal": 70.0,
        "discount": 0.0,
        "shipping": 0.0,
        "tax": 0.0,
        "total": 70.0,
        "currency": "USD",
    }
    assert session["totals_minor"]["total"] == 7000
    assert session["available_shipping_methods"] == [] and session["shipping_method"] is None
    assert {"shipping_address"} <= {key for message in session["messages"] for key in message["details"]}
    assert session["order_id"] is None and session["email"]


def test_the_address_brings_the_methods_and_the_tax_and_the_totals_add_up(buyer, shop):
    _, client = buyer
    session = _ready(client, shop)
    assert [m["name"] for m in session["available_shipping_methods"]] == ["Standard", "Express"]
    assert session["shipping_method"]["name"] == "Standard"
    # books 40.00 at 7 % = 2.80; lamp 30.00 at 19 % = 5.70; shipping 4.90 at 19 % = 0.93
    assert [line["tax"] for line in session["lines"]] == [2.80, 5.70]
    assert session["totals"] == {
        "subtotal": 70.0, "discount": 0.0, "shipping": 4.90, "tax": 9.43, "total": 84.33, "currency": "USD"
    }  # fmt: skip
    assert _identity(session["totals"])
    assert session["totals_minor"] == {
        "subtotal": 7000, "discount": 0, "shipping": 490, "tax": 943, "total": 8433, "currency": "USD"
    }  # fmt: skip
    assert session["messages"] == []


def test_a_method_the_address_cannot_have_is_409_and_changes_nothing(buyer, shop):
    _, client = buyer
    session = _ready(client, shop)
    response = client.patch(
        f"{URL}{session['id']}/",
        {"shipping_address": {**ADDRESS_DE, "country": "FR", "postal_code": "75001", "city": "Paris"}},
        format="json",
    )
    assert response.status_code == 409 and response.json()["error"]["code"] == "SHIPPING_UNAVAILABLE"
    assert client.get(f"{URL}{session['id']}/").json()["shipping_address"]["country"] == "DE"


def test_an_unknown_code_is_400_voucher_invalid_and_changes_nothing(buyer, shop):
    _, client = buyer
    session = _ready(client, shop)
    response = client.patch(f"{URL}{session['id']}/", {"discount_codes": ["NOPE"]}, format="json")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "VOUCHER_INVALID"
    assert "discount_codes.0" in response.json()["error"]["details"]
    assert client.get(f"{URL}{session['id']}/").json()["discount_codes"] == []


def test_a_bad_address_names_its_fields(buyer, shop):
    _, client = buyer
    session = _open(client)
    response = client.patch(
        f"{URL}{session['id']}/", {"shipping_address": {**ADDRESS_DE, "postal_code": "1234"}}, format="json"
    )
    assert response.status_code == 400
    assert "shipping_address.postal_code" in response.json()["error"]["details"]


def test_completion_places_the_order_with_the_sessions_lines_and_totals(buyer, shop):
    user, client = buyer
    voucher_create(data={"code": "TEN", "kind": "percentage", "value": D("10")})
    session = _ready(client, shop, discount_codes=["ten"])
    assert session["discount_codes"] == ["TEN"]
    totals = session["totals"]
    response = client.post(
        f"{URL}{session['id']}/complete", {**PAY, "expected_total": totals["total"]}, format="json"
    )
    assert response.status_code == 201, response.content
    order = response.json()
    assert order["status"] == "paid"
    assert (order["subtotal"], order["discount_total"], order["shipping_total"], order["tax_total"], order["total_amount"]) == (
        totals["subtotal"], totals["discount"], totals["shipping"], totals["tax"], totals["total"]
    )  # fmt: skip
    assert order["discount_codes"] == ["TEN"] and order["shipping_method"]["name"] == "Standard"
    assert [(i["variant_id"], i["discount"], i["tax"], i["total"]) for i in order["items"]] == [
        (line["variant_id"], line["discount"], line["tax"], line["total"]) for line in session["lines"]
    ]
    assert sum(D(str(row["tax"])) for row in order["tax_breakdown"]) == D(str(order["tax_total"]))
    assert Voucher.objects.get(code="TEN").used_count == 1
    assert not CartLine.objects.filter(cart__user=user).exists()
    done = client.get(f"{URL}{session['id']}/").json()
    assert done["status"] == "completed" and done["order_id"] == order["id"]
    again = client.post(f"{URL}{session['id']}/complete", PAY, format="json")
    assert again.status_code == 409 and again.json()["error"]["code"] == "INVALID_STATE"
    cancel = client.delete(f"{URL}{session['id']}/")
    assert cancel.status_code == 409 and cancel.json()["error"]["code"] == "INVALID_STATE"


def test_the_variants_weight_picks_the_tier_and_a_category_voucher_takes_only_its_lines(buyer, shop):
    """What the pricing reads of the variants (their weight, their product's categories) reaches
    it alike from the session's read and from the rows the completion locks."""
    _, client = buyer
    books = CategoryFactory()
    shop["book"].categories.add(books)
    ProductVariant.objects.filter(product=shop["lamp"]).update(weight_grams=1500)  # the book weighs nothing
    parcel = shipping_method_create(
        zone=ShippingZone.objects.get(name="Germany"),
        data={
            "name": "Parcel",
            "rate_type": "weight_tiers",
            "price": D("3.00"),
            "tiers": [{"from": D("1000"), "price": D("8.00")}],
            "min_days": 1,
            "max_days": 3,
        },
    )
    voucher_create(
        data={
            "code": "BOOKS",
            "kind": "percentage",
            "value": D("50"),
            "applies_to": {"categories": [books.public_id]},
        }
    )
    session = _ready(client, shop, shipping_method_id=parcel.public_id, discount_codes=["BOOKS"])
    assert session["messages"] == []
    assert D(str(session["totals"]["shipping"])) == D("8.00")  # 1.5 kg: the tier from 1 kg
    discounts = {line["variant_id"]: D(str(line["discount"])) for line in session["lines"]}
    book = ProductVariant.objects.get(product=shop["book"]).public_id
    lamp = ProductVariant.objects.get(product=shop["lamp"]).public_id
    assert discounts == {book: D("20.00"), lamp: D("0.00")}  # half of 2 × 20.00, the lamp untouched

    response = client.post(
        f"{URL}{session['id']}/complete", {**PAY, "expected_total": session["totals"]["total"]}, format="json"
    )
    assert response.status_code == 201, response.content
    order = response.json()
    assert D(str(order["shipping_total"])) == D("8.00")
    assert {item["variant_id"]: D(str(item["discount"])) for item in order["items"]} == discounts


def test_another_total_than_expected_is_409_price_changed_and_nothing_is_taken(buyer, shop):
    user, client = buyer
    session = _ready(client, shop)
    ProductVariant.objects.filter(product=shop["lamp"]).update(price=D("35.00"))  # the price moved
    response = client.post(
        f"{URL}{session['id']}/complete", {**PAY, "expected_total": session["totals"]["total"]}, format="json"
    )
    assert response.status_code == 409
    error = response.json()["error"]
    assert error["code"] == "PRICE_CHANGED"
    assert error["details"]["totals"]["total"] != str(session["totals"]["total"])
    assert not Order.objects.exists()
    assert CartLine.objects.filter(cart__user=user).count() == 2
    assert ProductVariant.objects.get(product=shop["lamp"]).quantity == 10
    assert client.get(f"{URL}{session['id']}/").json()["status"] == "open"


def test_a_used_up_voucher_is_409_voucher_exhausted_and_nothing_is_taken(buyer, shop):
    user, client = buyer
    voucher_create(data={"code": "ONCE", "kind": "fixed", "value": D("5.00"), "usage_limit": 1})
    session = _ready(client, shop, discount_codes=["ONCE"])
    Voucher.objects.filter(code="ONCE").update(used_count=1)  # someone else's order took it
    response = client.post(f"{URL}{session['id']}/complete", PAY, format="json")
    assert response.status_code == 409 and response.json()["error"]["code"] == "VOUCHER_EXHAUSTED"
    assert not Order.objects.exists() and not VoucherUse.objects.exists()
    assert ProductVariant.objects.get(product=shop["book"]).quantity == 10
    assert CartLine.objects.filter(cart__user=user).count() == 2


def test_a_declined_payment_gives_the_voucher_use_back_and_cancelling_an_order_too(buyer, shop):
    user, client = buyer
    voucher_create(data={"code": "TEN", "kind": "percentage", "value": D("10"), "usage_limit": 5})
    session = _ready(client, shop, discount_codes=["TEN"])
    declined = client.post(
        f"{URL}{session['id']}/complete",
        {"payment": {"method": "card", "token": "tok_declined"}},
        format="json",
    )
    assert declined.status_code == 402
    assert Voucher.objects.get(code="TEN").used_count == 0
    reopened = client.get(f"{URL}{session['id']}/").json()
    assert reopened["status"] == "open" and reopened["order_id"] is None  # the buyer may pay again
    assert CartLine.objects.filter(cart__user=user, saved_for_later=False).count() == 2  # restored
    session = _ready(client, shop, discount_codes=["TEN"])
    order = client.post(f"{URL}{session['id']}/complete", PAY, format="json").json()
    assert Voucher.objects.get(code="TEN").used_count == 1
    assert client.post(f"/api/orders/{order['id']}/cancel/").status_code == 200
    assert Voucher.objects.get(code="TEN").used_count == 0


def test_completion_needs_an_address_and_a_method(buyer, shop):
    _, client = buyer
    session = _open(client)
    response = client.post(f"{URL}{session['id']}/complete", PAY, format="json")
    assert response.status_code == 400 and "shipping_address" in response.json()["error"]["details"]
    client.patch(f"{URL}{session['id']}/", {"shipping_address": ADDRESS_DE}, format="json")
    response = client.post(f"{URL}{session['id']}/complete", PAY, format="json")
    assert response.status_code == 400 and "shipping_method_id" in response.json()["error"]["details"]
    assert not Order.objects.exists()


def test_sessions_are_their_owners_only(buyer, shop, auth_client):
    _, client = buyer
    session = _open(client)
    stranger = auth_client(UserFactory())
    assert stranger.get(f"{URL}{session['id']}/").status_code == 404
    assert (
        stranger.patch(f"{URL}{session['id']}/", {"email": "x@example.com"}, format="json").status_code == 404
    )
    assert stranger.post(f"{URL}{session['id']}/complete", PAY, format="json").status_code == 404
    assert APIClient().get(f"{URL}{session['id']}/").status_code == 401


def test_an_empty_cart_cannot_open_a_session(auth_client):
    response = auth_client(UserFactory()).post(URL)
    assert response.status_code == 400 and response.json()["error"]["code"] == "CART_EMPTY"


def test_cancelled_and_expired_sessions_are_409_checkout_expired(buyer, shop):
    _, client = buyer
    session = _ready(client, shop)
    assert client.delete(f"{URL}{session['id']}/").status_code == 204
    assert client.get(f"{URL}{session['id']}/").json()["status"] == "cancelled"
    response = client.post(f"{URL}{session['id']}/complete", PAY, format="json")
    assert response.status_code == 409 and response.json()["error"]["code"] == "CHECKOUT_EXPIRED"

    other = _ready(client, shop)
    CheckoutSession.objects.filter(public_id=other["id"]).update(
        expires_at=timezone.now() - timedelta(seconds=1)
    )
    assert client.get(f"{URL}{other['id']}/").json()["status"] == "expired"
    response = client.patch(f"{URL}{other['id']}/", {"email": "a@example.com"}, format="json")
    assert response.status_code == 409 and response.json()["error"]["code"] == "CHECKOUT_EXPIRED"
    assert checkout_sessions_expire() == 1
    assert CheckoutSession.objects.get(public_id=other["id"]).status == CheckoutStatus.EXPIRED
    assert not Order.objects.exists()


def test_a_guest_checks_out_with_an_email_and_reads_the_order_with_its_token(shop, api_client):
    token = api_client.post("/api/carts/").json()["token"]
    guest = APIClient()
    guest.credentials(HTTP_X_CART_TOKEN=token)
    assert (
        guest.post(
            "/api/cart/items/", {"product_id": shop["lamp"].public_id, "quantity": 2}, format="json"
        ).status_code
        == 201
    )
    session = _ready(guest, shop)
    assert session["email"] == ""
    response = guest.post(f"{URL}{session['id']}/complete", PAY, format="json")
    assert response.status_code == 400 and "email" in response.json()["error"]["details"]
    guest.patch(f"{URL}{session['id']}/", {"email": "guest@example.com"}, format="json")
    response = guest.post(f"{URL}{session['id']}/complete", PAY, format="json", HTTP_IDEMPOTENCY_KEY="g-1")
    assert response.status_code == 201, response.content
    order = response.json()
    assert order["customer"] == {"kind": "guest", "id": None, "email": "guest@example.com"}
    assert order["access_token"]
    replay = guest.post(f"{URL}{session['id']}/complete", PAY, format="json", HTTP_IDEMPOTENCY_KEY="g-1")
    assert replay.status_code == 200 and replay.json()["id"] == order["id"]
    read = APIClient().get(f"/api/orders/{order['id']}/?token={order['access_token']}")
    assert read.status_code == 200 and read.json()["total_amount"] == order["total_amount"]
    assert APIClient().get(f"/api/orders/{order['id']}/?token=wrong").status_code == 404
    assert Order.objects.get(public_id=order["id"]).user is None
    # someone else's cart token cannot see the session
    other = APIClient()
    other.credentials(HTTP_X_CART_TOKEN=APIClient().post("/api/carts/").json()["token"])
    assert other.get(f"{URL}{session['id']}/").status_code == 404


def test_guest_orders_join_the_account_that_verifies_their_email(
    shop, api_client, django_capture_on_commit_callbacks
):
    token = api_client.post("/api/carts/").json()["token"]
    guest = APIClient()
    guest.credentials(HTTP_X_CART_TOKEN=token)
    guest.post("/api/cart/items/", {"product_id": shop["lamp"].public_id}, format="json")
    session = _ready(guest, shop, email="Later@Example.com")
    order_id = guest.post(f"{URL}{session['id']}/complete", PAY, format="json").json()["id"]
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        registered = api_client.post(
            "/api/auth/register",
            {"email": "later@example.com", "password": "a-Long-passw0rd!"},
            format="json",
        )
    assert registered.status_code == 201
    assert Order.objects.get(public_id=order_id).user is None  # not before the email is proven
    account = email_verify(key=key_from_email(mail.outbox[-1]))
    assert Order.objects.get(public_id=order_id).user == account
    mine = APIClient()
    mine.force_authenticate(account)
    assert [o["id"] for o in mine.get("/api/orders/").json()["results"]] == [order_id]


def test_the_one_shot_checkout_charges_the_cheapest_method_and_the_tax(buyer, shop):
    _, client = buyer
    body = {"shipping_address": {**ADDRESS_DE}, **PAY}
    response = client.post("/api/orders/", body, format="json")
    assert response.status_code == 201, response.content
    order = response.json()
    assert order["shipping_method"]["name"] == "Standard" and order["shipping_total"] == 4.90
    assert order["tax_total"] == 9.43 and order["total_amount"] == 84.33


@override_settings(PRICES_INCLUDE_TAX=True)
def test_gross_prices_keep_the_total_the_buyer_sees(buyer, shop):
    _, client = buyer
    session = _ready(client, shop)
    # gross: 40.00 + 30.00 + 4.90 shipping = 74.90 to pay; the tax is inside it
    assert session["totals"]["total"] == 74.90
    assert _identity(session["totals"])


def test_a_session_reads_a_constant_number_of_queries(buyer, shop):
    user, client = buyer
    session = _ready(client, shop)

    with CaptureQueriesContext(connection) as two_lines:
        assert client.get(f"{URL}{session['id']}/").status_code == 200
    cart = Cart.objects.get(user=user)
    for index in range(4):
        product = ProductFactory(price=D("1.00"), quantity=5, name=f"Extra {index}")
        CartLine.objects.create(cart=cart, variant=product.variants.get(), quantity=1)
    with CaptureQueriesContext(connection) as six_lines:
        assert client.get(f"{URL}{session['id']}/").status_code == 200
    assert len(six_lines) == len(two_lines)
    assert len(two_lines) <= 12


@pytest.mark.rate_window
def test_declined_cards_on_a_guest_session_hit_the_per_cart_limit(shop, api_client):
    token = api_client.post("/api/carts/").json()["token"]
    guest = APIClient()
    guest.credentials(HTTP_X_CART_TOKEN=token)
    guest.post("/api/cart/items/", {"product_id": shop["lamp"].public_id}, format="json")
    session = _ready(guest, shop, email="cards@example.com")
    declined = {"payment": {"method": "card", "token": "tok_declined"}}
    codes = [
        guest.post(f"{URL}{session['id']}/complete", declined, format="json").status_code for _ in range(11)
    ]
    assert codes == [402] * 10 + [429]  # CHECKOUT_LIMIT_PER_USER counts a guest's cart
    assert (
        guest.post(f"{URL}{session['id']}/complete", PAY, format="json").json()["error"]["code"]
        == "RATE_LIMITED"
    )


def test_a_payment_nobody_can_confirm_is_503_and_the_session_keeps_its_order(buyer, shop, psp):
    _, client = buyer
    session = _ready(client, shop)
    psp.fail_with, psp.fail_paths = 500, {"/capture", "/void", "/payments/"}
    response = client.post(
        f"{URL}{session['id']}/complete", PAY, format="json", HTTP_IDEMPOTENCY_KEY="lost-1"
    )
    assert response.status_code == 503 and response.json()["error"]["code"] == "SERVICE_UNAVAILABLE"
    order = Order.objects.get()
    assert order.public_id == response.json()["error"]["details"]["order_id"]
    assert client.get(f"{URL}{session['id']}/").json()["order_id"] == order.public_id


def test_a_guests_confirmation_email_carries_the_orders_signed_link(
    shop, api_client, django_capture_on_commit_callbacks
):
    guest = APIClient()
    guest.credentials(HTTP_X_CART_TOKEN=api_client.post("/api/carts/").json()["token"])
    guest.post("/api/cart/items/", {"product_id": shop["lamp"].public_id}, format="json")
    session = _ready(guest, shop, email="mailme@example.com")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        order = guest.post(f"{URL}{session['id']}/complete", PAY, format="json").json()
    (message,) = [m for m in mail.outbox if m.to == ["mailme@example.com"]]
    link = f"/api/orders/{order['id']}/?token={order['access_token']}"
    assert link in message.body and link in message.alternatives[0][0]
    assert APIClient().get(link).status_code == 200


def test_reading_a_session_twice_prices_it_the_same(buyer, shop):
    _, client = buyer
    voucher_create(data={"code": "TEN", "kind": "percentage", "value": D("10")})
    session = _ready(client, shop, discount_codes=["TEN"])
    first, second = (client.get(f"{URL}{session['id']}/").json() for _ in range(2))
    assert first == second == session
