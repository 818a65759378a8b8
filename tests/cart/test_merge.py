"""The merge of a guest cart into a user's cart (docs/cart.md, "The merge rule"): each clause, merging
twice, and the merge at sign-in."""

from __future__ import annotations

import logging

import pytest
from rest_framework.test import APIClient

from accounts.signals import user_signed_in
from cart.exceptions import CartNotFound
from cart.models import Cart, CartLine
from cart.selectors import cart_for_token
from cart.services import cart_guest_create, cart_item_add, cart_item_save_for_later, cart_merge
from tests.factories import ProductFactory, UserFactory
from tests.helpers import PASSWORD

pytestmark = pytest.mark.django_db


def lines(cart_filter) -> list[tuple[str, int, bool]]:
    """``(product id, quantity, saved)`` of a cart's lines, in the cart's order."""
    return list(
        CartLine.objects.filter(**cart_filter)
        .order_by("created_at", "id")
        .values_list("variant__product__public_id", "quantity", "saved_for_later")
    )


@pytest.fixture
def guest():
    cart, token = cart_guest_create()
    return cart, token


@pytest.fixture
def user():
    return UserFactory()


def test_same_variant_quantities_are_added(guest, user):
    cart, token = guest
    p = ProductFactory(quantity=10)
    cart_item_add(user=user, product_public_id=p.public_id, quantity=2)
    cart_item_add(cart=cart, product_public_id=p.public_id, quantity=3)
    cart_merge(user=user, token=token)
    assert lines({"cart__user": user}) == [(p.public_id, 5, False)]


def test_added_quantities_are_capped_by_current_stock(guest, user):
    cart, token = guest
    p = ProductFactory(quantity=10)
    cart_item_add(user=user, product_public_id=p.public_id, quantity=6)
    cart_item_add(cart=cart, product_public_id=p.public_id, quantity=7)
    cart_merge(user=user, token=token)
    assert lines({"cart__user": user}) == [(p.public_id, 10, False)]


def test_the_cap_never_lowers_what_the_user_had(guest, user):
    cart, token = guest
    p = ProductFactory(quantity=10)
    cart_item_add(user=user, product_public_id=p.public_id, quantity=8)
    cart_item_add(cart=cart, product_public_id=p.public_id, quantity=2)
    p.variants.update(quantity=5)  # stock fell below the user's own line since
    cart_merge(user=user, token=token)
    assert lines({"cart__user": user}) == [(p.public_id, 8, False)]


def test_a_new_variant_is_added_capped_by_stock(guest, user):
    cart, token = guest
    mine, theirs = ProductFactory(quantity=10), ProductFactory(quantity=10)
    cart_item_add(user=user, product_public_id=mine.public_id, quantity=1)
    cart_item_add(cart=cart, product_public_id=theirs.public_id, quantity=9)
    theirs.variants.update(quantity=4)
    cart_merge(user=user, token=token)
    assert lines({"cart__user": user}) == [(mine.public_id, 1, False), (theirs.public_id, 4, False)]


@pytest.mark.parametrize("how", ["discontinued", "inactive", "sold out"])
def test_a_variant_no_longer_buyable_is_dropped(guest, user, how):
    cart, token = guest
    gone, kept = ProductFactory(quantity=10), ProductFactory(quantity=10)
    cart_item_add(cart=cart, product_public_id=gone.public_id, quantity=2)
    cart_item_add(cart=cart, product_public_id=kept.public_id, quantity=1)
    cart_item_add(user=user, product_public_id=gone.public_id, quantity=1)
    if how == "discontinued":
        gone.discontinued = True
        gone.save()
    elif how == "inactive":
        gone.variants.update(is_active=False)
    else:
        gone.variants.update(quantity=0)
    cart_merge(user=user, token=token)
    # the guest's line is dropped; the user's own line of it is left as it was
    assert lines({"cart__user": user}) == [(gone.public_id, 1, False), (kept.public_id, 1, False)]
    assert not CartLine.objects.filter(cart=cart).exists()


