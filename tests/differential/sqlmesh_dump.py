#!/usr/bin/env python3
"""Dump what SQLMesh itself knows about a project's models, as JSON.

Usage: python sqlmesh_dump.py PROJECT_ROOT

The project is loaded statically (``Context(paths=root)``: no plan, no run, no state) and
one JSON document is printed on stdout, in the shape of one project of
``meshls index --format json``:

    {"root": "...", "default_catalog": "memory" | null,
     "models": [{"name", "path", "source", "kind", "dialect", "cron", "start",
                 "time_column", "depends_on", "columns", "lineage", "audits", "tags"}, ...],
     "errors": [{"model": "..." | null, "field": "..." | null, "message": "..."}],
     "warnings": ["..."]}

``columns`` is ``[{"name", "type"}]`` in the order of ``model.columns_to_types`` (null when
SQLMesh does not know the columns). ``lineage`` is SQLMesh's column lineage, one hop deep:

    {"output_column": {"upstream.model": ["source_column", ...], ...}, ...}

one entry per output column (the keys of ``columns_to_types``, in order), computed with
``sqlmesh.core.lineage.column_dependencies`` (what ``sqlmesh`` uses for column descriptions):
the upstream models are canonical names, the source columns are sorted, and an output column
that reads no upstream column (a literal, ``COUNT(*)``) maps to ``{}``. It is ``{}`` for
python, seed and external models (no query to trace) and when ``columns_to_types`` is null. A
column whose lineage fails is left out and its error is listed under "errors" (field
``lineage[column]``).

Canonical names: SQLMesh's fully qualified, normalized name, without the catalog when it
equals the project's default catalog (case-insensitively); each part bare when it matches
``^[A-Za-z_][A-Za-z0-9_]*$``, else double-quoted with inner quotes doubled; joined with ".".

``path`` is relative to the project root (for an external model, the YAML file that declares
it when SQLMesh records one, else null). Everything SQLMesh prints while loading goes to
stderr, so stdout holds only the JSON. A model whose facts cannot be computed is listed under
"errors" and keeps the fields that could be; a project that fails to load exits with status 2
and an "errors" entry with model null.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import sys
import tempfile
import traceback
import typing as t
from pathlib import Path

BARE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def _isolate_environment(tmp: str) -> None:
    """Keep the user's ~/.sqlmesh config and the project's .cache folder out of the picture.

    Must run before sqlmesh is imported (SQLMESH_HOME is read at import time).
    """
    os.environ["SQLMESH_HOME"] = os.path.join(tmp, "home")
    os.environ["SQLMESH__CACHE_DIR"] = os.path.join(tmp, "cache")
    os.environ["SQLMESH__DISABLE_ANONYMIZED_ANALYTICS"] = "true"
    # Never pick up settings meant for some other SQLMesh invocation.
    for key in list(os.environ):
        if key.upper().startswith("SQLMESH__") and key.upper() not in {
            "SQLMESH__CACHE_DIR",
            "SQLMESH__DISABLE_ANONYMIZED_ANALYTICS",
        }:
            del os.environ[key]


def render_part(part: str) -> str:
    return part if BARE.match(part) else '"' + part.replace('"', '""') + '"'


def canonical_name(fqn: str, default_catalog: t.Optional[str]) -> str:
    """`"memory"."core"."rentals"` -> `core.rentals` (default catalog memory)."""
    from sqlglot import exp

    table = exp.to_table(fqn)  # SQLMesh renders fqns with sqlglot's default dialect
    parts = [p.name for p in table.parts]
    if (
        len(parts) == 3
        and default_catalog is not None
        and parts[0].lower() == default_catalog.lower()
    ):
        parts = parts[1:]
    return ".".join(render_part(p) for p in parts)


def relative_path(path: t.Optional[Path], root: Path) -> t.Optional[str]:
    if path is None:
        return None
    path = Path(path)
    try:
        return path.resolve().relative_to(root).as_posix()
    except ValueError:
        return path.as_posix()


def time_value(value: t.Any) -> t.Optional[str]:
    if value is None:
        return None
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def model_facts(context: t.Any, model: t.Any, root: Path, errors: list) -> dict:
    """One model's facts. ``context`` must hold every model: lineage reads the upstream ones."""
    from sqlmesh.core.model.kind import ModelKindName

    default_catalog = context.default_catalog

    name = canonical_name(model.fqn, default_catalog)
    facts: dict = {
        "name": name,
        "path": relative_path(getattr(model, "_path", None), root),
        "source": model.source_type,
        "kind": None,
        "dialect": model.dialect or None,
        "cron": None,
        "start": None,
        "time_column": None,
        "depends_on": [],
        "columns": None,
        "lineage": {},
        "audits": [],
        "tags": [],
    }

    def report(field: str, ex: Exception) -> None:
        errors.append({"model": name, "field": field, "message": f"{type(ex).__name__}: {ex}".strip()})

    def attempt(field: str, compute: t.Callable[[], t.Any]) -> None:
        try:
            facts[field] = compute()
        except Exception as ex:  # report and keep going
            report(field, ex)

    def kind() -> str:
        k = model.kind.name
        return k.value if isinstance(k, ModelKindName) else str(k)

    def time_column() -> t.Optional[str]:
        if model.kind.name != ModelKindName.INCREMENTAL_BY_TIME_RANGE:
            return None
        return model.kind.time_column.column.name

    def depends_on() -> list:
        return sorted(canonical_name(dep, default_catalog) for dep in model.depends_on)

    def columns() -> t.Optional[list]:
        cols = model.columns_to_types
        if cols is None:
            return None
        out = []
        for col, dtype in cols.items():
            if dtype is None or dtype.this == dtype.Type.UNKNOWN:
                out.append({"name": col, "type": None})
            else:
                out.append({"name": col, "type": dtype.sql(dialect=model.dialect)})
        return out

    attempt("kind", kind)
    attempt("cron", lambda: str(model.cron) if model.cron is not None else None)
    attempt("start", lambda: time_value(model.start))
    attempt("time_column", time_column)
    attempt("depends_on", depends_on)
    attempt("columns", columns)
    attempt("lineage", lambda: lineage(context, model, default_catalog, report))
    attempt("audits", lambda: [audit_name for audit_name, _args in model.audits])
    attempt("tags", lambda: list(model.tags))
    return facts


