-- SPDX-License-Identifier: MIT
-- An SQLite workload for libkmm-malloc.so: run by the sqlite3 command-line shell on a
-- new database file; its output must equal workload.expected (tests/malloc/program.sh).
-- 10,000 customers and 100,000 orders generated in SQL, indexes, joins, GROUP BY,
-- updates, deletes, VACUUM and an integrity check.  Every value is a function of the
-- row number, so the results are fixed.
PRAGMA cache_size = -32768;
CREATE TABLE customers(id INTEGER PRIMARY KEY, name TEXT NOT NULL, region INTEGER NOT NULL);
CREATE TABLE orders(id INTEGER PRIMARY KEY, customer INTEGER NOT NULL, amount INTEGER NOT NULL,
                    note TEXT NOT NULL);
BEGIN;
WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 10000)
INSERT INTO customers SELECT x, 'customer-' || x, x % 17 FROM c;
WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 100000)
INSERT INTO orders SELECT x, (x * 7919) % 9973 + 1, (x * 104729) % 1000,
                          printf('%0*d', x % 300, x)
FROM c;
COMMIT;
CREATE INDEX orders_customer ON orders(customer);
CREATE INDEX orders_amount ON orders(amount, customer);
CREATE INDEX customers_name ON customers(name);
SELECT count(*), sum(amount), sum(length(note)), max(length(note)) FROM orders;
SELECT region, count(*), sum(o.amount), min(o.amount), max(o.amount)
FROM customers c JOIN orders o ON o.customer = c.id GROUP BY region ORDER BY region;
SELECT c.name, count(*) AS n, sum(o.amount) AS total FROM customers c
JOIN orders o ON o.customer = c.id GROUP BY c.id ORDER BY total DESC, c.id LIMIT 5;
SELECT amount / 100 AS bucket, count(DISTINCT customer) FROM orders
GROUP BY bucket ORDER BY bucket;
SELECT count(*) FROM orders o1 JOIN orders o2 ON o1.customer = o2.customer
WHERE o1.amount > o2.amount + 500;
BEGIN;
UPDATE orders SET note = upper(note) || '-updated' WHERE amount % 3 = 0;
DELETE FROM orders WHERE amount < 100;
DELETE FROM customers WHERE id NOT IN (SELECT customer FROM orders);
COMMIT;
VACUUM;
PRAGMA integrity_check;
SELECT count(*), sum(amount), sum(length(note)) FROM orders;
SELECT count(*) FROM customers;
SELECT group_concat(name, ',') FROM (SELECT name FROM customers ORDER BY name DESC LIMIT 4);
SELECT sum(length(note)) FROM orders WHERE note LIKE '%-updated';
