from sqlmesh.core.config import (
    Config,
    DuckDBConnectionConfig,
    GatewayConfig,
    LinterConfig,
    ModelDefaultsConfig,
)

DIALECT = "duckdb"

config = Config(
    gateways={
        "Local": GatewayConfig(
            connection=DuckDBConnectionConfig(database="harbor.duckdb"),
        ),
    },
    default_gateway="local",
    model_defaults=ModelDefaultsConfig(dialect=DIALECT, start="2023-06-01", cron="@daily"),
    variables={"max_passengers": 450, "routes": ("north_loop", "island_hopper"), "debug": None},
    linter=LinterConfig(enabled=True, rules=["noselectstar"]),
)
