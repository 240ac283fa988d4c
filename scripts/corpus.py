#!/usr/bin/env python3
"""Compare meshls with SQLMesh itself on real SQLMesh projects.

Usage:
    scripts/corpus [--json OUT] [--details] [--filter NAME] [--fresh] [--timeout S]
                   [--list FILE] [DIR...]

Each DIR (and each line of a ``--list`` FILE: one project root per line, ``#`` comments and
blank lines skipped, relative paths taken from the file's folder) is a SQLMesh project root.
For each project, in parallel with two workers:

1. SQLMesh's static load, ``tests/differential/sqlmesh_dump.py DIR`` run by ``$MESHLS_PYTHON``
   (else ``<repo>/.venv/bin/python``), with a timeout (``--timeout``, 600 s). Its JSON is cached
   in ``${XDG_CACHE_HOME:-~/.cache}/meshls-corpus/``, keyed by the project's absolute path, the
   size and mtime of its files (hidden folders and ``__pycache__`` aside), the interpreter and
   the dump script and its pins; ``--fresh`` ignores the cache. Nothing is written inside the
   project.
2. ``meshls index --format json DIR`` and ``meshls check --format json DIR`` (the binary is
   ``$MESHLS_BIN``, else ``target/release/meshls``, else ``target/debug/meshls``). When meshls
   finds several projects under DIR, the one whose root is DIR is compared; when none is, the
   models of all of them are merged. Diagnostics are counted over everything under DIR.
3. The comparison, normalized as ``tests/differential.rs`` does: models by canonical name; a
   found model is *equal* when ``kind``, ``cron``, ``time_column``, ``depends_on`` (as a set) and
   ``start`` agree (``start`` compared as a datetime when both sides parse as one, so
   ``2024-01-01`` equals ``2024-01-01T00:00:00``; else as lowercase text). Column lists (names,
   in order) are counted over every SQLMesh model whose columns SQLMesh knows (a missing model
   counts as a disagreement); a found model that is not equal only in fields meshls reports as
   ``unknown`` (set by code it does not run, such as a ``start`` computed in Python) is counted
   as *unknown* instead; lineage over every column SQLMesh traced on a found model, each
   column's ``{upstream model: {source columns}}`` compared whole.

A markdown table is printed (one row per project and a TOTAL row); the last column says whether
SQLMesh loaded the project cleanly (exit 0, no errors). ``--details`` then lists every
mismatch (at most 20 lineage differences per project) and every meshls error and warning;
``--json OUT`` writes the whole comparison. ``--filter NAME`` keeps the projects whose folder
name contains NAME (case-insensitively). Exits 0, or 2 when a tool is missing.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import datetime as dt
import hashlib
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DUMPER = REPO / "tests" / "differential" / "sqlmesh_dump.py"
REQUIREMENTS = REPO / "tests" / "differential" / "requirements.txt"
CACHE = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "meshls-corpus"
MESHLS_TIMEOUT = 300
LINEAGE_DETAILS = 20
SKIPPED_DIRS = {"__pycache__", "node_modules"}


# --- tools -------------------------------------------------------------------------------


def find_tool(env: str, candidates: list[Path]) -> Path | None:
    """`$env` (a path, or a name looked up on PATH), else the first candidate that exists."""
    explicit = os.environ.get(env)
    if explicit:
        found = shutil.which(explicit)
        return Path(found) if found else None
    return next((c for c in candidates if c.exists()), None)


def run(cmd: list, timeout: float, cwd: Path | None = None) -> tuple[int | None, str, str]:
    """(exit status or None on timeout, stdout, stderr)."""
    env = dict(os.environ, PYTHONDONTWRITEBYTECODE="1")
    try:
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, cwd=cwd, env=env)
    except subprocess.TimeoutExpired:
        return None, "", f"timed out after {timeout:.0f} s"
    except OSError as e:
        return 127, "", str(e)
    return p.returncode, p.stdout, p.stderr


def signature(root: Path, python: Path) -> str:
    """A cache key: the root, every file's size and mtime, the interpreter, the dumper."""
    h = hashlib.sha256(f"{root}\0{python}\0".encode())
    for tool in (DUMPER, REQUIREMENTS):
        h.update(tool.read_bytes() if tool.exists() else b"")
    for folder, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if not d.startswith(".") and d not in SKIPPED_DIRS)
        for name in sorted(files):
            path = Path(folder, name)
            try:
                st = path.stat()
            except OSError:
                continue
            h.update(f"{path.relative_to(root)}\0{st.st_size}\0{st.st_mtime_ns}\n".encode())
    return h.hexdigest()[:32]


