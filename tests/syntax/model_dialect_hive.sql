MODEL (
  name library.loans,
  kind INCREMENTAL_BY_TIME_RANGE (time_column loaned_on),
  dialect hive
);

-- `@start_ds` is masked as `_start_ds`, an identifier Hive's sqlparser dialect refuses to start.
SELECT
  l.loan_id,
  tag,
  DATEDIFF(l.returned_on, l.loaned_on) AS days_out
FROM raw.loans AS l
LATERAL VIEW EXPLODE(l.tags) t AS tag
WHERE l.loaned_on BETWEEN @start_ds AND @end_ds
