//! Real Dagster on the modules `meshls generate dagster` writes (issue #14).
//!
//! - For every fixture project SQLMesh loads (the differential test's set): the module is what
//!   `ruff format` leaves, `dagster definitions validate` passes on it, and, loaded in Python,
//!   its `Definitions` have exactly the assets, dependencies, checks, groups and schedules that
//!   `meshls index --format json` says the project has. Each schedule fires at every cron tick
//!   of its models and at no other time (Dagster's own tick iterator against croniter, as
//!   SQLMesh reads crons, over two days that cross a daylight-saving change).
//! - A real run on `fixtures/dagster/shop` (DuckDB): `dagster.materialize` runs SQLMesh; the
//!   tables hold rows, the checks report what the audits found, and the model downstream of
//!   the failing blocking audit is not materialized; a second run materializes nothing, as
//!   no interval is due.
//!
//! Python: `$MESHLS_DAGSTER_PYTHON`, else `<repo>/.venv-dagster/bin/python` (pinned dagster and
//! sqlmesh of `tests/dagster/requirements.txt`, built by `scripts/test`). Without it the tests
//! fail: they never pass by skipping.

#[path = "support/fixture.rs"]
mod fixture;

use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::Instant;

const CONFIG_FILES: [&str; 5] = ["config.yaml", "config.yml", "config.py", "sqlmesh.yaml", "sqlmesh.yml"];

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn python() -> PathBuf {
    let python = std::env::var_os("MESHLS_DAGSTER_PYTHON")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .unwrap_or_else(|| repo().join(".venv-dagster/bin/python"));
    assert!(
        python.exists(),
        "no Dagster venv at {}: run scripts/test (it builds it from tests/dagster/requirements.txt) or set \
         MESHLS_DAGSTER_PYTHON",
        python.display()
    );
    python
}

fn run(command: &mut Command) -> Output {
    let output = command.output().unwrap_or_else(|e| panic!("cannot run {command:?}: {e}"));
    assert!(
        output.status.success(),
        "{command:?} failed ({}):\n{}\n{}",
        output.status,
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    output
}

fn generate(project: &Path, module: &Path) {
    run(Command::new(env!("CARGO_BIN_EXE_meshls")).args(["generate", "dagster"]).arg(project).arg("-o").arg(module));
}

/// The fixture projects SQLMesh loads, as the differential test finds them.
fn project_roots(dir: &Path, out: &mut Vec<PathBuf>) {
    let name = dir.file_name().and_then(|n| n.to_str()).unwrap_or("");
    if name.starts_with("broken") || dir.join(".meshls-no-differential").exists() {
        return;
    }
    if CONFIG_FILES.iter().any(|f| dir.join(f).is_file()) {
        out.push(dir.to_path_buf());
        return;
    }
    let mut children: Vec<PathBuf> = std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.is_dir() && !p.file_name().and_then(|n| n.to_str()).unwrap_or("").starts_with('.'))
        .collect();
    children.sort();
    for child in children {
        project_roots(&child, out);
    }
}

/// `a.b` or `"a b".c` → `a/b`, `a_b/c`: the default key, segments as Dagster names.
fn key_of(name: &str) -> String {
    let mut parts = vec![String::new()];
    let mut quoted = false;
    for c in name.chars() {
        match c {
            '"' => quoted = !quoted,
            '.' if !quoted => parts.push(String::new()),
            c => parts.last_mut().unwrap().push(if c.is_ascii_alphanumeric() || c == '_' { c } else { '_' }),
        }
    }
    parts.join("/")
}

/// What the Definitions must hold, from `meshls index --format json` (not from the plan).
fn expected(project: &Path) -> Value {
    let index = run(Command::new(env!("CARGO_BIN_EXE_meshls")).args(["index", "--format", "json"]).arg(project));
    let index: Value = serde_json::from_slice(&index.stdout).unwrap();
    let models = index["projects"][0]["models"].as_array().unwrap();
    let is_model = |name: &str| models.iter().any(|m| m["name"] == name && m["source"] != "external");
    let mut assets = BTreeMap::new();
    let mut schedules: BTreeMap<String, (BTreeSet<String>, BTreeSet<String>)> = BTreeMap::new();
    for model in models {
        let name = model["name"].as_str().unwrap();
        let deps: Vec<&str> = model["depends_on"].as_array().unwrap().iter().map(|d| d.as_str().unwrap()).collect();
        for dep in deps.iter().filter(|d| !is_model(d)) {
            assets.insert(key_of(dep), serde_json::json!({"materializable": false, "deps": []}));
        }
        if !is_model(name) {
            assets.insert(key_of(name), serde_json::json!({"materializable": false, "deps": []}));
            continue;
        }
        let tags: Vec<&str> = model["tags"].as_array().unwrap().iter().map(|t| t.as_str().unwrap()).collect();
        let schema = key_of(name).split('/').rev().nth(1).unwrap_or("default").to_string();
        let group = tags.iter().find_map(|t| t.strip_prefix("dagster:group_name:")).map_or(schema, str::to_string);
        let mut seen = BTreeMap::new();
        let mut checks: Vec<String> = model["audits"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| {
                let audit = a.as_str().unwrap();
                let n = seen.entry(audit.to_string()).or_insert(0);
                *n += 1;
                if *n == 1 { audit.to_string() } else { format!("{audit}_{n}") }
            })
            .collect();
        checks.sort();
        let mut dep_keys: Vec<String> = deps.iter().map(|d| key_of(d)).collect();
        dep_keys.sort();
        dep_keys.dedup();
        assets.insert(
            key_of(name),
            serde_json::json!({"materializable": true, "deps": dep_keys, "group": group, "checks": checks}),
        );
        if let Some(cron) = meshls::codegen::cron::five_field(model["cron"].as_str().unwrap()) {
            // The index does not print `cron_tz`; the module's metadata says it (compared below).
            let zone = schedules.entry(String::new()).or_default();
            zone.0.insert(cron);
            zone.1.insert(key_of(name));
        }
    }
    serde_json::json!({"assets": assets, "crons": schedules.get("").map(|s| (&s.0, &s.1))})
}