def sqlmesh_side(root: Path, python: Path, timeout: float, fresh: bool) -> dict:
    """{"status": exit status | None, "dump": sqlmesh_dump's JSON | None, "stderr", "cached"}."""
    cache = CACHE / f"{signature(root, python)}.json"
    if not fresh and cache.exists():
        try:
            return dict(json.loads(cache.read_text()), cached=True)
        except ValueError:
            pass
    status, out, err = run([str(python), str(DUMPER), str(root)], timeout)
    try:
        dump = json.loads(out)
    except ValueError:
        dump = None
    result = {"status": status, "dump": dump, "stderr": err[-4000:]}
    if dump is not None and status in (0, 2):  # deterministic outcomes only
        CACHE.mkdir(parents=True, exist_ok=True)
        tmp = cache.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(json.dumps(result))
        tmp.replace(cache)
    return dict(result, cached=False)


def meshls_side(root: Path, meshls: Path) -> dict:
    """{"projects": [roots], "models": [...], "diagnostics": [...], "problems": [...]}."""
    side: dict = {"projects": [], "models": [], "diagnostics": [], "problems": []}
    status, out, err = run([str(meshls), "index", "--format", "json", str(root)], MESHLS_TIMEOUT)
    try:
        projects = json.loads(out)["projects"]
    except (ValueError, KeyError, TypeError):
        side["problems"].append(f"meshls index: exit {status}: {err.strip()[-2000:]}")
        projects = []
    same = [p for p in projects if Path(p.get("root", "")).resolve() == root]
    chosen = same or projects
    side["projects"] = [p.get("root") for p in chosen]
    side["models"] = [m for p in chosen for m in p.get("models", [])]
    # Paths relative to the project root: run from there.
    status, out, err = run([str(meshls), "check", "--format", "json", str(root)], MESHLS_TIMEOUT, cwd=root)
    try:
        side["diagnostics"] = [d for d in json.loads(out) if d.get("severity") in ("error", "warning")]
    except (ValueError, TypeError, AttributeError):
        side["problems"].append(f"meshls check: exit {status}: {err.strip()[-2000:]}")
    return side


# --- comparison --------------------------------------------------------------------------


def normalized_start(value) -> str | None:
    """`2024-01-01`, `'2024-01-01 00:00:00'` and `2024-01-01T00:00:00` agree; else lowercase text."""
    if value is None:
        return None
    text = str(value).strip().strip("'\"").strip()
    try:
        moment = dt.datetime.fromisoformat(text)
    except ValueError:
        return " ".join(text.lower().split())
    if moment.tzinfo is not None and moment.utcoffset() == dt.timedelta(0):
        moment = moment.replace(tzinfo=None)
    return moment.isoformat()


def facts(model: dict) -> dict:
    """The fields a found model must agree on, normalized."""
    return {
        "kind": model.get("kind"),
        "cron": model.get("cron"),
        "start": normalized_start(model.get("start")),
        "time_column": model.get("time_column"),
        "depends_on": sorted(set(model.get("depends_on") or [])),
    }


def column_names(model: dict) -> list | None:
    cols = model.get("columns")
    return None if cols is None else [c.get("name") for c in cols]


def lineage_of(entry) -> dict:
    # SQLMesh names a table function's columns as read from the model `""`: no model, left out.
    return {up: sorted(set(cols)) for up, cols in (entry or {}).items() if up != '""'}


