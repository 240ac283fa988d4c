-- Two audits in one file.
AUDIT (
  name assert_positive_fare,
  dialect duckdb,
  blocking false
);
SELECT *
FROM @this_model
WHERE fare <= 0;

AUDIT (
  name assert_known_port,
  defaults (column = port_id)
);
SELECT t.*
FROM @this_model AS t
LEFT JOIN harbor.ports AS p ON p.port_id = t.@column
WHERE p.port_id IS NULL