#[test]
fn every_fixture_loads_in_dagster_as_meshls_reads_it() {
    let python = python();
    let mut roots = Vec::new();
    project_roots(&repo().join("fixtures"), &mut roots);
    assert!(roots.len() > 10, "{roots:?}");
    let dir = tempfile::tempdir().unwrap();
    let mut modules = Vec::new();
    let started = Instant::now();
    for (i, root) in roots.iter().enumerate() {
        let name = root.strip_prefix(repo().join("fixtures")).unwrap().to_string_lossy().replace(['/', '\\', '-'], "_");
        let module = dir.path().join(format!("m{i:02}_{name}.py"));
        generate(root, &module);
        modules.push(module);
    }
    eprintln!("generated {} modules in {:.2?}", modules.len(), started.elapsed());

    // What ruff format leaves.
    let ruff = python.with_file_name("ruff");
    run(Command::new(&ruff).args(["format", "--check", "--no-cache", "--isolated"]).args(&modules));

    let started = Instant::now();
    let mut validate = Command::new(python.with_file_name("dagster"));
    validate.args(["definitions", "validate"]).current_dir(dir.path());
    for module in &modules {
        validate.arg("-f").arg(module);
    }
    run(&mut validate);
    eprintln!("dagster definitions validate on {} modules: {:.2?}", modules.len(), started.elapsed());

    let started = Instant::now();
    let inspected = run(Command::new(&python).arg(repo().join("tests/dagster/inspect_defs.py")).args(&modules));
    eprintln!("loaded and inspected in Python: {:.2?}", started.elapsed());
    let inspected: Value = serde_json::from_slice(&inspected.stdout).unwrap();
    let mut problems = Vec::new();
    for (root, module) in roots.iter().zip(&modules) {
        let found = &inspected[module.to_string_lossy().as_ref()];
        let want = expected(root);
        let project = root.strip_prefix(repo()).unwrap().display().to_string();
        let got_assets = found["assets"].as_object().unwrap();
        let want_assets = want["assets"].as_object().unwrap();
        let got_keys: BTreeSet<&String> = got_assets.keys().collect();
        let want_keys: BTreeSet<&String> = want_assets.keys().collect();
        if got_keys != want_keys {
            problems.push(format!("{project}: asset keys {got_keys:?}, meshls index says {want_keys:?}"));
            continue;
        }
        for (key, want) in want_assets {
            let got = &got_assets[key];
            let mut got_checks: Vec<&str> =
                got["checks"].as_array().unwrap().iter().map(|c| c["name"].as_str().unwrap()).collect();
            got_checks.sort();
            let fields = [
                ("materializable", got["materializable"].clone(), want["materializable"].clone()),
                ("deps", got["deps"].clone(), want["deps"].clone()),
                ("group", got["group"].clone(), want.get("group").cloned().unwrap_or(got["group"].clone())),
                ("checks", serde_json::json!(got_checks), want.get("checks").cloned().unwrap_or(serde_json::json!([]))),
                ("automation", got["has_automation"].clone(), serde_json::json!(want["materializable"] == true)),
            ];
            for (field, got, want) in fields {
                if got != want {
                    problems.push(format!("{project}: {key}: {field} is {got}, meshls index says {want}"));
                }
            }
        }
        // Schedules: every model's cron in one of them, every model in exactly one, and every
        // schedule firing at exactly its models' ticks.
        let schedules = found["schedules"].as_array().unwrap();
        let mut crons = BTreeSet::new();
        let mut targets = Vec::new();
        for schedule in schedules {
            crons.extend(schedule["crons"].as_array().unwrap().iter().map(|c| c.as_str().unwrap().to_string()));
            targets.extend(schedule["assets"].as_array().unwrap().iter().map(|a| a.as_str().unwrap().to_string()));
            if !schedule["missed_model_ticks"].as_array().unwrap().is_empty() || schedule["ticks_no_model_wants"] != 0 {
                problems.push(format!("{project}: schedule {schedule}: its ticks are not its models' ticks"));
            }
        }
        targets.sort();
        let (want_crons, want_targets) = match want["crons"].as_array() {
            Some(pair) => (
                pair[0].as_array().unwrap().iter().map(|c| c.as_str().unwrap().to_string()).collect(),
                pair[1].as_array().unwrap().iter().map(|c| c.as_str().unwrap().to_string()).collect(),
            ),
            None => (BTreeSet::new(), Vec::new()),
        };
        if crons != want_crons || targets != want_targets {
            problems.push(format!(
                "{project}: schedules fire at {crons:?} for {targets:?}; meshls index says {want_crons:?} for \
                 {want_targets:?}"
            ));
        }
    }
    assert!(problems.is_empty(), "{} problems:\n{}", problems.len(), problems.join("\n"));
}

