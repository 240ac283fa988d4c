MODEL (
  name HARBOR.BERTH_USAGE,
  dialect snowflake,
  kind INCREMENTAL_BY_UNIQUE_KEY (unique_key (berth_id, usage_date))
);

SELECT
  b.berth_id,
  b.usage_date,
  b.payload:vessel.name::STRING AS vessel_name,
  f.value::INT AS slot
FROM HARBOR.RAW_BERTHS AS b,
  LATERAL FLATTEN(input => b.payload:slots) f
QUALIFY ROW_NUMBER() OVER (PARTITION BY b.berth_id ORDER BY b.usage_date DESC) = 1