def by_name(models: list) -> tuple[dict, list]:
    """Models keyed by name (the first of each name), and the duplicated names."""
    out: dict = {}
    duplicates = []
    for m in models:
        if m.get("name") in out:
            duplicates.append(m.get("name"))
        else:
            out[m.get("name")] = m
    return out, duplicates


def compare(root: Path, sqlmesh: dict, meshls: dict) -> dict:
    dump = sqlmesh["dump"] or {}
    errors = dump.get("errors") or []
    ours, our_duplicates = by_name(meshls["models"])
    theirs, _ = by_name(dump.get("models") or [])
    found = [n for n in theirs if n in ours]
    r: dict = {
        "root": str(root),
        "sqlmesh": {
            "status": "timeout" if sqlmesh["status"] is None else sqlmesh["status"],
            "clean": sqlmesh["status"] == 0 and sqlmesh["dump"] is not None and not errors,
            "cached": sqlmesh["cached"],
            "errors": errors,
            "stderr": "" if sqlmesh["dump"] is not None else sqlmesh["stderr"],
        },
        "meshls": {"projects": meshls["projects"], "problems": meshls["problems"]},
        "sqlmesh_models": len(theirs),
        "meshls_models": len(ours),
        "found": len(found),
        "equal": 0,
        "unknown": 0,
        "columns": {"equal": 0, "total": 0},
        "lineage": {"equal": 0, "total": 0},
        "errors": sum(d["severity"] == "error" for d in meshls["diagnostics"]),
        "warnings": sum(d["severity"] == "warning" for d in meshls["diagnostics"]),
        "missing": [{"name": n, "path": theirs[n].get("path")} for n in theirs if n not in ours],
        "extra": [{"name": n, "path": ours[n].get("path")} for n in ours if n not in theirs],
        "duplicates": our_duplicates,
        "field_diffs": [],
        "column_diffs": [],
        "lineage_diffs": [],
        "diagnostics": meshls["diagnostics"],
    }
    for name, their in theirs.items():
        our = ours.get(name)
        their_cols = column_names(their)
        if their_cols is not None:
            r["columns"]["total"] += 1
        if our is None:
            continue
        a, b = facts(our), facts(their)
        diffs = [{"model": name, "field": f, "meshls": a[f], "sqlmesh": b[f]} for f in a if a[f] != b[f]]
        for d in diffs:  # show the values as written, not as normalized
            if d["field"] == "start":
                d["meshls"], d["sqlmesh"] = our.get("start"), their.get("start")
        r["field_diffs"] += diffs
        r["equal"] += not diffs
        unknowable = set(our.get("unknown") or [])
        for d in diffs:
            d["unknown"] = d["field"] in unknowable
        r["unknown"] += bool(diffs) and all(d["unknown"] for d in diffs)
        if their_cols is not None:
            our_cols = column_names(our)
            if our_cols == their_cols:
                r["columns"]["equal"] += 1
            else:
                r["column_diffs"].append({"model": name, "meshls": our_cols, "sqlmesh": their_cols})
        our_lineage = our.get("lineage") or {}
        for column, entry in (their.get("lineage") or {}).items():
            pair = {"meshls": lineage_of(our_lineage.get(column)), "sqlmesh": lineage_of(entry)}
            r["lineage"]["total"] += 1
            if pair["meshls"] == pair["sqlmesh"]:
                r["lineage"]["equal"] += 1
            else:
                r["lineage_diffs"].append({"model": name, "column": column, **pair})
    return r


def compare_project(root: Path, python: Path, meshls: Path, timeout: float, fresh: bool) -> dict:
    started = time.monotonic()
    sqlmesh = sqlmesh_side(root, python, timeout, fresh)
    result = compare(root, sqlmesh, meshls_side(root, meshls))
    result["seconds"] = round(time.monotonic() - started, 1)
    return result


# --- report ------------------------------------------------------------------------------

COLUMNS = ["project", "sqlmesh models", "found", "equal", "unknown", "columns eq/total", "lineage eq/total",
           "errors", "warnings", "sqlmesh load"]


