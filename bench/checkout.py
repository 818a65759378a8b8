"""Checkout throughput on PostgreSQL: the real service vs. the raw-SQL floor (pgbench).

    python bench/checkout.py [--database shop_bench_checkout] [--seconds 10] [--idempotency-key]

Creates (drops first) the database, migrates it, then for 8 and 32 threads, without
contention (every buyer on a different product) and with all buyers on 10 hot products:

* calls ``orders.services.order_place`` (no HTTP) from N threads, each on its own pre-filled
  carts, and reports orders/s;
* runs pgbench with N clients on a SQL script that issues the same statements as one
  checkout (both transactions, including the analytics rollup upserts), and reports its
  transactions/s: the floor, a C client with no work between statements.

Without ``--idempotency-key`` neither side sends a key; with it, every checkout has one and
the script adds the key's lookup, claim and completion.

Prints a Markdown table for docs/benchmarks.md.

    python bench/checkout.py --cpu [--orders 2000] [--rounds 3] [--sessions]

measures instead the CPU time the Python process spends per checkout (one thread, no
contention; ``time.thread_time``); with ``--sessions``, per checkout session completed with a
voucher, tax and shipping (and, apart, per session opened and set): on a CPU-bound checkout the throughput ratio of two versions
is the inverse of their CPU ratio. On a busy machine, count instructions instead (repeatable):

    BENCH_CALLGRIND=1 valgrind --tool=callgrind --instr-atstart=no --callgrind-out-file=cg.out \
        .venv/bin/python bench/checkout.py --cpu --orders 200 --rounds 1
    callgrind_annotate cg.out | head -20     # "PROGRAM TOTALS" / 200 = instructions per order

Used to compare hand-written statements with their ORM equivalents (docs/benchmarks.md).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PGBENCH_SCRIPT = r"""
\set uid random(:umin, :umax)
\set pid random(:pmin, :pmax)
--KEY SELECT order_id, request_hash FROM orders_idempotencykey WHERE user_id = :uid AND key = md5(random()::text);
BEGIN;
--KEY INSERT INTO orders_idempotencykey (user_id, key, request_hash, order_id, created_at)
--KEY   VALUES (:uid, md5(random()::text), md5('x'), NULL, now()) RETURNING id \gset k_
SELECT id FROM cart_cart WHERE user_id = :uid FOR UPDATE;
SELECT variant_id, quantity FROM cart_cartline WHERE cart_id = :uid AND NOT saved_for_later ORDER BY variant_id;
SELECT v.id, v.public_id, v.product_id AS prod, v.sku, v.options, v.price, v.quantity, v.is_active,
  (SELECT p.public_id FROM catalog_product p WHERE p.id = v.product_id),
  (SELECT p.name FROM catalog_product p WHERE p.id = v.product_id),
  (SELECT p.discontinued FROM catalog_product p WHERE p.id = v.product_id)
  FROM catalog_productvariant v WHERE v.id IN (:pid) ORDER BY v.id FOR UPDATE \gset v_
INSERT INTO orders_order (created_at, updated_at, public_id, channel, status, user_id, manager_id,
  customer_ref, customer_email, currency, subtotal, total_amount, shipping_address, payment_reference)
  VALUES (now(), now(), 'ord_' || md5(random()::text), 'shop', 'pending', :uid, NULL, 'usr_x',
  'x@example.com', 'USD', 9.99, 9.99, '{}', '') RETURNING id \gset o_
UPDATE catalog_productvariant SET quantity = quantity - 1 WHERE id = :pid;
INSERT INTO orders_stockmovement (product_id, variant_id, order_id, delta, reason, created_at)
  VALUES (:v_prod, :pid, :o_id, -1, 'sale', now());
INSERT INTO orders_orderline (order_id, product_id, variant_id, product_public_id, variant_public_id, sku, options,
  name, unit_price, quantity, line_total)
  VALUES (:o_id, :v_prod, :pid, 'prod_x', 'var_x', 'SKU-X', '{}', 'x', 9.99, 1, 9.99);
INSERT INTO orders_orderevent (order_id, from_status, to_status, actor_id, actor_label, note, created_at)
  VALUES (:o_id, '', 'pending', :uid, '', '', now());
INSERT INTO analytics_dailyorderstats (day, channel, status, orders, revenue, units)
  VALUES (current_date, 'shop', 'pending', 1, 9.99, 1)
  ON CONFLICT (day, channel, status) DO UPDATE SET orders = analytics_dailyorderstats.orders + excluded.orders,
  revenue = analytics_dailyorderstats.revenue + excluded.revenue, units = analytics_dailyorderstats.units + excluded.units;
