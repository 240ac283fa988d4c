MODEL (
  name harbor.port_calls,
  kind VIEW
);

JINJA_QUERY_BEGIN;
SELECT
  p.port_id,
  COUNT(*) AS calls
FROM harbor.port_calls_raw AS p
{% if var('only_active') %}
WHERE p.active; -- a semicolon inside the Jinja block
{% endif %}
GROUP BY p.port_id
JINJA_END;
