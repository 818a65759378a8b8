-- Consistency of stock and orders after a load run (PostgreSQL; run by bench/load_mix.py).
--
-- bench/load_mix.py records, just before the run, every product's stock in
-- bench_initial_stock(product_id, quantity) and the last stock movement / order ids in
-- bench_baseline(movement_id, order_id). Everything with a larger id happened during the run.
-- Each row below is one check and the number of rows that break it: all must be 0.
--
--   psql "$DATABASE_URL" -At -F ' | ' -f bench/consistency.sql

WITH base AS (SELECT movement_id, order_id FROM bench_baseline),
run_orders AS (
    SELECT o.* FROM orders_order o, base WHERE o.id > base.order_id
),
run_moves AS (
    SELECT m.* FROM orders_stockmovement m, base WHERE m.id > base.movement_id
),
ledger AS (SELECT product_id, SUM(delta) AS delta FROM run_moves GROUP BY product_id),
sold AS (
    -- units held by orders that keep their stock (not cancelled, payment not failed)
    SELECT l.product_id, SUM(l.quantity) AS units
    FROM orders_orderline l JOIN run_orders o ON o.id = l.order_id
    WHERE o.status NOT IN ('cancelled', 'payment_failed')
    GROUP BY l.product_id
),
order_product AS (
    SELECT l.order_id, l.product_id, SUM(l.quantity) AS units
    FROM orders_orderline l JOIN run_orders o ON o.id = l.order_id
    GROUP BY l.order_id, l.product_id
),
order_moves AS (
    SELECT order_id, product_id, SUM(delta) AS delta,
           SUM(CASE WHEN reason = 'sale' THEN -delta ELSE 0 END) AS taken
    FROM run_moves WHERE order_id IS NOT NULL GROUP BY order_id, product_id
)
SELECT 'products: initial + ledger deltas <> final stock' AS "check", COUNT(*) AS violations
FROM (SELECT product_id AS id, SUM(quantity) AS quantity FROM catalog_productvariant WHERE is_active GROUP BY product_id) p
JOIN bench_initial_stock i ON i.product_id = p.id
LEFT JOIN ledger g ON g.product_id = p.id
WHERE i.quantity + COALESCE(g.delta, 0) <> p.quantity
UNION ALL
SELECT 'products: initial - units sold <> final stock', COUNT(*)
FROM (SELECT product_id AS id, SUM(quantity) AS quantity FROM catalog_productvariant WHERE is_active GROUP BY product_id) p
JOIN bench_initial_stock i ON i.product_id = p.id
LEFT JOIN sold s ON s.product_id = p.id
WHERE i.quantity - COALESCE(s.units, 0) <> p.quantity
UNION ALL
SELECT 'variants: negative stock', COUNT(*) FROM catalog_productvariant WHERE quantity < 0
UNION ALL
SELECT 'orders: without lines', COUNT(*)
FROM run_orders o WHERE NOT EXISTS (SELECT 1 FROM orders_orderline l WHERE l.order_id = o.id)
UNION ALL
SELECT 'orders: total <> sum of line totals', COUNT(*)
FROM run_orders o
WHERE o.total_amount <> (SELECT COALESCE(SUM(l.line_total), 0) FROM orders_orderline l WHERE l.order_id = o.id)
UNION ALL
SELECT 'order lines: stock not taken by a sale movement', COUNT(*)
FROM order_product op LEFT JOIN order_moves om USING (order_id, product_id)
WHERE COALESCE(om.taken, 0) <> op.units
UNION ALL
SELECT 'order lines: net movement <> what the order holds', COUNT(*)
FROM order_product op
JOIN run_orders o ON o.id = op.order_id
LEFT JOIN order_moves om USING (order_id, product_id)
WHERE COALESCE(om.delta, 0) <> CASE WHEN o.status IN ('cancelled', 'payment_failed') THEN 0 ELSE -op.units END
UNION ALL
SELECT 'stock movements: for products no order line names', COUNT(*)
FROM order_moves om LEFT JOIN order_product op USING (order_id, product_id)
WHERE op.order_id IS NULL
UNION ALL
SELECT 'orders: without a status event', COUNT(*)
FROM run_orders o WHERE NOT EXISTS (SELECT 1 FROM orders_orderevent e WHERE e.order_id = o.id);

-- What the run did (not checks).
WITH base AS (SELECT movement_id, order_id FROM bench_baseline)
SELECT 'info: orders placed during the run, by status: ' || COALESCE(string_agg(status || '=' || n, ', '), 'none')
FROM (SELECT o.status, COUNT(*) AS n FROM orders_order o, base WHERE o.id > base.order_id GROUP BY o.status) t
UNION ALL
SELECT 'info: units sold during the run: ' || COALESCE(-SUM(delta), 0)
FROM orders_stockmovement m, base WHERE m.id > base.movement_id AND reason = 'sale';