def load_status(r: dict) -> str:
    s = r["sqlmesh"]
    if s["clean"]:
        return "clean"
    if s["status"] == 0:
        return f"{len(s['errors'])} error(s)"
    return "timeout" if s["status"] == "timeout" else f"failed (exit {s['status']})"


def row(name: str, r: dict, status: str) -> list:
    ratio = lambda t: f"{t['equal']}/{t['total']}"  # noqa: E731
    return [name, r["sqlmesh_models"], r["found"], r["equal"], r["unknown"], ratio(r["columns"]),
            ratio(r["lineage"]), r["errors"], r["warnings"], status]


def totals(results: list) -> dict:
    total: dict = {"columns": {"equal": 0, "total": 0}, "lineage": {"equal": 0, "total": 0}}
    for key in ("sqlmesh_models", "meshls_models", "found", "equal", "unknown", "errors", "warnings"):
        total[key] = sum(r[key] for r in results)
    for key in ("columns", "lineage"):
        for part in ("equal", "total"):
            total[key][part] = sum(r[key][part] for r in results)
    total["clean"] = sum(r["sqlmesh"]["clean"] for r in results)
    return total


def print_table(results: list, names: list, total: dict) -> None:
    rows = [row(n, r, load_status(r)) for n, r in zip(names, results)]
    rows.append(row("TOTAL", total, f"{total['clean']}/{len(results)} clean"))
    rows = [[str(c) for c in r] for r in rows]
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(COLUMNS)]
    line = lambda cells: "| " + " | ".join(  # noqa: E731
        c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(cells, widths))) + " |"
    print(line(COLUMNS))
    print("|" + "|".join(("-" * (w + 1) + ":") if i else "-" * (w + 2) for i, w in enumerate(widths)) + "|")
    for r in rows:
        print(line(r))


def print_details(name: str, r: dict) -> None:
    print(f"\n## {name} ({r['root']})")
    s = r["sqlmesh"]
    for e in s["errors"]:
        print(f"  SQLMesh error: {e.get('model') or '<project>'} {e.get('field') or ''}: {e.get('message')}")
    if s["stderr"]:
        print(f"  SQLMesh dump failed: {s['stderr'].strip()[-1500:]}")
    for p in r["meshls"]["problems"]:
        print(f"  meshls problem: {p}")
    if len(r["meshls"]["projects"]) != 1:
        print(f"  meshls projects compared: {r['meshls']['projects']}")
    for m in r["missing"]:
        print(f"  missing in meshls: {m['name']} ({m['path']})")
    for m in r["extra"]:
        print(f"  extra in meshls:   {m['name']} ({m['path']})")
    for n in r["duplicates"]:
        print(f"  duplicate in meshls: {n}")
    for d in r["field_diffs"]:
        ours = "unknown (set by code)" if d.get("unknown") else json.dumps(d["meshls"])
        print(f"  {d['model']}: {d['field']}: meshls {ours} vs SQLMesh {json.dumps(d['sqlmesh'])}")
    for d in r["column_diffs"]:
        a, b = d["meshls"], d["sqlmesh"]
        only = ""
        if a is not None:
            only = f" (only meshls: {[c for c in a if c not in b]}; only SQLMesh: {[c for c in b if c not in a]})"
        print(f"  {d['model']}: columns: meshls {json.dumps(a)} vs SQLMesh {json.dumps(b)}{only}")
    for d in r["lineage_diffs"][:LINEAGE_DETAILS]:
        print(f"  {d['model']}.{d['column']}: lineage: meshls {json.dumps(d['meshls'])} "
              f"vs SQLMesh {json.dumps(d['sqlmesh'])}")
    if len(r["lineage_diffs"]) > LINEAGE_DETAILS:
        print(f"  ... and {len(r['lineage_diffs']) - LINEAGE_DETAILS} more lineage difference(s)")
    for d in r["diagnostics"]:
        line = d["range"]["start"]["line"] + 1
        print(f"  {d['path']}:{line}: {d['severity']}[{d['code']}] {d['message']}")


