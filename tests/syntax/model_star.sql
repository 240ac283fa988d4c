MODEL (name harbor.all_ports, kind VIEW);

SELECT * FROM harbor.ports
UNION ALL
SELECT p.* FROM archive.ports AS p
