"""The stock ledger sums to the stock: for random sequences of operations through every entry
point that changes a quantity (checkout paid and declined, cancel, the inventory API's upsert and
order processing, the admin's adjust and bulk restock, a product's create and update, a
variant's create and update), every variant's ``quantity`` equals the sum of its
``StockMovement`` deltas after each step, and every product's total the sum of its variants'.
Some products have several variants (sizes): the ledger holds per variant."""

from decimal import Decimal

import pytest
from django.db.models import Sum
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from cart.services import cart_item_add
from catalog.models import Product, ProductVariant, StockMovement
from catalog.services import product_create, product_restock, product_update, variant_create, variant_update
from catalog.stock import StockLine, stock_adjust
from ecommerce.common.exceptions import ApplicationError
from inventory.services import ProductInput, inventory_order_process, inventory_products_upsert
from orders.models import Order, OrderStatus
from orders.services import PaymentDetails, order_place, order_transition
from tests.factories import UserFactory
from tests.helpers.orders import ADDRESS

MANAGER = "mgr_ledger"

units = st.integers(min_value=0, max_value=6)
pick = st.integers(min_value=0, max_value=50)
operation = st.one_of(
    st.tuples(st.just("create"), units, st.booleans()),
    st.tuples(st.just("create_sized"), units, units),
    st.tuples(st.just("add_variant"), pick, units),
    st.tuples(st.just("update"), pick, units),
    st.tuples(st.just("adjust"), pick, st.integers(min_value=-5, max_value=5)),
    st.tuples(st.just("restock"), pick, st.integers(min_value=1, max_value=4)),
    st.tuples(st.just("checkout"), pick, st.integers(min_value=1, max_value=4), st.booleans()),
    st.tuples(st.just("cancel"), pick),
    st.tuples(st.just("upsert"), st.integers(min_value=0, max_value=3), units),
    st.tuples(st.just("process"), pick, st.integers(min_value=1, max_value=3)),
)


def _nth(queryset, index):
    items = list(queryset.order_by("pk"))
    return items[index % len(items)] if items else None


def _apply(step, user) -> None:
    kind, *args = step
    if kind == "create":
        quantity, managed = args
        product_create(
            name=f"Ledger {Product.objects.count()}",
            price=Decimal("2.50"),
            quantity=quantity,
            manager_id=MANAGER if managed else None,
        )
        return
    if kind == "create_sized":
        small, large = args
        product_create(
            name=f"Sized {Product.objects.count()}",
            options=["size"],
            variants=[
                {"options": {"size": "S"}, "price": Decimal("4.00"), "quantity": small},
                {"options": {"size": "L"}, "price": Decimal("5.00"), "quantity": large},
            ],
        )
        return
    if kind == "add_variant":
        product = _nth(Product.objects.exclude(options=[]), args[0])
        if product is not None:
            size = f"X{ProductVariant.objects.count()}"
            variant_create(
                product=product,
                data={"options": {"size": size}, "price": Decimal("6.00"), "quantity": args[1]},
            )
        return
    if kind == "upsert":
        index, quantity = args
        inventory_products_upsert(
            manager_external_id=MANAGER,
            items=[ProductInput(name=f"Inventory {index}", price=Decimal("3.00"), quantity=quantity)],
        )
        return
    if kind == "cancel":
        order = _nth(Order.objects.filter(status__in=[OrderStatus.PENDING, OrderStatus.PAID]), args[0])
        if order is not None:
            order_transition(order_public_id=order.public_id, to_status=OrderStatus.CANCELLED, actor=None)
        return
    variants = (
        ProductVariant.objects.filter(product__manager__external_id=MANAGER)
        if kind == "process"
        else ProductVariant.objects
    )
    variant = _nth(variants, args[0])
    if variant is None:
        return
    product = variant.product
    if kind == "update":
        if product.options:
            variant_update(variant=variant, data={"quantity": args[1]})
        else:
            product_update(product=product, data={"quantity": args[1]})
    elif kind == "adjust":
        stock_adjust(variant_id=variant.pk, delta=args[1] or 1, reason="adjustment", note="count")
    elif kind == "restock":
        product_restock(quantities={variant.pk: args[1]})
    elif kind == "checkout":
        quantity, paid = args[1], args[2]
        cart_item_add(user=user, product_public_id=variant.public_id, quantity=quantity)
        order_place(
            user=user,
            shipping_address=ADDRESS,
            payment=PaymentDetails(method="card", token="tok_ok" if paid else "tok_declined"),
        )
    elif kind == "process":
        inventory_order_process(
            manager_external_id=MANAGER,
            customer_ref="cust_1",
            customer_email="c@example.com",
            lines=[StockLine(variant.public_id if args[1] % 2 else product.public_id, args[1])],
        )


def _ledger_matches_stock() -> None:
    ledger = dict(
        StockMovement.objects.values("variant").annotate(total=Sum("delta")).values_list("variant", "total")
    )
    for pk, quantity in ProductVariant.objects.values_list("pk", "quantity"):
        assert ledger.get(pk, 0) == quantity, (pk, quantity, ledger.get(pk, 0))
    by_product = dict(
        StockMovement.objects.values("product").annotate(total=Sum("delta")).values_list("product", "total")
    )
    for product in Product.objects.with_stock():
        assert by_product.get(product.pk, 0) == product.quantity, product.pk


@pytest.mark.django_db
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=st.lists(operation, min_size=1, max_size=14))
def test_stock_ledger_sums_to_quantity_through_every_entry_point(steps):
    # examples share the test's transaction: each starts from an empty shop
    Order.objects.all().delete()
    Product.objects.all().delete()  # with their ledger rows and cart lines
    user = UserFactory()
    for step in steps:
        try:
            _apply(step, user)
            event(f"{step[0]} applied")
        except ApplicationError:  # refused (not enough stock, declined payment, bad transition): no change
            pass
        _ledger_matches_stock()
    assert ProductVariant.objects.filter(quantity__lt=0).count() == 0
    assert all(product.variants.exists() for product in Product.objects.all())
