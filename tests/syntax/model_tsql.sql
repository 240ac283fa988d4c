MODEL (
  name harbor.cargo_manifest,
  dialect tsql,
  kind VIEW
);

SELECT TOP 100
  [m].[manifest id] AS manifest_id,
  m.weight_kg
FROM [harbor].[cargo manifests] AS [m]
JOIN dbo.containers c ON c.manifest_id = [m].[manifest id]