DELETE FROM cart_cartline WHERE cart_id = :uid AND NOT saved_for_later;
--KEY UPDATE orders_idempotencykey SET order_id = :o_id WHERE id = :k_id;
COMMIT;
BEGIN;
UPDATE orders_order SET status = 'paid', payment_reference = 'ch_x', updated_at = now()
  WHERE id = :o_id AND status = 'pending';
INSERT INTO orders_orderevent (order_id, from_status, to_status, actor_id, actor_label, note, created_at)
  VALUES (:o_id, 'pending', 'paid', NULL, 'payment', '', now());
INSERT INTO analytics_dailyorderstats (day, channel, status, orders, revenue, units)
  VALUES (current_date, 'shop', 'paid', 1, 9.99, 1), (current_date, 'shop', 'pending', -1, -9.99, -1)
  ON CONFLICT (day, channel, status) DO UPDATE SET orders = analytics_dailyorderstats.orders + excluded.orders,
  revenue = analytics_dailyorderstats.revenue + excluded.revenue, units = analytics_dailyorderstats.units + excluded.units;
INSERT INTO analytics_dailyproductsales (day, channel, product_id, units, revenue)
  VALUES (current_date, 'shop', :pid, 1, 9.99)
  ON CONFLICT (day, channel, product_id) DO UPDATE SET units = analytics_dailyproductsales.units + excluded.units,
  revenue = analytics_dailyproductsales.revenue + excluded.revenue;
