"""The one stock module (``catalog.stock``), shared by checkout, the inventory API, the admin and
the catalog services."""

import pytest
from django.db import IntegrityError, transaction

from catalog.exceptions import InsufficientStock, ProductDiscontinued, ProductNotFound
from catalog.models import Product, ProductVariant, StockMovement
from catalog.stock import (
    StockLine,
    stock_adjust,
    stock_import,
    stock_lines_merge,
    stock_release,
    stock_set_locked,
    stock_take,
)
from ecommerce.common.exceptions import InvalidRequest
from tests.factories import ProductFactory, StoreManagerFactory
from tests.helpers.concurrency import conflict_retries, requires_server_database, run_in_threads


def _v(product: Product) -> ProductVariant:
    """The product's one (default) variant."""
    return product.variants.get()


def test_merge_sums_repeated_products_keeping_order():
    lines = [StockLine("prod_a", 2), StockLine("prod_b", 1), StockLine("prod_a", 3)]
    assert stock_lines_merge(lines) == {"prod_a": 5, "prod_b": 1}


@pytest.mark.django_db
def test_take_decrements_and_writes_ledger():
    a, b = ProductFactory(quantity=5), ProductFactory(quantity=2)
    with transaction.atomic():
        stock_take(quantities={a.public_id: 3, b.public_id: 2})
    a.refresh_from_db(), b.refresh_from_db()
    assert (a.quantity, b.quantity) == (2, 0)
    assert sorted(StockMovement.objects.values_list("product_id", "delta")) == sorted(
        [(a.pk, -3), (b.pk, -2)]
    )


@pytest.mark.django_db
def test_take_is_all_or_nothing_and_names_every_short_product():
    a, b, c = ProductFactory(quantity=5), ProductFactory(quantity=1), ProductFactory(quantity=0)
    with pytest.raises(InsufficientStock) as excinfo, transaction.atomic():
        stock_take(quantities={a.public_id: 1, b.public_id: 2, c.public_id: 1})
    assert set(excinfo.value.details) == {b.public_id, c.public_id}
    assert excinfo.value.details[b.public_id] == "requested 2, available 1"
    assert [p.quantity for p in Product.objects.order_by("pk")] == [5, 1, 0]
    assert not StockMovement.objects.exists()


@pytest.mark.django_db
def test_take_unknown_and_discontinued():
    gone = ProductFactory(discontinued=True, quantity=9)
    with pytest.raises(ProductNotFound) as excinfo, transaction.atomic():
        stock_take(quantities={"prod_nope": 1, gone.public_id: 1})
    assert excinfo.value.details == {"prod_nope": "product not found"}
    with pytest.raises(ProductDiscontinued) as excinfo, transaction.atomic():
        stock_take(quantities={gone.public_id: 1})
    assert excinfo.value.details == {gone.public_id: "product is discontinued"}


@pytest.mark.django_db
def test_take_with_manager_sees_only_that_managers_products():
    mine, theirs = StoreManagerFactory(), StoreManagerFactory()
    product = ProductFactory(manager=theirs)
    with pytest.raises(ProductNotFound), transaction.atomic():
        stock_take(quantities={product.public_id: 1}, manager_id=mine.pk)
    with transaction.atomic():
        stock_take(quantities={product.public_id: 1}, manager_id=theirs.pk)
    product.refresh_from_db()
    assert product.quantity == 9


@pytest.mark.django_db
def test_take_nothing_changes_nothing():
    product = ProductFactory(quantity=2)
    with transaction.atomic():
        assert stock_take(quantities={}) == {}
    product.refresh_from_db()
    assert product.quantity == 2 and not StockMovement.objects.exists()


@pytest.mark.django_db
def test_release_gives_stock_back():
    product = ProductFactory(quantity=1)
    with transaction.atomic():
        stock_release(quantities={_v(product).pk: 4})
    product.refresh_from_db()
    assert product.quantity == 5
    assert StockMovement.objects.get().delta == 4


@pytest.mark.django_db(transaction=True)
def test_stock_calls_need_a_transaction():
    with pytest.raises(RuntimeError):
        stock_take(quantities={"prod_x": 1})
    with pytest.raises(RuntimeError):
        stock_release(quantities={1: 1})
    with pytest.raises(RuntimeError):
        stock_set_locked(levels={1: (0, 1)})


