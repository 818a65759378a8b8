"""The stock lock takes variant rows in primary-key order, proven without relying on timing.

Two checkouts that lock the same products in opposite orders deadlock; the database notices,
``retry_on_conflict`` runs one of them again and the clients see 201s, so the threaded tests
stay green even when the order is lost. Here one session holds the LOWER id's row lock while
``stock_take`` runs in a thread: a take that locks in id order waits on that row before it
touches the higher one, so a third session still gets the higher row with ``NOWAIT``. A take
that locked the higher row first (no ``ORDER BY id``) fails this test on every run.

The variants are made so that no other order coincides with id order: the lower id has the
larger public id (the unique index's order) and the newer row version (PostgreSQL's heap order).
"""

from __future__ import annotations

import secrets
import threading

import pytest
from django.db import DatabaseError, connections, transaction

from catalog.models import ProductVariant
from catalog.stock import stock_take
from tests.factories import ProductFactory
from tests.helpers.concurrency import lock_waiters, requires_server_database, wait_until

pytestmark = [pytest.mark.concurrency, pytest.mark.django_db(transaction=True)]


def _variants_whose_other_orders_disagree_with_id_order() -> tuple[ProductVariant, ProductVariant]:
    low = ProductFactory(quantity=10).variants.get()
    high = ProductFactory(quantity=10).variants.get()
    ProductVariant.objects.filter(pk=high.pk).update(public_id="var_0" + secrets.token_hex(8)[:16])
    ProductVariant.objects.filter(pk=low.pk).update(public_id="var_z" + secrets.token_hex(8)[:16])
    low.refresh_from_db(), high.refresh_from_db()  # low: a new row version, after high's
    assert low.pk < high.pk and high.public_id < low.public_id
    return low, high


def test_take_waits_on_the_lower_id_before_it_locks_the_higher_one():
    requires_server_database()
    low, high = _variants_whose_other_orders_disagree_with_id_order()
    holding, release = threading.Event(), threading.Event()
    outcome: dict[str, object] = {}

    def hold_lower_row() -> None:
        try:
            with transaction.atomic():
                ProductVariant.objects.select_for_update().get(pk=low.pk)
                holding.set()
                release.wait(30)
        finally:
            connections.close_all()

    def take_both() -> None:
        try:
            with transaction.atomic():
                # the higher-public-id product first, as a cart might list it
                stock_take(quantities={high.public_id: 1, low.public_id: 1})
            outcome["taken"] = True
        except BaseException as exc:  # noqa: BLE001 - reported by the test
            outcome["error"] = exc
        finally:
            connections.close_all()

    holder = threading.Thread(target=hold_lower_row)
    holder.start()
    assert holding.wait(10)
    taker = threading.Thread(target=take_both)
    taker.start()
    try:
        wait_until(lambda: lock_waiters() >= 1 or not taker.is_alive())  # the take waits on a row lock
        assert taker.is_alive(), outcome
        try:
            with transaction.atomic():
                ProductVariant.objects.select_for_update(nowait=True).get(pk=high.pk)
        except DatabaseError as exc:
            pytest.fail(f"stock_take locked the higher id before the lower one: {exc}")
    finally:
        release.set()
        holder.join(30)
        taker.join(30)
    assert outcome == {"taken": True}
    assert list(
        ProductVariant.objects.filter(pk__in=[low.pk, high.pk])
        .order_by("pk")
        .values_list("quantity", flat=True)
    ) == [9, 9]
