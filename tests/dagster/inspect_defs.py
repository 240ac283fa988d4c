"""Loads generated Dagster modules and prints what Dagster sees in them, as JSON (tests/dagster.rs).

    python inspect_defs.py MODULE.py...

For each module: every asset (materializable or external) with its dependencies, group, tags,
owners, checks (with their blocking flag) and automation cron; every schedule with its crons,
time zone and target assets; the time the import took. For the schedules, also a timetable
check over two days: the ticks Dagster fires (its own iterator) against every model's cron
ticks as SQLMesh reads them (croniter, in the model's `cron_tz`): each model tick must be a
tick of its schedule, and each schedule tick a tick of some model.
"""

import datetime
import importlib.util
import json
import sys
import time
import zoneinfo

from croniter import croniter
from dagster._utils.schedules import schedule_execution_time_iterator

START = datetime.datetime(2024, 3, 9, 0, 0, tzinfo=datetime.timezone.utc)
WINDOW = datetime.timedelta(days=2)


def ticks_of_schedule(schedule):
    ticks = set()
    iterator = schedule_execution_time_iterator(
        START.timestamp(), schedule.cron_schedule, schedule.execution_timezone
    )
    for tick in iterator:
        if tick >= START + WINDOW:
            break
        ticks.add(tick.timestamp())
    return ticks


def ticks_of_cron(cron, timezone):
    ticks = set()
    before = START - datetime.timedelta(seconds=1)
    it = croniter(cron, before.astimezone(zoneinfo.ZoneInfo(timezone)))
    while True:
        tick = it.get_next(datetime.datetime)
        if tick >= START + WINDOW:
            return ticks
        ticks.add(tick.timestamp())


def inspect(path):
    started = time.perf_counter()
    spec = importlib.util.spec_from_file_location(f"generated_{abs(hash(path))}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    defs = module.defs
    graph = defs.resolve_asset_graph()
    load_seconds = time.perf_counter() - started
    assets = {}
    for key in sorted(graph.get_all_asset_keys()):
        node = graph.get(key)
        cron = None
        for spec in getattr(module, "MODEL_ASSETS", []):
            if spec.key == key and spec.automation_condition is not None:
                cron = spec.metadata.get("sqlmesh/cron")
        checks = []
        for check_key in sorted(node.check_keys, key=lambda c: c.name):
            check = graph.get_check_spec(check_key)
            checks.append({"name": check.name, "blocking": check.blocking})
        assets[key.to_user_string()] = {
            "materializable": node.is_materializable,
            "deps": sorted(p.to_user_string() for p in node.parent_keys),
            "group": node.group_name,
            "tags": {
                k: v for k, v in node.tags.items() if not k.startswith("dagster/")
            },
            "owners": list(node.owners),
            "checks": checks,
            "has_automation": node.automation_condition is not None,
            "cron": cron,
        }
    schedules = []
    crons_by_key = {}
    for spec in getattr(module, "MODEL_ASSETS", []):
        written = spec.metadata.get("sqlmesh/cron")
        timezone = spec.metadata.get("sqlmesh/cron_tz", "UTC")
        crons_by_key[spec.key.to_user_string()] = (written, timezone)
    for schedule in defs.schedules:
        job = defs.resolve_job_def(schedule.job_name)
        targets = sorted(
            k.to_user_string() for k in job.asset_layer.selected_asset_keys
        )
        fired = ticks_of_schedule(schedule)
        wanted = set()
        missed = []
        for target in targets:
            cron, timezone = crons_by_key[target]
            ticks = ticks_of_cron(cron, timezone)
            wanted |= ticks
            if not ticks <= fired:
                missed.append(target)
        schedules.append(
            {
                "name": schedule.name,
                "crons": list(schedule.cron_schedule)
                if not isinstance(schedule.cron_schedule, str)
                else [schedule.cron_schedule],
                "timezone": schedule.execution_timezone,
                "assets": targets,
                "missed_model_ticks": missed,
                "ticks_no_model_wants": len(fired - wanted),
                "ticks": len(fired),
            }
        )
    return {
        "assets": assets,
        "schedules": schedules,
        "load_seconds": load_seconds,
    }


if __name__ == "__main__":
    print(json.dumps({path: inspect(path) for path in sys.argv[1:]}, indent=1))