def column_lineage(context: t.Any, model: t.Any, column: str, default_catalog: t.Optional[str]) -> dict:
    """``{"upstream.model": ["source_column", ...]}`` for one output column of ``model``.

    ``column`` comes from ``columns_to_types``, already normalized for the model's dialect: it is
    passed as a quoted identifier so that lineage does not normalize it again (``ISBN`` must stay
    ``ISBN`` under Snowflake, ``GuideId`` must not become ``guideid``). ``exp.column`` rather than
    ``exp.to_column``: the latter parses its argument as SQL, so a name with a dot or a space, or
    one that is a keyword, would not come out as one identifier.
    """
    from sqlglot import exp
    from sqlmesh.core.lineage import column_dependencies

    parents = column_dependencies(context, model.fqn, exp.column(column, quoted=True))
    upstream = {canonical_name(fqn, default_catalog): sorted(cols) for fqn, cols in parents.items()}
    return dict(sorted(upstream.items()))


def lineage(
    context: t.Any,
    model: t.Any,
    default_catalog: t.Optional[str],
    report: t.Callable[[str, Exception], None],
) -> dict:
    """Every output column's lineage (see ``column_lineage``), in ``columns_to_types`` order.

    A column whose lineage cannot be computed is reported (field ``lineage[column]``) and left
    out, so the other columns are still compared.
    """
    if model.source_type != "sql" or model.columns_to_types is None:
        return {}
    out = {}
    for column in model.columns_to_types:
        try:
            out[column] = column_lineage(context, model, column, default_catalog)
        except Exception as ex:  # report and keep going
            report(f"lineage[{column}]", ex)
    return out


def dump(root: Path) -> t.Tuple[dict, int]:
    from sqlmesh.core.console import NoopConsole, set_console
    from sqlmesh.core.context import Context

    warnings: list = []

    class CollectingConsole(NoopConsole):
        def log_warning(self, short_message: str, long_message: t.Optional[str] = None) -> None:
            warnings.append(str(long_message or short_message))

        def log_error(self, message: str, *args: t.Any, **kwargs: t.Any) -> None:
            warnings.append("error: " + str(message))

    set_console(CollectingConsole())

    result: dict = {
        "root": str(root),
        "default_catalog": None,
        "models": [],
        "errors": [],
        "warnings": warnings,
    }
    try:
        context = Context(paths=str(root), load_state=False)
        default_catalog = context.default_catalog
    except Exception as ex:
        result["errors"].append(
            {
                "model": None,
                "field": None,
                "message": f"{type(ex).__name__}: {ex}",
                "traceback": traceback.format_exc(),
            }
        )
        return result, 2

    result["default_catalog"] = default_catalog
    models = []
    for model in context.models.values():
        try:
            models.append(model_facts(context, model, root, result["errors"]))
        except Exception as ex:
            result["errors"].append(
                {"model": getattr(model, "fqn", None), "field": None, "message": f"{type(ex).__name__}: {ex}"}
            )
    models.sort(key=lambda m: m["name"])
    result["models"] = models
    return result, 0


def main(argv: t.List[str]) -> int:
    if len(argv) != 2:
        print(__doc__, file=sys.stderr)
        return 64
    root = Path(argv[1]).resolve()
    if not root.is_dir():
        print(f"not a directory: {root}", file=sys.stderr)
        return 64

    sys.dont_write_bytecode = True  # no __pycache__ inside the project's macros/ or models/
    tmp = tempfile.mkdtemp(prefix="sqlmesh_dump_")
    _isolate_environment(tmp)

    # Whatever SQLMesh (or a library below it) prints goes to stderr; stdout is the JSON only.
    sys.stdout.flush()
    json_out = os.fdopen(os.dup(1), "w", encoding="utf-8")
    os.dup2(2, 1)
    real_stdout = sys.stdout
    sys.stdout = sys.stderr
    try:
        result, status = dump(root)
    finally:
        sys.stdout.flush()
        sys.stdout = real_stdout
        shutil.rmtree(tmp, ignore_errors=True)
    json.dump(result, json_out, indent=2, default=str)
    json_out.write("\n")
    json_out.flush()
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv))
