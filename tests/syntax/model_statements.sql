MODEL (
  name harbor.ticket_totals,
  kind FULL
);

SET memory_limit = '1GB';
CREATE TEMP TABLE IF NOT EXISTS staging_check AS SELECT * FROM harbor.ports;
@DEF(min_fare, 2.5);

SELECT
  t.route_id,
  SUM(t.fare) AS total_fare
FROM harbor.tickets AS t
WHERE t.fare >= @min_fare
GROUP BY t.route_id;

ANALYZE harbor.ticket_totals;
INSERT INTO audit_log.loads SELECT 'ticket_totals', NOW();

ON_VIRTUAL_UPDATE_BEGIN;
GRANT SELECT ON VIEW @this_model TO ROLE analysts;
JINJA_STATEMENT_BEGIN;
GRANT SELECT ON VIEW {{ this_model }} TO ROLE auditors;
JINJA_END;
ON_VIRTUAL_UPDATE_END;