#[test]
fn timetable_fires_at_every_models_cron_in_its_time_zone() {
    let python = python();
    let dir = tempfile::tempdir().unwrap();
    let module = dir.path().join("timetable.py");
    generate(&repo().join("fixtures/dagster/timetable"), &module);
    let inspected = run(Command::new(&python).arg(repo().join("tests/dagster/inspect_defs.py")).arg(&module));
    let inspected: Value = serde_json::from_slice(&inspected.stdout).unwrap();
    let schedules = &inspected[module.to_string_lossy().as_ref()]["schedules"];
    let summary: Vec<(String, Value, String, usize)> = schedules
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            assert_eq!(s["missed_model_ticks"], serde_json::json!([]), "{s}");
            assert_eq!(s["ticks_no_model_wants"], 0, "{s}");
            (
                s["name"].as_str().unwrap().to_string(),
                s["crons"].clone(),
                s["timezone"].as_str().unwrap().to_string(),
                s["ticks"].as_u64().unwrap() as usize,
            )
        })
        .collect();
    // `0 * * * *` and `@hourly` are one cron; `15 * * * *` is not aligned with them, and a
    // single "finest granularity" schedule would miss it. New York's 06:00 stays 06:00 across
    // the change to daylight-saving time (2024-03-10).
    assert_eq!(
        summary,
        [
            (
                "sqlmesh_schedule_america_new_york".to_string(),
                serde_json::json!(["0 6 * * *"]),
                "America/New_York".to_string(),
                2
            ),
            (
                "sqlmesh_schedule_utc".to_string(),
                serde_json::json!(["0 * * * *", "0 0 * * *", "15 * * * *"]),
                "UTC".to_string(),
                96
            ),
        ]
    );
}

#[test]
fn a_real_run_materializes_what_sqlmesh_ran_and_reports_the_audits() {
    let python = python();
    // A copy: SQLMesh writes its cache into the project's folder.
    let (dir, shop) = fixture::fixture("dagster/shop");
    let module = dir.path().join("shop_defs.py");
    generate(&shop, &module);
    let work = dir.path().join("work");
    std::fs::create_dir_all(&work).unwrap();
    let started = Instant::now();
    let output = Command::new(&python)
        .arg(repo().join("tests/dagster/run_shop.py"))
        .arg(&module)
        .arg(&work)
        .current_dir(&work)
        .output()
        .unwrap();
    eprintln!("two Dagster runs of SQLMesh: {:.2?}", started.elapsed());
    let stdout = String::from_utf8_lossy(&output.stdout);
    let Some(result) = stdout.lines().find_map(|l| l.strip_prefix("RESULT ")) else {
        panic!("no result ({}):\n{stdout}\n{}", output.status, String::from_utf8_lossy(&output.stderr));
    };
    let result: Value = serde_json::from_str(result).unwrap();
    let check =
        |asset: &str, name: &str, passed: bool, severity: &str| serde_json::json!([asset, name, passed, severity]);
    assert_eq!(
        result["runs"][0],
        serde_json::json!({
            // The blocking audit failed: the step fails, and what is below it is not run.
            "success": false,
            "materialized": ["shop/customers", "shop/orders", "shop/products"],
            "checks": [
                check("shop/customers", "not_null", true, "ERROR"),
                check("shop/customers", "unique_values_non_blocking", false, "WARN"),
                check("shop/order_totals", "assert_positive_totals", false, "ERROR"),
                check("shop/orders", "not_null", true, "ERROR"),
            ],
        }),
        "{result}"
    );
    // Again: no interval of the models that ran is due, so none is materialized; the failed
    // model's interval still is, and it fails again.
    assert_eq!(
        result["runs"][1],
        serde_json::json!({
            "success": false,
            "materialized": [],
            "checks": [check("shop/order_totals", "assert_positive_totals", false, "ERROR")],
        }),
        "{result}"
    );
    assert_eq!(
        result["rows"],
        serde_json::json!({"orders": 3, "customers": 2, "products": 3, "order_totals": 3, "top_customers": 0}),
        "{result}"
    );
}