COMMIT;
"""


def setup_django(database: str) -> None:
    os.environ["DATABASE_URL"] = f"postgres://postgres@127.0.0.1:5432/{database}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ecommerce.settings.base")
    os.environ["LOG_LEVEL"] = "WARNING"
    os.environ["EMAIL_URL"] = "dummymail://"  # emails are rendered, not printed
    subprocess.run(
        ["psql", "-h", "127.0.0.1", "-U", "postgres", "-qc", f"DROP DATABASE IF EXISTS {database}"],
        check=True,
    )
    subprocess.run(
        ["psql", "-h", "127.0.0.1", "-U", "postgres", "-qc", f"CREATE DATABASE {database}"], check=True
    )
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def make_fixture(buyers: int, products: int):  # noqa: ANN201 - returns model lists
    from decimal import Decimal

    from django.db import transaction

    from accounts.models import User
    from cart.models import Cart
    from catalog.models import Product, ProductVariant
    from catalog.stock import stock_import

    start = User.objects.count()
    users = User.objects.bulk_create(
        User(email=f"bench{start + i}@example.com", password="!", email_verified=True) for i in range(buyers)
    )
    Cart.objects.bulk_create(Cart(user=u) for u in users)
    base = Product.objects.count()
    items = []
    for i in range(products):
        product = Product(name=f"P{base + i}", slug=f"p{base + i}", price=Decimal("9.99"))
        product.quantity = 1_000_000  # its default variant's
        items.append(product)
    with transaction.atomic():
        stock_import(created=items, levels={})
    # what is bought: the default variants, in the products' order
    by_product = dict(ProductVariant.objects.filter(product__in=items).values_list("product_id", "pk"))
    return users, [ProductVariant(pk=by_product[p.pk], product_id=p.pk) for p in items]


def fill_carts(users, products, hot: bool) -> None:  # noqa: ANN001
    from cart.models import Cart, CartLine

    carts = dict(Cart.objects.filter(user__in=users).values_list("user_id", "id"))
    CartLine.objects.bulk_create(
        CartLine(cart_id=carts[u.pk], variant=products[i % 10 if hot else i], quantity=1)
        for i, u in enumerate(users)
    )


def pgbench_script(keys: bool) -> str:
    """The floor's SQL; with ``keys``, the ``--KEY`` lines (the idempotency key's lookup, claim
    and completion) are kept."""
    if keys:
        return PGBENCH_SCRIPT.replace("--KEY ", "")
    return "\n".join(line for line in PGBENCH_SCRIPT.splitlines() if not line.startswith("--KEY"))


def run_service(threads: int, hot: bool, seconds: float, keys: bool) -> float:
    from django.db import connections

    from orders.services import PaymentDetails, order_place

    per_thread = max(50, int(seconds * 400 / threads))
    users, products = make_fixture(threads * per_thread, threads * per_thread)
    fill_carts(users, products, hot)
    address = {"name": "B", "line1": "1 St", "line2": "", "city": "X", "postal_code": "1", "country": "GB"}
    payment = PaymentDetails(method="card", token="tok_ok")
    done = [0] * threads
    stop_at = [0.0]
    barrier = threading.Barrier(threads + 1)

    def worker(index: int) -> None:
        mine = users[index * per_thread : (index + 1) * per_thread]
        barrier.wait()
        for user in mine:
            if time.perf_counter() > stop_at[0]:
                break
            order_place(
                user=user,
                shipping_address=address,
                payment=payment,
                idempotency_key=f"bench-{user.pk}" if keys else None,
                request_hash="bench",
            )
            done[index] += 1
        connections.close_all()

    workers = [threading.Thread(target=worker, args=(i,)) for i in range(threads)]
    for w in workers:
        w.start()
    started = time.perf_counter()
    stop_at[0] = started + seconds
    barrier.wait()
    for w in workers:
        w.join()
    elapsed = time.perf_counter() - started
    return sum(done) / elapsed


def callgrind(state: str) -> None:
    """Under ``valgrind --tool=callgrind --instr-atstart=no`` (``BENCH_CALLGRIND=1``): count
    instructions only while the checkouts run. Instruction counts repeat to a fraction of a
    percent whatever else the machine does, where CPU time does not."""
    if os.environ.get("BENCH_CALLGRIND"):
        subprocess.run(["callgrind_control", "-i", state, str(os.getpid())], check=True, capture_output=True)


def run_cpu(orders: int) -> tuple[float, float]:
    """Checkouts one after another in this thread: (CPU µs per order, wall µs per order)."""
    from orders.services import PaymentDetails, order_place

    users, products = make_fixture(orders + 50, orders + 50)
    fill_carts(users, products, False)
    address = {"name": "B", "line1": "1 St", "line2": "", "city": "X", "postal_code": "1", "country": "GB"}
    payment = PaymentDetails(method="card", token="tok_ok")
    for user in users[:50]:  # warm: statements prepared, caches filled
        order_place(
            user=user, shipping_address=address, payment=payment, idempotency_key=None, request_hash="b"
        )
    callgrind("on")
    cpu, wall = time.thread_time(), time.perf_counter()
    for user in users[50:]:
        order_place(
            user=user, shipping_address=address, payment=payment, idempotency_key=None, request_hash="b"
        )
    cpu, wall = time.thread_time() - cpu, time.perf_counter() - wall
    callgrind("off")
    return cpu / orders * 1e6, wall / orders * 1e6


def shop_configure() -> None:
    """What a checkout session prices with (issue #16): a zone for GB with a flat method, GB's
    standard tax rate, a voucher without a usage limit (its use is still counted: one row that
    every order updates) and a promotion that does not apply."""
    from datetime import timedelta
    from decimal import Decimal

    from django.utils import timezone

    from discounts.services import promotion_create, voucher_create
    from shipping.services import shipping_zone_create
    from taxes.models import TaxRate

    if TaxRate.objects.exists():
        return
    shipping_zone_create(
        name="UK",
        countries=["GB"],
        methods=[{"name": "Standard", "price": Decimal("4.90"), "min_days": 1, "max_days": 3}],
    )
    TaxRate.objects.create(country="GB", tax_class="standard", rate=Decimal("20.00"))
    voucher_create(data={"code": "BENCH10", "kind": "percentage", "value": Decimal("10")})
    now = timezone.now()
    promotion_create(
        data={
            "name": "Big baskets",
            "kind": "free_shipping",
            "min_subtotal": Decimal("500.00"),
            "starts_at": now - timedelta(days=1),
            "ends_at": now + timedelta(days=30),
        }
    )


def open_sessions(users) -> list[str]:  # noqa: ANN001
    """A session per buyer with the address, the method and the voucher set (not measured)."""
    from orders.models import CheckoutSession
    from orders.selectors import CheckoutOwner
    from orders.services.sessions import CheckoutChanges, checkout_create, checkout_update
    from shipping.models import ShippingMethod

    method = ShippingMethod.objects.get(name="Standard").public_id
    address = {"name": "B", "line1": "1 St", "city": "London", "postal_code": "N1 7AA", "country": "GB"}
    ids = []
    for user in users:
        owner = CheckoutOwner(user=user, cart_id=None)
        session = checkout_create(owner=owner)
        checkout_update(
            public_id=session.public_id,
            owner=owner,
            changes=CheckoutChanges(
                shipping_address=address, shipping_method_id=method, discount_codes=["BENCH10"]
            ),
        )
        ids.append(session.public_id)
    assert CheckoutSession.objects.filter(public_id__in=ids, discount_codes=["BENCH10"]).count() == len(ids)
    return ids


def run_cpu_sessions(orders: int) -> tuple[float, float, float]:
    """Checkout sessions, one after another in this thread: CPU µs per session opened and set
    (address, method, code: three reads of the session included), then CPU and wall µs per
    completion (voucher, tax and shipping priced under the locks)."""
    from orders.selectors import CheckoutOwner
    from orders.services import PaymentDetails, checkout_complete

    shop_configure()
    users, products = make_fixture(orders + 50, orders + 50)
    fill_carts(users, products, False)
    payment = PaymentDetails(method="card", token="tok_ok")
    warm = open_sessions(users[:50])
    for user, session in zip(users[:50], warm, strict=True):
        checkout_complete(public_id=session, owner=CheckoutOwner(user=user, cart_id=None), payment=payment)
    opened = time.thread_time()
    sessions = open_sessions(users[50:])
    opened = (time.thread_time() - opened) / orders * 1e6
    callgrind("on")
    cpu, wall = time.thread_time(), time.perf_counter()
    for user, session in zip(users[50:], sessions, strict=True):
        checkout_complete(public_id=session, owner=CheckoutOwner(user=user, cart_id=None), payment=payment)
    cpu, wall = time.thread_time() - cpu, time.perf_counter() - wall
    callgrind("off")
    return opened, cpu / orders * 1e6, wall / orders * 1e6


def run_pgbench(database: str, threads: int, hot: bool, seconds: int, keys: bool) -> float:
    users, products = make_fixture(threads * 10, 10 if hot else 1000)
    pids = [p.pk for p in products]
    uids = [u.pk for u in users]
    with tempfile.NamedTemporaryFile("w", suffix=".sql", delete=False) as script:
        script.write(pgbench_script(keys))
    cmd = [
        "pgbench", "-h", "127.0.0.1", "-U", "postgres", "-n", "-c", str(threads), "-j", "2",
        "-T", str(seconds), "-f", script.name,
        "-D", f"umin={min(uids)}", "-D", f"umax={max(uids)}",
        "-D", f"pmin={min(pids)}", "-D", f"pmax={max(pids)}", database,
    ]  # fmt: skip
    out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    for line in out.splitlines():
        if line.startswith("tps"):
            return float(line.split("=")[1].split()[0])
    raise RuntimeError(out)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database", default="shop_bench_checkout")
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument(
        "--idempotency-key", action="store_true", help="every checkout sends a key (both sides)"
    )
    parser.add_argument("--cpu", action="store_true", help="CPU time per checkout, one thread")
    parser.add_argument("--orders", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument(
        "--sessions",
        action="store_true",
        help="with --cpu: checkout sessions completed with a voucher, tax and shipping (issue #16)",
    )
    args = parser.parse_args()
    keys = args.idempotency_key
    setup_django(args.database)
    if args.cpu and args.sessions:
        for _ in range(args.rounds):
            opened, cpu, wall = run_cpu_sessions(args.orders)
            print(
                f"session opened and set: cpu {opened:.0f} µs; completed: cpu {cpu:.0f} µs/order, "
                f"wall {wall:.0f} µs/order",
                flush=True,
            )
        return
    if args.cpu:
        for _ in range(args.rounds):
            cpu, wall = run_cpu(args.orders)
            print(f"cpu {cpu:.0f} µs/order, wall {wall:.0f} µs/order", flush=True)
        return
    # Warm-up, not reported: the first cell would otherwise also pay for the new database's
    # first autovacuum/analyze and cold caches, which the cells after it do not.
    run_service(8, False, 3, keys)
    run_pgbench(args.database, 8, False, 3, keys)
    rows = []
    for threads in (8, 32):
        for hot in (False, True):
            service = run_service(threads, hot, args.seconds, keys)
            floor = run_pgbench(args.database, threads, hot, args.seconds, keys)
            rows.append((threads, "10 hot products" if hot else "no contention", service, floor))
            print(f"threads={threads} hot={hot}: service {service:.0f}/s, floor {floor:.0f}/s", flush=True)
    print(f"\nIdempotency-Key: {'yes' if keys else 'no'}")
    print("\n| threads | load | service orders/s | pgbench floor tx/s | ratio |")
    print("|---:|---|---:|---:|---:|")
    for threads, load, service, floor in rows:
        print(f"| {threads} | {load} | {service:.0f} | {floor:.0f} | {service / floor:.0%} |")


if __name__ == "__main__":
    main()
