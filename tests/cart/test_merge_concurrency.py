"""The merge under real concurrency (PostgreSQL and MariaDB; skipped on SQLite): both carts are
locked in primary-key order, so writes to either cart during a merge are neither lost nor merged
twice, and a token signed in with twice at once merges once."""

import threading
import time

import pytest
from django.db import transaction

from cart.models import Cart, CartLine
from cart.services import cart_guest_create, cart_item_add, cart_lines_restore, cart_merge
from tests.factories import ProductFactory, UserFactory
from tests.helpers.concurrency import conflict_retries, requires_server_database, run_in_threads

pytestmark = [pytest.mark.concurrency, pytest.mark.django_db(transaction=True)]


def _quantity(**cart_filter) -> int:
    return sum(CartLine.objects.filter(**cart_filter).values_list("quantity", flat=True))


def test_merges_beside_adds_to_both_carts_lose_nothing():
    """Threads add one unit each to the guest cart or to the user's cart while others merge: at
    the end every unit added is in one of the two carts exactly once (stock is ample, so no cap)."""
    requires_server_database()
    product = ProductFactory(quantity=10_000)
    user = UserFactory()
    cart, token = cart_guest_create()
    cart_item_add(cart=cart, product_public_id=product.public_id, quantity=5)
    cart_item_add(user=user, product_public_id=product.public_id, quantity=1)

    def work(i: int) -> None:
        for _ in range(3):
            if i % 3 == 0:
                cart_merge(user=user, token=token)
            elif i % 3 == 1:
                cart_item_add(cart=cart, product_public_id=product.public_id, quantity=1)
            else:
                cart_item_add(user=user, product_public_id=product.public_id, quantity=1)

    with conflict_retries() as retries:
        results = run_in_threads(work, 9)
    assert [r for r in results if isinstance(r, BaseException)] == []
    assert retries == []
    added = 5 + 1 + 3 * 3 + 3 * 3  # the first lines, then 3 threads x 3 adds on each side
    assert _quantity(cart=cart) + _quantity(cart__user=user) == added
    cart_merge(user=user, token=token)
    assert _quantity(cart__user=user) == added and _quantity(cart=cart) == 0


def test_two_sign_ins_with_one_token_merge_once():
    requires_server_database()
    product = ProductFactory(quantity=100)
    user = UserFactory()
    cart, token = cart_guest_create()
    cart_item_add(cart=cart, product_public_id=product.public_id, quantity=4)

    results = run_in_threads(lambda i: cart_merge(user=user, token=token), 6)
    assert [r for r in results if isinstance(r, BaseException)] == []
    assert _quantity(cart__user=user) == 4
    assert not CartLine.objects.filter(cart=cart).exists()


def test_crossed_merges_do_not_deadlock():
    """Two guest carts merged into two users' carts while other threads add to the guest carts: one
    merge takes (user cart, guest cart), the other (guest cart, user cart) in creation order; the
    locks are taken in primary-key order, so none waits for the other in a cycle."""
    requires_server_database()
    product = ProductFactory(quantity=1000)
    first_user, second_user = UserFactory(), UserFactory()
    cart_item_add(
        user=first_user, product_public_id=product.public_id, quantity=1
    )  # first user's cart: low pk
    guests = [cart_guest_create() for _ in range(2)]
    cart_item_add(user=second_user, product_public_id=product.public_id, quantity=1)  # second's: high pk
    for cart, _ in guests:
        cart_item_add(cart=cart, product_public_id=product.public_id, quantity=2)

    def work(i: int) -> None:
        for _ in range(5):
            cart_merge(user=first_user if i % 2 else second_user, token=guests[i % 2][1])
            cart_item_add(cart=guests[(i + 1) % 2][0], product_public_id=product.public_id, quantity=1)

    with conflict_retries() as retries:
        results = run_in_threads(work, 4)
    assert [r for r in results if isinstance(r, BaseException)] == []
    assert retries == []
    total = sum(CartLine.objects.values_list("quantity", flat=True))
    assert total == 1 + 1 + 2 * 2 + 4 * 5


def test_a_failed_payments_restore_waits_for_a_merge_holding_the_guest_cart():
    """A failed payment gives a guest's lines back while the cart is being merged: the restore
    waits for the cart's lock, then adds to the cart as the merge left it (before the lock, it
    read a line the merge was deleting and added the units to it: they were lost)."""
    requires_server_database()
    product = ProductFactory(quantity=100)
    cart, _token = cart_guest_create()
    cart_item_add(cart=cart, product_public_id=product.public_id, quantity=1)
    variant_id = CartLine.objects.get(cart=cart).variant_id
    merging = threading.Event()

    def merge_holding_the_cart() -> None:
        with transaction.atomic():  # what a merge does to the guest cart, held for a moment
            Cart.objects.select_for_update().get(pk=cart.pk)
            CartLine.objects.filter(cart=cart).delete()
            merging.set()
            time.sleep(0.5)

    def restore() -> None:
        assert merging.wait(10)
        cart_lines_restore(cart_id=cart.pk, quantities={variant_id: 2})

    results = run_in_threads(lambda i: merge_holding_the_cart() if i == 0 else restore(), 2)
    assert [r for r in results if isinstance(r, BaseException)] == []
    assert list(CartLine.objects.filter(cart=cart).values_list("variant_id", "quantity")) == [(variant_id, 2)]