@pytest.mark.django_db
def test_database_refuses_negative_stock():
    product = ProductFactory(quantity=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        ProductVariant.objects.filter(product=product).update(quantity=-1)


@pytest.mark.concurrency
@pytest.mark.django_db(transaction=True)
def test_many_buyers_for_the_last_units_never_oversell():
    requires_server_database()
    product = ProductFactory(quantity=10)

    def buy(_: int) -> bool:
        try:
            with transaction.atomic():
                stock_take(quantities={product.public_id: 1})
            return True
        except InsufficientStock:
            return False

    results = run_in_threads(buy, 30)
    assert [r for r in results if isinstance(r, BaseException)] == []
    assert results.count(True) == 10
    product.refresh_from_db()
    assert product.quantity == 0
    assert StockMovement.objects.filter(product=product).count() == 10


@pytest.mark.concurrency
@pytest.mark.django_db(transaction=True)
def test_opposite_line_orders_do_not_deadlock():
    requires_server_database()
    a, b = ProductFactory(quantity=100), ProductFactory(quantity=100)

    def buy(index: int) -> bool:
        order = {a.public_id: 1, b.public_id: 1}
        if index % 2:
            order = dict(reversed(list(order.items())))
        with transaction.atomic():
            stock_take(quantities=order)
        return True

    with conflict_retries() as retries:
        results = run_in_threads(buy, 20)
    assert results == [True] * 20 and retries == []
    a.refresh_from_db(), b.refresh_from_db()
    assert (a.quantity, b.quantity) == (80, 80)


@pytest.mark.django_db
def test_adjust_changes_stock_and_writes_the_ledger_row_with_reason_and_note():
    product = ProductFactory(quantity=4)
    assert stock_adjust(variant_id=_v(product).pk, delta=6, reason="restock", note="delivery DN-9") == 10
    assert stock_adjust(variant_id=_v(product).pk, delta=-10, reason="adjustment", note="flood") == 0
    product.refresh_from_db()
    assert product.quantity == 0
    rows = list(StockMovement.objects.filter(product=product).values_list("delta", "reason", "note", "order"))
    assert rows == [(6, "restock", "delivery DN-9", None), (-10, "adjustment", "flood", None)]


@pytest.mark.django_db
def test_adjust_refuses_and_changes_nothing():
    product = ProductFactory(quantity=3)
    with pytest.raises(InsufficientStock) as excinfo:
        stock_adjust(variant_id=_v(product).pk, delta=-4, reason="adjustment")
    assert excinfo.value.details == {"delta": "requested -4, available 3"}
    for delta, reason in ((0, "adjustment"), (-1, "restock"), (2, "sale"), (2, "release")):
        with pytest.raises(InvalidRequest):
            stock_adjust(variant_id=_v(product).pk, delta=delta, reason=reason)
    with pytest.raises(ProductNotFound):
        stock_adjust(variant_id=_v(product).pk + 1000, delta=1, reason="restock")
    product.refresh_from_db()
    assert product.quantity == 3 and not StockMovement.objects.exists()


@pytest.mark.concurrency
@pytest.mark.django_db(transaction=True)
def test_adjust_and_checkouts_at_once_lose_no_unit():
    """Admins taking units out while buyers take the last ones: never below zero, nothing lost,
    and the ledger sums to the stock."""
    requires_server_database()
    product = ProductFactory(quantity=20)
    StockMovement.objects.create(product=product, variant=_v(product), delta=20, reason="restock")

    def act(index: int) -> bool:
        try:
            if index % 2:
                stock_adjust(variant_id=_v(product).pk, delta=-2, reason="adjustment", note=f"count {index}")
            else:
                with transaction.atomic():
                    stock_take(quantities={product.public_id: 1})
            return True
        except InsufficientStock:
            return False

    results = run_in_threads(act, 30)
    assert [r for r in results if isinstance(r, BaseException)] == []
    product.refresh_from_db()
    taken = sum(2 if i % 2 else 1 for i, ok in enumerate(results) if ok)
    assert product.quantity == 20 - taken >= 0
    ledger = sum(StockMovement.objects.filter(product=product).values_list("delta", flat=True))
    assert ledger == product.quantity


@pytest.mark.django_db
def test_set_writes_only_changed_levels_with_their_deltas():
    up, down, same = ProductFactory(quantity=2), ProductFactory(quantity=5), ProductFactory(quantity=3)
    with transaction.atomic():
        deltas = stock_set_locked(levels={_v(up).pk: (2, 7), _v(down).pk: (5, 1), _v(same).pk: (3, 3)})
    assert deltas == {_v(up).pk: 5, _v(down).pk: -4}
    assert [Product.objects.get(pk=p.pk).quantity for p in (up, down, same)] == [7, 1, 3]
    rows = {row.product_id: (row.delta, row.reason) for row in StockMovement.objects.all()}
    assert rows == {up.pk: (5, "restock"), down.pk: (-4, "adjustment")}


@pytest.mark.django_db
def test_set_and_import_refuse_negative_levels_and_change_nothing():
    product = ProductFactory(quantity=2)
    with pytest.raises(InvalidRequest), transaction.atomic():
        stock_set_locked(levels={_v(product).pk: (2, -1)})
    with pytest.raises(InvalidRequest), transaction.atomic():
        stock_import(created=[Product(name="New", slug="new", price="1.00", quantity=-3)], levels={})
    assert Product.objects.get(pk=product.pk).quantity == 2
    assert not Product.objects.filter(slug="new").exists() and not StockMovement.objects.exists()


@pytest.mark.django_db
def test_import_creates_products_with_their_stock_in_the_ledger():
    existing = ProductFactory(quantity=4)
    new = [
        Product(name="A", slug="a", price="1.00", quantity=3),
        Product(name="B", slug="b", price="1.00", quantity=0),
    ]
    with transaction.atomic():
        deltas = stock_import(created=new, levels={_v(existing).pk: (4, 1)})
    assert all(p.pk for p in new)
    assert deltas == {_v(new[0]).pk: 3, _v(existing).pk: -3}
    assert Product.objects.get(pk=new[0].pk).quantity == 3
    assert _v(new[1]).quantity == 0 and _v(new[1]).sku == f"B-{new[1].pk}"
    assert sorted(StockMovement.objects.values_list("variant_id", "delta")) == sorted(deltas.items())
    assert sorted(StockMovement.objects.values_list("product_id", flat=True)) == sorted(
        [new[0].pk, existing.pk]
    )
