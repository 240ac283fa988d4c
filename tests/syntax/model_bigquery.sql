MODEL (
  name `lighthouse-prod.harbor.crossings`,
  dialect bigquery,
  kind FULL
);

SELECT
  c.crossing_id,
  c.note,
  `c`.`sea state` AS sea_state
FROM `lighthouse-prod.harbor.raw_crossings` AS c
JOIN `lighthouse-prod`.harbor.weather w ON w.day = c.day
WHERE c.note != 'it\'s calm'
