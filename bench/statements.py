"""Each hand-written statement of checkout's hot path against its ORM equivalent: CPU per call.

    python bench/statements.py [--database shop_bench_statements] [--calls 2000]

Issue #19 asks to keep a hand-written statement only where it is worth at least 15% of
checkout's throughput. Checkout is CPU-bound in the Python process (``bench/checkout.py``), so
a statement's worth is the CPU it saves per call times the calls per checkout, over the CPU of
one checkout (``bench/checkout.py --cpu``). The ORM versions below are what the statements would
be without ``queries.py``: ``F()`` updates, ``bulk_create``, ``select_for_update``, ``save``.
Every pair runs inside one transaction that is rolled back, on the same connection, with the
same prepared-statement setting (server-side binding, psycopg prepares after five runs).
Prints a Markdown table for docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def setup(database: str) -> None:
    os.environ["DATABASE_URL"] = f"postgres://postgres@127.0.0.1:5432/{database}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ecommerce.settings.base")
    os.environ["LOG_LEVEL"] = "WARNING"
    for sql in (f"DROP DATABASE IF EXISTS {database}", f"CREATE DATABASE {database}"):
        subprocess.run(["psql", "-h", "127.0.0.1", "-U", "postgres", "-qc", sql], check=True)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def cpu_per_call(call: Callable[[int], object], calls: int) -> float:
    """µs of this thread's CPU per ``call(i)``, after 50 warm-up calls, in a rolled-back
    transaction."""
    from django.db import transaction

    with transaction.atomic():
        for i in range(50):
            call(i)
        started = time.thread_time()
        for i in range(calls):
            call(i)
        spent = time.thread_time() - started
        transaction.set_rollback(True)
    return spent / calls * 1e6


def pairs() -> list[tuple[str, int, Callable[[int], object], Callable[[int], object]]]:
    """(statement, calls per one-line checkout, hand-written, ORM) for each statement."""
    from decimal import Decimal

    from django.db.models import F
    from django.utils import timezone

    from accounts.models import User
    from cart.models import Cart, CartLine
    from cart.queries import cart_id_lock, cart_line_quantities, cart_lines_delete
    from catalog.models import Product, ProductVariant, StockMovement
    from catalog.queries import stock_movements_insert, variant_quantity_add, variant_rows_lock
    from catalog.stock import default_sku
    from ecommerce.events.models import OutboxEvent
    from ecommerce.events.outbox import _json
    from ecommerce.events.queries import outbox_events_insert
    from orders.models import IdempotencyKey, Order, OrderEvent, OrderLine
    from orders.outbox import order_event_data
    from orders.queries import (
        idempotency_key_claim,
        idempotency_key_done,
        idempotency_key_find,
        order_events_insert,
        order_insert,
        order_lines_insert,
        order_status_update,
    )

    user = User.objects.create(email="bench-statements@example.com", password="!", email_verified=True)
    cart = Cart.objects.create(user=user)
    product = Product.objects.create(name="P", slug="p-bench", price=Decimal("9.99"))
    variant = ProductVariant.objects.create(
        product=product, sku=default_sku(product.slug, product.pk), price=product.price, quantity=10**9
    )
    CartLine.objects.create(cart=cart, variant=variant, quantity=1)
    now = timezone.now()
    order = Order.objects.create(
        user=user, customer_ref=user.public_id, customer_email=user.email, subtotal=Decimal("9.99"),
        total_amount=Decimal("9.99"), shipping_address={},
    )  # fmt: skip

    def new_order(i: int) -> Order:
        return Order(
            public_id=f"ord_b{i}_{time.perf_counter_ns()}", user=user, customer_ref=user.public_id,
            customer_email=user.email, subtotal=Decimal("9.99"), total_amount=Decimal("9.99"),
            shipping_address={}, created_at=now, updated_at=now,
        )  # fmt: skip

    def line(i: int) -> OrderLine:
        return OrderLine(
            order=order, product_id=product.pk, variant_id=variant.pk, product_public_id=product.public_id,
            variant_public_id=variant.public_id, sku=variant.sku, options={}, name="P",
            unit_price=Decimal("9.99"), quantity=1, line_total=Decimal("9.99"),
            unit_price_net=Decimal("9.99"), unit_price_gross=Decimal("9.99"), total=Decimal("9.99"),
        )  # fmt: skip

    def event(i: int) -> OrderEvent:
        return OrderEvent(order=order, from_status="", to_status="pending", created_at=now)

    data = _json(order_event_data(order, [line(0)], [event(0)]))  # an order.created payload, as stored

    def outbox_row(i: int) -> OutboxEvent:
        return OutboxEvent(type="order.created", version=1, data=data, occurred_at=now, next_attempt_at=now)

    def orm_lock(i: int) -> object:
        return list(
            ProductVariant.objects.filter(pk__in=[variant.pk]).order_by("pk").select_for_update(of=("self",))
            .values_list(
                "id", "public_id", "product_id", "sku", "options", "price", "quantity", "is_active",
                "product__public_id", "product__name", "product__discontinued",
            )
        )  # fmt: skip

    def orm_cart_lock(i: int) -> object:
        return list(Cart.objects.filter(user_id=user.pk).select_for_update().values_list("id", flat=True))

    def orm_cart_lines(i: int) -> object:
        return dict(
            CartLine.objects.filter(cart_id=cart.pk, saved_for_later=False).order_by("variant_id")
            .values_list("variant_id", "quantity")
        )  # fmt: skip

    def orm_key_claim(i: int) -> object:
        key = IdempotencyKey(
            user=user, key=f"o{i}-{time.perf_counter_ns()}", request_hash="h", created_at=now
        )
        key.save(force_insert=True)
        return key.pk

    return [
        ("lock the cart row", 1, lambda i: cart_id_lock(user.pk), orm_cart_lock),
        ("read the cart's lines", 1, lambda i: cart_line_quantities(cart.pk), orm_cart_lines),
        ("lock the variants", 1, lambda i: variant_rows_lock(pks=[variant.pk], manager_id=None), orm_lock),
        ("insert the order", 1, lambda i: order_insert(new_order(i)), lambda i: new_order(i).save(force_insert=True)),
        (
            "take stock (F() update)", 1, lambda i: variant_quantity_add(variant.pk, -1),
            lambda i: ProductVariant.objects.filter(pk=variant.pk).update(quantity=F("quantity") - 1),
        ),
        (
            "insert the ledger rows", 1,
            lambda i: stock_movements_insert([(product.pk, variant.pk, -1)], order_id=order.pk, reason="sale", at=now),
            lambda i: StockMovement.objects.bulk_create(
                [StockMovement(product_id=product.pk, variant_id=variant.pk, order_id=order.pk, delta=-1, reason="sale", created_at=now)]
            ),
        ),
        ("insert the lines", 1, lambda i: order_lines_insert([line(i)]), lambda i: OrderLine.objects.bulk_create([line(i)])),
        ("insert timeline rows", 2, lambda i: order_events_insert([event(i)]), lambda i: OrderEvent.objects.bulk_create([event(i)])),
        (
            "insert the outbox rows", 2, lambda i: outbox_events_insert([outbox_row(i)]),
            lambda i: OutboxEvent.objects.bulk_create([outbox_row(i)]),
        ),
        (
            "empty the cart", 1, lambda i: cart_lines_delete(cart.pk + 10**9),
            lambda i: CartLine.objects.filter(cart_id=cart.pk + 10**9, saved_for_later=False).delete(),
        ),
        (
            "mark the order paid", 1,
            lambda i: order_status_update(order_id=order.pk, from_status="x", to_status="paid", payment_reference="c", at=now),
            lambda i: Order.objects.filter(pk=order.pk, status="x").update(status="paid", payment_reference="c", updated_at=now),
        ),
        (
            "find the idempotency key (with a key)", 1,
            lambda i: idempotency_key_find(user_id=user.pk, key="nope"),
            lambda i: list(IdempotencyKey.objects.filter(user_id=user.pk, key="nope").values_list("order_id", "request_hash")),
        ),
        (
            "claim the idempotency key (with a key)", 1,
            lambda i: idempotency_key_claim(user_id=user.pk, key=f"s{i}-{time.perf_counter_ns()}", request_hash="h", at=now),
            orm_key_claim,
        ),
        (
            "record the key's order (with a key)", 1,
            lambda i: idempotency_key_done(key_id=0, order_id=order.pk),
            lambda i: IdempotencyKey.objects.filter(pk=0).update(order_id=order.pk),
        ),
    ]  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database", default="shop_bench_statements")
    parser.add_argument("--calls", type=int, default=2000)
    parser.add_argument(
        "--checkout-cpu", type=float, default=0.0, help="µs per checkout (bench/checkout.py --cpu)"
    )
    args = parser.parse_args()
    setup(args.database)
    print(
        "| statement | calls per checkout | hand-written µs | ORM µs | ORM extra per checkout µs | share of checkout |"
    )
    print("|---|---:|---:|---:|---:|---:|")
    for name, per_checkout, raw, orm in pairs():
        raw_us = min(cpu_per_call(raw, args.calls) for _ in range(3))
        orm_us = min(cpu_per_call(orm, args.calls) for _ in range(3))
        extra = (orm_us - raw_us) * per_checkout
        share = f"{extra / args.checkout_cpu:.0%}" if args.checkout_cpu else "–"
        print(
            f"| {name} | {per_checkout} | {raw_us:.0f} | {orm_us:.0f} | {extra:.0f} | {share} |", flush=True
        )


if __name__ == "__main__":
    main()