def display_names(roots: list) -> list:
    """Folder names, with the parent's when two projects share one."""
    names = [r.name for r in roots]
    return [f"{r.parent.name}/{r.name}" if names.count(r.name) > 1 else r.name for r in roots]


# --- main --------------------------------------------------------------------------------


def project_roots(args) -> list:
    roots = [Path(d) for d in args.dirs]
    for listing in args.list or []:
        base = Path(listing).resolve().parent
        for raw in Path(listing).read_text().splitlines():
            entry = raw.split("#", 1)[0].strip()
            if entry:
                roots.append(base / entry)
    out = []
    for root in roots:
        root = root.resolve()
        if not root.is_dir():
            print(f"corpus: skipping {root}: not a directory", file=sys.stderr)
        elif (not args.filter or args.filter.lower() in root.name.lower()) and root not in out:
            out.append(root)
    return out


def main(argv: list) -> int:
    parser = argparse.ArgumentParser(prog="scripts/corpus", description=__doc__.split("\n\n")[0])
    parser.add_argument("dirs", nargs="*", metavar="DIR", help="SQLMesh project roots")
    parser.add_argument("--list", action="append", metavar="FILE", help="a file of project roots, one per line")
    parser.add_argument("--json", metavar="OUT", help="write the whole comparison as JSON")
    parser.add_argument("--details", action="store_true", help="list every mismatch and diagnostic")
    parser.add_argument("--filter", metavar="NAME", help="only projects whose folder name contains NAME")
    parser.add_argument("--fresh", action="store_true", help="ignore the cached SQLMesh dumps")
    parser.add_argument("--timeout", type=float, default=600, metavar="S", help="SQLMesh load timeout (600)")
    args = parser.parse_args(argv)

    python = find_tool("MESHLS_PYTHON", [REPO / ".venv" / "bin" / "python"])
    meshls = find_tool("MESHLS_BIN", [REPO / "target" / "release" / "meshls", REPO / "target" / "debug" / "meshls"])
    if python is None or not DUMPER.exists():
        what = f"MESHLS_PYTHON={os.environ['MESHLS_PYTHON']} not found" if os.environ.get("MESHLS_PYTHON") \
            else f"no SQLMesh venv ({REPO / '.venv'})" if DUMPER.exists() else f"missing {DUMPER}"
        print(f"corpus: {what}: run scripts/test once, or set MESHLS_PYTHON, or build the venv:\n"
              f"  python3 -m venv {REPO}/.venv && {REPO}/.venv/bin/pip install -r {REQUIREMENTS}",
              file=sys.stderr)
        return 2
    if meshls is None:
        print("corpus: no meshls binary: set MESHLS_BIN or run `cargo build --release`", file=sys.stderr)
        return 2
    roots = project_roots(args)
    if not roots:
        print("corpus: no project to compare", file=sys.stderr)
        return 0

    results: list = [None] * len(roots)
    with concurrent.futures.ThreadPoolExecutor(max_workers=2) as pool:
        jobs = {pool.submit(compare_project, root, python, meshls, args.timeout, args.fresh): i
                for i, root in enumerate(roots)}
        for done, job in enumerate(concurrent.futures.as_completed(jobs), 1):
            i = jobs[job]
            results[i] = job.result()
            cached = " (SQLMesh cached)" if results[i]["sqlmesh"]["cached"] else ""
            print(f"corpus: [{done}/{len(roots)}] {roots[i]}: {results[i]['seconds']} s{cached}", file=sys.stderr)

    names = display_names(roots)
    total = totals(results)
    print_table(results, names, total)
    if args.details:
        for name, r in zip(names, results):
            print_details(name, r)
    if args.json:
        payload = {"meshls": str(meshls), "python": str(python), "total": total,
                   "projects": [dict(r, project=n) for n, r in zip(names, results)]}
        Path(args.json).write_text(json.dumps(payload, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
