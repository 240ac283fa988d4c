MODEL (
  name my-project-123.news.page_views,
  kind FULL,
  dialect bigquery
);

SELECT
  v.page,
  tag,
  TIMESTAMP_DIFF(v.left_at, v.viewed_at, SECOND) AS seconds
FROM bigquery-public-data.samples.page_views AS v
CROSS JOIN UNNEST(v.tags) AS tag
JOIN `other-project.samples.pages` AS p ON p.page = v.page
