MODEL (
  name harbor.half_typed,
  kind FULL
);

WITH ports AS (
  SELECT port_id, port_name FROM harbor.ports
)
SELECT
  p.port_id,
  p.port_name,,
  v.vessel_name
FROM ports p
JOIN harbor.vessels AS v ON v.home_port = p.port_id
LEFT JOIN harbor.crews c ON
