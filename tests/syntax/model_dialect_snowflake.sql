MODEL (
  name games.session_items,
  kind FULL,
  dialect snowflake
);

SELECT
  s.session_id,
  f.value:sku::VARCHAR AS sku,
  DATEADD(day, 1, s.started_at) AS next_day
FROM raw.sessions AS s,
  LATERAL FLATTEN(input => s.items) AS f,
  TABLE(GENERATOR(ROWCOUNT => 10)) AS g
