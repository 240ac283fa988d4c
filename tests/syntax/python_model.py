"""Daily passenger counts per ferry route, computed in pandas."""
import typing as t
from datetime import datetime

import pandas as pd
from sqlmesh import ExecutionContext, model
from sqlmesh.core.model.kind import ModelKindName

ROUTE_CRON = "@hourly"


@model(
    "harbor.passenger_counts",
    kind=dict(
        name=ModelKindName.INCREMENTAL_BY_TIME_RANGE,
        time_column="count_date",
    ),
    cron=ROUTE_CRON,
    start="2023-06-01",
    owner="ferry_ops",
    columns={
        "count_date": "date",
        "route_id": "int",
        "passengers": "bigint",
    },
    grain=["count_date", "route_id"],
    audits=[("not_null", {"columns": ["route_id"]}), "unique_combination_of_columns"],
    tags=["python", "ridership"],
)
def count_passengers(
    context: ExecutionContext,
    start: datetime,
    end: datetime,
    execution_time: datetime,
    **kwargs: t.Any,
) -> pd.DataFrame:
    tickets = context.resolve_table("harbor.tickets")
    loaded_at = datetime.now()
    return context.fetchdf(f"SELECT * FROM {tickets}").assign(loaded_at=loaded_at)