def test_a_variant_the_user_saved_for_later_moves_to_the_cart(guest, user):
    cart, token = guest
    p = ProductFactory(quantity=4)
    cart_item_add(user=user, product_public_id=p.public_id, quantity=3)
    cart_item_save_for_later(user=user, product_public_id=p.public_id)
    cart_item_add(cart=cart, product_public_id=p.public_id, quantity=2)
    cart_merge(user=user, token=token)
    assert lines({"cart__user": user}) == [(p.public_id, 4, False)]  # 3 + 2, capped by the 4 in stock


def test_saved_lines_join_the_saved_list_unless_the_user_has_the_variant(guest, user):
    cart, token = guest
    new, in_cart, in_list, gone = (ProductFactory(quantity=10) for _ in range(4))
    cart_item_add(user=user, product_public_id=in_cart.public_id, quantity=1)
    cart_item_add(user=user, product_public_id=in_list.public_id, quantity=1)
    cart_item_save_for_later(user=user, product_public_id=in_list.public_id)
    for product in (new, in_cart, in_list, gone):
        cart_item_add(cart=cart, product_public_id=product.public_id, quantity=2)
        cart_item_save_for_later(cart=cart, product_public_id=product.public_id)
    gone.discontinued = True  # saved lines are a wish list: kept whatever their stock
    gone.save()
    cart_merge(user=user, token=token)
    assert lines({"cart__user": user}) == [
        (in_cart.public_id, 1, False),
        (in_list.public_id, 1, True),
        (new.public_id, 2, True),
        (gone.public_id, 2, True),
    ]


def test_the_guest_cart_is_emptied_and_its_token_stays_valid(guest, user, api_client):
    cart, token = guest
    p = ProductFactory(quantity=10)
    cart_item_add(cart=cart, product_public_id=p.public_id, quantity=1)
    cart_item_add(cart=cart, product_public_id=ProductFactory().public_id, quantity=1)
    cart_item_save_for_later(cart=cart, product_public_id=p.public_id)
    cart_merge(user=user, token=token)
    assert cart_for_token(token) == cart
    assert not CartLine.objects.filter(cart=cart).exists()
    client = APIClient()
    client.credentials(HTTP_X_CART_TOKEN=token)
    assert client.get("/api/cart/").json()["items"] == []
    assert client.post("/api/cart/items/", {"product_id": p.public_id}, format="json").status_code == 201


def test_merging_twice_changes_nothing_more(guest, user):
    cart, token = guest
    a, b, c = ProductFactory(quantity=10), ProductFactory(quantity=10), ProductFactory(quantity=10)
    cart_item_add(user=user, product_public_id=a.public_id, quantity=1)
    cart_item_add(cart=cart, product_public_id=a.public_id, quantity=2)
    cart_item_add(cart=cart, product_public_id=b.public_id, quantity=3)
    cart_item_add(cart=cart, product_public_id=c.public_id, quantity=1)
    cart_item_save_for_later(cart=cart, product_public_id=c.public_id)
    cart_merge(user=user, token=token)
    once = lines({"cart__user": user})
    stamps = list(Cart.objects.order_by("pk").values_list("updated_at", flat=True))
    cart_merge(user=user, token=token)
    assert (
        lines({"cart__user": user})
        == once
        == [(a.public_id, 3, False), (b.public_id, 3, False), (c.public_id, 1, True)]
    )
    assert list(Cart.objects.order_by("pk").values_list("updated_at", flat=True)) == stamps


def test_a_user_without_a_cart_gets_one(guest, user):
    cart, token = guest
    p = ProductFactory(quantity=10)
    cart_item_add(cart=cart, product_public_id=p.public_id, quantity=2)
    assert not Cart.objects.filter(user=user).exists()
    cart_merge(user=user, token=token)
    assert lines({"cart__user": user}) == [(p.public_id, 2, False)]


def test_an_unknown_or_expired_token_is_not_found(user, settings):
    with pytest.raises(CartNotFound):
        cart_merge(user=user, token="ct_unknown")
    cart, token = cart_guest_create()
    Cart.objects.filter(pk=cart.pk).update(updated_at=cart.updated_at.replace(year=2000))
    with pytest.raises(CartNotFound):
        cart_merge(user=user, token=token)


# --- HTTP: POST /api/cart/merge -------------------------------------------------------------------


