MODEL (
  name shop.orders,
  kind FULL
);

-- sqlglot reads all of these; the meshls dialect widens sqlparser's DuckDB to match.
SELECT
  * EXCEPT (secret),
  o.group,
  'ab' 'cd' AS joined,
  o.placed_at + INTERVAL (o.days) DAY AS due,,
  group
FROM raw.orders AS o
CROSS JOIN read_parquet('s3://bucket/extra.parquet') AS x
CROSS JOIN range(3) AS r
WHERE o.status IN @EACH(['paid', 'sent'], s -> s)
