MODEL (
  name harbor.voyage_report,
  kind INCREMENTAL_BY_TIME_RANGE (time_column voyage_date)
);

WITH departures AS (
  SELECT v.voyage_id, v.vessel_id, CAST(v.departed_at AS DATE) AS voyage_date
  FROM harbor.voyages AS v
  WHERE v.departed_at BETWEEN @start_ds AND @end_ds
), loads AS (
  SELECT l.voyage_id, l.passengers::INT AS passengers
  FROM raw_@{source_env}.manifest_lines l
)
SELECT
  d.*,
  l.passengers,
  x.vessel_name AS vessel,
  amount::DECIMAL(10, 2) AS fare_total,
  CAST(d.voyage_date AS DATE) AS voyage_date,
  @IF(@gateway = 'prod', 'live', 'test') AS env,
  (SELECT MAX(p.capacity) FROM harbor.vessels p WHERE p.vessel_id = d.vessel_id) AS capacity
FROM departures AS d
LEFT JOIN loads AS l ON l.voyage_id = d.voyage_id
JOIN (SELECT vessel_id, name AS vessel_name FROM harbor.vessels) AS x ON x.vessel_id = d.vessel_id
CROSS JOIN "Harbor"."Tide Tables" tt
@WHERE(@has_filter) d.voyage_date > '2020-01-01'