def test_merge_endpoint_answers_the_users_cart(guest, user, auth_client):
    cart, token = guest
    p = ProductFactory(quantity=10, name="Beans")
    cart_item_add(cart=cart, product_public_id=p.public_id, quantity=2)
    for path in ("/api/cart/merge/", "/api/cart/merge"):
        response = auth_client(user).post(path, {"token": token}, format="json")
        assert response.status_code == 200
        assert [(i["product"]["id"], i["quantity"]) for i in response.json()["items"]] == [(p.public_id, 2)]


def test_merge_endpoint_errors(user, auth_client, api_client):
    client = auth_client(user)
    response = client.post("/api/cart/merge/", {"token": "ct_unknown"}, format="json")
    assert response.status_code == 404
    assert response.json()["error"] == {
        "code": "NOT_FOUND",
        "message": "No guest cart has this token (unknown, or expired).",
        "details": {"token": "no guest cart with this token (unknown, or expired)"},
    }
    response = client.post("/api/cart/merge/", {}, format="json")
    assert response.status_code == 400 and "token" in response.json()["error"]["details"]
    _, token = cart_guest_create()
    guest = APIClient()
    guest.credentials(HTTP_X_CART_TOKEN=token)  # a guest cannot merge: there is no account to merge into
    response = guest.post("/api/cart/merge/", {"token": token}, format="json")
    assert response.status_code == 401 and response.json()["error"]["code"] == "AUTHENTICATION_REQUIRED"


# --- At sign-in --------------------------------------------------------------------------------------


def _login(client: APIClient, user, **headers):
    return client.post(
        "/api/auth/login/", {"email": user.email, "password": PASSWORD}, format="json", **headers
    )


def test_signing_in_with_a_cart_token_merges(guest, user):
    cart, token = guest
    p = ProductFactory(quantity=10)
    cart_item_add(user=user, product_public_id=p.public_id, quantity=1)
    cart_item_add(cart=cart, product_public_id=p.public_id, quantity=2)
    response = _login(APIClient(), user, HTTP_X_CART_TOKEN=token)
    assert response.status_code == 200 and set(response.json()) == {"access", "refresh", "user"}
    assert lines({"cart__user": user}) == [(p.public_id, 3, False)]
    assert not CartLine.objects.filter(cart=cart).exists()
    _login(APIClient(), user, HTTP_X_CART_TOKEN=token)  # signing in again: nothing more
    assert lines({"cart__user": user}) == [(p.public_id, 3, False)]


def test_signing_in_without_a_token_merges_nothing(guest, user):
    cart, _ = guest
    cart_item_add(cart=cart, product_public_id=ProductFactory(quantity=5).public_id, quantity=1)
    assert _login(APIClient(), user).status_code == 200
    assert not Cart.objects.filter(user=user).exists()
    assert CartLine.objects.filter(cart=cart).count() == 1


@pytest.mark.parametrize("token", ["ct_unknown", "garbage", "ct_" + "y" * 500])
def test_a_bad_token_never_fails_the_sign_in(user, caplog, token):
    with caplog.at_level(logging.INFO, logger="cart"):
        response = _login(APIClient(), user, HTTP_X_CART_TOKEN=token)
    assert response.status_code == 200
    assert "nothing merged" in caplog.text
    assert token not in caplog.text  # the token itself is never logged
    assert not CartLine.objects.exists()


def test_a_failing_receiver_is_logged_and_the_sign_in_stands(guest, user, caplog):
    """Whatever goes wrong in a receiver of the sign-in hook, the sign-in succeeds (and the merge,
    another receiver, still happens)."""
    cart, token = guest
    cart_item_add(cart=cart, product_public_id=ProductFactory(quantity=5).public_id, quantity=1)

    def broken(sender, **kwargs):
        raise RuntimeError("a subscriber failed")

    user_signed_in.connect(broken, dispatch_uid="tests.broken")
    try:
        with caplog.at_level(logging.ERROR, logger="accounts"):
            response = _login(APIClient(), user, HTTP_X_CART_TOKEN=token)
    finally:
        user_signed_in.disconnect(dispatch_uid="tests.broken")
    assert response.status_code == 200
    assert "user_signed_in receiver failed" in caplog.text
    assert CartLine.objects.filter(cart__user=user).count() == 1
