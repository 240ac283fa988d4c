"""A real Dagster run of a generated module on fixtures/dagster/shop (tests/dagster.rs).

    python run_shop.py MODULE.py WORK_DIR

Creates the shop's raw tables in a DuckDB file under WORK_DIR, applies a SQLMesh plan that
creates the prod environment without backfilling it, then materializes every generated asset
twice with `dagster.materialize`, and prints as JSON what each run materialized, every check
result, the step's success, and the rows each table then holds.
"""

import importlib.util
import json
import os
import sys

WORK = sys.argv[2]
os.environ["SHOP_DUCKDB"] = os.path.join(WORK, "warehouse.duckdb")

import dagster as dg  # noqa: E402
import duckdb  # noqa: E402
from sqlmesh import Context  # noqa: E402

connection = duckdb.connect(os.environ["SHOP_DUCKDB"])
connection.execute("CREATE SCHEMA raw")
connection.execute(
    "CREATE TABLE raw.orders AS SELECT * FROM (VALUES"
    " (1, 1, 1, 2, DATE '2024-01-01'), (2, 2, 3, 1, DATE '2024-01-02'),"
    " (3, 1, 2, 4, DATE '2024-01-03'))"
    " AS t(order_id, customer_id, product_id, quantity, order_date)"
)
# Two emails that are one once lowercased: `unique_values_non_blocking` fails.
connection.execute(
    "CREATE TABLE raw.customers AS SELECT * FROM (VALUES"
    " (1, 'Ann', 'ann@example.org'), (2, 'Bob', 'ANN@example.org'))"
    " AS t(customer_id, name, email)"
)
connection.close()

spec = importlib.util.spec_from_file_location("shop_defs", sys.argv[1])
module = importlib.util.module_from_spec(spec)
spec.loader.exec_module(module)

context = Context(paths=module.SQLMESH_PROJECT)
context.plan(auto_apply=True, skip_backfill=True, no_prompts=True)
context.close()

runs = []
for _ in range(2):
    result = dg.materialize(
        [module.sqlmesh, *module.EXTERNAL_ASSETS], raise_on_error=False
    )
    runs.append(
        {
            "success": result.success,
            "materialized": sorted(
                e.asset_key.to_user_string()
                for e in result.get_asset_materialization_events()
            ),
            "checks": sorted(
                [
                    e.asset_key.to_user_string(),
                    e.check_name,
                    e.passed,
                    e.severity.value,
                ]
                for e in result.get_asset_check_evaluations()
            ),
        }
    )

rows = {}
connection = duckdb.connect(os.environ["SHOP_DUCKDB"])
for table in ["orders", "customers", "products", "order_totals", "top_customers"]:
    try:
        rows[table] = connection.execute(
            f"SELECT COUNT(*) FROM shop.{table}"
        ).fetchone()[0]
    except duckdb.Error as error:
        rows[table] = str(error).splitlines()[0]
print("RESULT " + json.dumps({"runs": runs, "rows": rows}))
