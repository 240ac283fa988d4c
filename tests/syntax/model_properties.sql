-- Every value shape a MODEL block property can take.
MODEL (
  name harbor."Sailings_Daily",
  kind INCREMENTAL_BY_TIME_RANGE (time_column (event_date, '%Y-%m-%d'), batch_size 7),
  dialect 'duckdb',
  owner ferry_ops,
  cron '@daily',
  start '2023-06-01',
  interval_unit day,
  stamp 'v2 ''quoted''',
  columns (id INT, amount DECIMAL(10, 2), event_date DATE),
  audits (not_null(columns := (id)), unique_values(columns = (id))),
  physical_properties (a = 1),
  grain [a, b],
  tags (harbor, 'nightly'),
  references ("Harbor"."Routes".route_id, -1.5e3),
  enabled @is_prod,
  partitioned_by @{partition_col},
  session_properties (query_timeout = @timeout_ms(60)),
  description 'Sailings per route and day'
);

SELECT 1 AS id, 2.50::DECIMAL(10, 2) AS amount, 'a' AS a, 'b' AS b, @start_date AS event_date
