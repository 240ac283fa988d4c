MODEL (
  name shop.broken,
  kind FULL
);

-- Broken SQL (the last line): the token pass must still see every CTE, not as tables.
WITH first_cte AS (
  SELECT a FROM raw.a
), second_cte AS (
  SELECT b FROM raw.b
), third_cte (x) AS (
  SELECT c FROM raw.c
)
SELECT * FROM first_cte JOIN second_cte ON TRUE JOIN third_cte ON TRUE WHERE (
