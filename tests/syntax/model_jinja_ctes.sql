MODEL (
  name shop.jinja_ctes,
  kind FULL
);

JINJA_QUERY_BEGIN;
WITH

orders AS (
  SELECT id, customer_id FROM raw.orders WHERE region = '{{ var("region") }}'
)

, customers AS (
  SELECT id FROM raw.customers
)

, joined AS (
  SELECT o.id FROM orders AS o JOIN customers AS c ON c.id = o.customer_id
)

SELECT * FROM joined
JINJA_END;
