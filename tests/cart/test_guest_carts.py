"""Guest carts: made anonymously, reached with X-Cart-Token, expired by the housekeeping; and the
cart API other apps call (``cart.api.access``, the checkout functions by cart id)."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.exceptions import NotAuthenticated
from rest_framework.test import APIClient, APIRequestFactory
from rest_framework.views import APIView

from cart.api.access import CART_AUTHENTICATION, cart_from_request, cart_owner
from cart.exceptions import CartTokenInvalid
from cart.models import Cart, CartLine
from cart.selectors import cart_for_token
from cart.services import (
    cart_checkout_empty,
    cart_checkout_lock_by_id,
    cart_guest_create,
    cart_item_add,
    cart_lines_restore,
    guest_carts_purge,
)
from ecommerce.common.tasks import housekeeping_run
from tests.factories import ProductFactory, UserFactory

pytestmark = pytest.mark.django_db


def guest_client(token: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_X_CART_TOKEN=token)
    return client


@pytest.fixture
def guest(api_client):
    response = api_client.post("/api/carts/")
    assert response.status_code == 201, response.content
    return response.json()["token"], guest_client(response.json()["token"])


def _age(cart_id: int, days: float) -> None:
    Cart.objects.filter(pk=cart_id).update(updated_at=timezone.now() - timedelta(days=days))


# --- Making a guest cart --------------------------------------------------------------------------


def test_new_guest_cart_shape_location_and_token(api_client):
    response = api_client.post("/api/carts")
    assert response.status_code == 201
    body = response.json()
    assert response["Location"].endswith("/api/cart/")
    assert list(body) == ["id", "token", "items", "saved_for_later", "subtotal", "item_count", "currency"]
    assert body["id"].startswith("cart_") and body["token"].startswith("ct_") and len(body["token"]) == 46
    assert body["items"] == [] and body["item_count"] == 0 and body["currency"] == "USD"
    cart = Cart.objects.get(public_id=body["id"])
    assert cart.user is None


def test_the_token_is_stored_only_as_its_sha256(api_client):
    token = api_client.post("/api/carts/").json()["token"]
    cart = Cart.objects.get()
    assert cart.token_hash == hashlib.sha256(token.encode()).hexdigest()
    stored = [str(value) for value in Cart.objects.values_list(*[f.attname for f in Cart._meta.fields]).get()]
    assert not any(token in value or token[3:] in value for value in stored)
    with connection.cursor() as cursor:  # nothing in the table, whatever the ORM shows
        cursor.execute(f"SELECT * FROM {Cart._meta.db_table}")  # noqa: S608 - a fixed table name
        assert not any(token[3:] in str(value) for row in cursor.fetchall() for value in row)


def test_a_bearer_token_does_not_matter_to_post_carts(auth_client):
    response = auth_client(UserFactory()).post("/api/carts/")
    assert response.status_code == 201
    assert Cart.objects.get(public_id=response.json()["id"]).user is None


@pytest.mark.rate_window(3600)
def test_new_carts_are_rate_limited_per_ip(api_client, settings):
    settings.GUEST_CART_LIMIT_PER_IP = (3, 3600)
    for remaining in (2, 1, 0):
        response = api_client.post("/api/carts/")
        assert response.status_code == 201
        assert response["RateLimit-Limit"] == "3" and response["RateLimit-Remaining"] == str(remaining)
    response = api_client.post("/api/carts/")
    assert response.status_code == 429
    assert response.json()["error"]["code"] == "RATE_LIMITED"
    assert int(response["Retry-After"]) >= 1
    assert Cart.objects.count() == 3
    other_ip = api_client.post("/api/carts/", REMOTE_ADDR="203.0.113.9")
    assert other_ip.status_code == 201


# --- Every cart endpoint for a guest ----------------------------------------------------------------


def test_a_guest_uses_every_cart_endpoint_with_its_token(guest):
    token, client = guest
    coffee, tea = ProductFactory(quantity=10), ProductFactory(quantity=10)
    assert (
        client.post(
            "/api/cart/items/", {"product_id": coffee.public_id, "quantity": 2}, format="json"
        ).status_code
        == 201
    )
    client.post("/api/cart/items/", {"product_id": tea.public_id}, format="json")
    body = client.patch(f"/api/cart/items/{coffee.public_id}/", {"quantity": 3}, format="json").json()
    assert [(i["product"]["id"], i["quantity"]) for i in body["items"]] == [
        (coffee.public_id, 3),
        (tea.public_id, 1),
    ]
    body = client.post(f"/api/cart/items/{tea.public_id}/save-for-later/").json()
    assert [i["product"]["id"] for i in body["saved_for_later"]] == [tea.public_id]
    body = client.post(f"/api/cart/saved/{tea.public_id}/move-to-cart/").json()
    assert body["item_count"] == 4
    assert client.delete(f"/api/cart/items/{tea.public_id}/").json()["item_count"] == 3
    assert client.get("/api/cart/").json()["item_count"] == 3
    assert client.delete("/api/cart/").status_code == 204
    assert client.get("/api/cart").json()["items"] == []
    cart = cart_for_token(token)
    assert cart is not None and not CartLine.objects.filter(cart=cart, saved_for_later=False).exists()


def test_guests_see_only_their_own_cart(api_client):
    product = ProductFactory(quantity=10)
    one, two = (guest_client(api_client.post("/api/carts/").json()["token"]) for _ in range(2))
    one.post("/api/cart/items/", {"product_id": product.public_id}, format="json")
    assert two.get("/api/cart/").json()["items"] == []
    assert two.delete(f"/api/cart/items/{product.public_id}/").status_code == 404
    assert one.get("/api/cart/").json()["item_count"] == 1


CART_OPERATIONS = [
    ("get", "/api/cart/", None),
    ("delete", "/api/cart/", None),
    ("post", "/api/cart/items/", {"product_id": "prod_x"}),
    ("patch", "/api/cart/items/prod_x/", {"quantity": 1}),
    ("delete", "/api/cart/items/prod_x/", None),
    ("post", "/api/cart/items/prod_x/save-for-later/", None),
    ("post", "/api/cart/saved/prod_x/move-to-cart/", None),
]


@pytest.mark.parametrize(("method", "path", "body"), CART_OPERATIONS)
@pytest.mark.parametrize("token", ["ct_unknown", "not-a-token", "ct_" + "x" * 200])
def test_an_unknown_token_is_401_token_invalid(api_client, method, path, body, token):
    """Decision (docs/cart.md): a token that names no live guest cart is a bad credential, like a
    bad JWT: 401 TOKEN_INVALID, details naming the header; nothing is made or changed."""
    response = getattr(guest_client(token), method)(path, body, format="json")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "TOKEN_INVALID"
    assert response.json()["error"]["details"] == {
        "X-Cart-Token": "unknown or expired: make a new cart with POST /api/carts/"
    }
    assert response["WWW-Authenticate"] == 'Bearer realm="api"'
    assert not Cart.objects.exists()


def test_no_jwt_and_no_token_is_401_authentication_required(api_client):
    response = api_client.get("/api/cart/")
    assert response.status_code == 401 and response.json()["error"]["code"] == "AUTHENTICATION_REQUIRED"


def test_with_a_jwt_the_users_cart_is_used_and_the_token_ignored(auth_client, guest):
    token, guest_http = guest
    product = ProductFactory(quantity=10)
    guest_http.post("/api/cart/items/", {"product_id": product.public_id}, format="json")
    user = UserFactory()
    client = auth_client(user)
    client.credentials(HTTP_AUTHORIZATION=client._credentials["HTTP_AUTHORIZATION"], HTTP_X_CART_TOKEN=token)
    assert client.get("/api/cart/").json()["items"] == []
    client.post("/api/cart/items/", {"product_id": product.public_id, "quantity": 2}, format="json")
    assert CartLine.objects.get(cart__user=user).quantity == 2
    assert CartLine.objects.get(cart=cart_for_token(token)).quantity == 1  # untouched
    bad_jwt = APIClient()
    bad_jwt.credentials(HTTP_AUTHORIZATION="Bearer not.a.jwt", HTTP_X_CART_TOKEN=token)
    response = bad_jwt.get("/api/cart/")  # a bad JWT never falls back to the cart token
    assert response.status_code == 401 and response.json()["error"]["code"] == "TOKEN_INVALID"


def test_guest_cart_read_is_two_queries_for_many_lines(guest, django_assert_max_num_queries):
    _, client = guest
    for product in ProductFactory.create_batch(15):
        client.post("/api/cart/items/", {"product_id": product.public_id}, format="json")
    with django_assert_max_num_queries(2):  # the cart by its token's hash + the lines with their products
        assert client.get("/api/cart/").json()["item_count"] == 15


# --- Expiry ------------------------------------------------------------------------------------------


def test_a_guest_cart_expires_ttl_days_after_its_last_change(guest, settings):
    settings.GUEST_CART_TTL_DAYS = 30
    token, client = guest
    product = ProductFactory(quantity=10)
    cart = cart_for_token(token)
    _age(cart.pk, 29)
    client.post("/api/cart/items/", {"product_id": product.public_id}, format="json")  # a change: alive again
    assert Cart.objects.get(pk=cart.pk).updated_at > timezone.now() - timedelta(minutes=1)
    _age(cart.pk, 30.01)
    assert cart_for_token(token) is None  # expired even before the housekeeping ran
    response = client.get("/api/cart/")
    assert response.status_code == 401 and response.json()["error"]["code"] == "TOKEN_INVALID"


def test_housekeeping_removes_expired_guest_carts_only(settings):
    settings.GUEST_CART_TTL_DAYS = 30
    product = ProductFactory(quantity=10)
    old, old_token = cart_guest_create()
    fresh, fresh_token = cart_guest_create()
    cart_item_add(cart=old, product_public_id=product.public_id, quantity=1)
    cart_item_add(cart=fresh, product_public_id=product.public_id, quantity=1)
    user = UserFactory()
    cart_item_add(user=user, product_public_id=product.public_id, quantity=1)
    _age(old.pk, 31)
    _age(fresh.pk, 29)
    Cart.objects.filter(user=user).update(
        updated_at=timezone.now() - timedelta(days=400)
    )  # users' carts stay

    assert housekeeping_run()["cart.guest_carts"] == 1  # registered with the hourly housekeeping
    assert not Cart.objects.filter(pk=old.pk).exists()
    assert not CartLine.objects.filter(cart_id=old.pk).exists()
    assert set(Cart.objects.values_list("pk", flat=True)) == {fresh.pk, Cart.objects.get(user=user).pk}
    assert CartLine.objects.count() == 2
    assert guest_carts_purge() == 0
    assert cart_for_token(fresh_token) == fresh and cart_for_token(old_token) is None


def test_purge_works_in_batches(settings, monkeypatch):
    monkeypatch.setattr("cart.services.PURGE_BATCH", 2)
    carts = [cart_guest_create()[0] for _ in range(5)]
    for cart in carts:
        _age(cart.pk, settings.GUEST_CART_TTL_DAYS + 1)
    assert guest_carts_purge() == 5
    assert not Cart.objects.exists()


# --- What other apps call -------------------------------------------------------------------------------


def _request(**headers):
    request = APIRequestFactory().get("/", **headers)
    view = APIView()
    view.authentication_classes = CART_AUTHENTICATION
    return view.initialize_request(request)


def test_cart_from_request_jwt_first_then_token(guest):
    token, _ = guest
    from rest_framework_simplejwt.tokens import RefreshToken

    user = UserFactory()
    jwt = f"Bearer {RefreshToken.for_user(user).access_token}"
    assert cart_from_request(_request(HTTP_AUTHORIZATION=jwt, HTTP_X_CART_TOKEN=token)) is None  # no cart yet
    cart_item_add(user=user, product_public_id=ProductFactory().public_id, quantity=1)
    assert cart_from_request(_request(HTTP_AUTHORIZATION=jwt, HTTP_X_CART_TOKEN=token)) == Cart.objects.get(
        user=user
    )
    assert cart_from_request(_request(HTTP_X_CART_TOKEN=token)) == cart_for_token(token)
    assert cart_owner(_request(HTTP_X_CART_TOKEN=token)).user is None
    with pytest.raises(CartTokenInvalid):
        cart_from_request(_request(HTTP_X_CART_TOKEN="ct_nope"))
    with pytest.raises(NotAuthenticated):
        cart_from_request(_request())
    plain = APIView().initialize_request(APIRequestFactory().get("/", HTTP_X_CART_TOKEN=token))
    assert cart_from_request(plain) == cart_for_token(token)  # a view with the JWT alone reads the header


def test_checkout_lock_empty_and_restore_by_cart_id(guest):
    token, _ = guest
    cart = cart_for_token(token)
    a, b = ProductFactory(quantity=10), ProductFactory(quantity=10)
    cart_item_add(cart=cart, product_public_id=a.public_id, quantity=2)
    cart_item_add(cart=cart, product_public_id=b.public_id, quantity=1)
    va, vb = a.variants.get(), b.variants.get()
    CartLine.objects.filter(cart=cart, variant=vb).update(saved_for_later=True)
    with transaction.atomic(), CaptureQueriesContext(connection) as queries:
        assert cart_checkout_lock_by_id(cart_id=cart.pk) == {va.pk: 2}
        cart_checkout_empty(cart_id=cart.pk)
    assert len(queries) == 3
    if connection.features.has_select_for_update:
        assert "FOR UPDATE" in queries[0]["sql"]
    assert list(CartLine.objects.filter(cart=cart).values_list("variant_id", "saved_for_later")) == [
        (vb.pk, True)
    ]

    cart_lines_restore(cart_id=cart.pk, quantities={va.pk: 2, vb.pk: 1})  # a failed payment
    assert sorted(
        CartLine.objects.filter(cart=cart).values_list("variant_id", "quantity", "saved_for_later")
    ) == [
        (va.pk, 2, False),
        (vb.pk, 2, False),
    ]
    Cart.objects.filter(pk=cart.pk).delete()  # expired meanwhile: nothing to restore into
    cart_lines_restore(cart_id=cart.pk, quantities={va.pk: 2})
    assert cart_checkout_lock_by_id(cart_id=cart.pk) == {}
    assert not CartLine.objects.exists()
    with pytest.raises(TypeError):
        cart_lines_restore(quantities={va.pk: 1})
