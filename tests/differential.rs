//! Differential test: `meshls index` against SQLMesh itself.
//!
//! For every SQLMesh project under `fixtures/` (a folder holding `config.yaml`, `config.yml` or
//! `config.py`), this runs `tests/differential/sqlmesh_dump.py` (SQLMesh's own static load of the
//! project) and `meshls index --format json`, and compares, model by model: the set of model
//! names, and each model's `kind`, `cron`, `time_column` and `depends_on` (as a sorted list).
//! Every mismatch is printed (project, model, field, meshls value, SQLMesh value) before the test
//! fails.
//!
//! Python: `$MESHLS_PYTHON`, else `<repo>/.venv/bin/python` (made by `scripts/test`). Without
//! either the test is skipped with a loud message, unless `$CI` is set, where it fails.
//!
//! Exceptions: a folder named `broken*` or holding a `.meshls-no-differential` file is skipped,
//! with everything under it.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use serde_json::Value;

const CONFIG_FILES: [&str; 3] = ["config.yaml", "config.yml", "config.py"];
const NO_DIFFERENTIAL_MARKER: &str = ".meshls-no-differential";
/// Per-model fields compared between the two sides.
const SCALAR_FIELDS: [&str; 3] = ["kind", "cron", "time_column"];

fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The interpreter of the SQLMesh venv, or `None` when there is none.
fn find_python(repo: &Path) -> Option<PathBuf> {
    if let Some(explicit) = std::env::var_os("MESHLS_PYTHON").filter(|v| !v.is_empty()) {
        let explicit = PathBuf::from(explicit);
        // A bare name (`python3`) is looked up on PATH by `Command`.
        if explicit.components().count() == 1 || explicit.exists() {
            return Some(explicit);
        }
        eprintln!("warning: MESHLS_PYTHON={} does not exist; trying the repository's .venv", explicit.display());
    }
    let venv = if cfg!(windows) {
        repo.join(".venv").join("Scripts").join("python.exe")
    } else {
        repo.join(".venv").join("bin").join("python")
    };
    venv.exists().then_some(venv)
}

/// Project roots under `dir`, sorted. A project's own folders are not searched further.
fn project_roots(dir: &Path, out: &mut Vec<PathBuf>) {
    let name = dir.file_name().and_then(|n| n.to_str()).unwrap_or("");
    if name.starts_with("broken") || dir.join(NO_DIFFERENTIAL_MARKER).exists() {
        return;
    }
    if CONFIG_FILES.iter().any(|f| dir.join(f).is_file()) {
        out.push(dir.to_path_buf());
        return;
    }
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut children: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.is_dir())
        .filter(|p| {
            let n = p.file_name().and_then(|n| n.to_str()).unwrap_or("");
            !n.starts_with('.') && n != "__pycache__"
        })
        .collect();
    children.sort();
    for child in children {
        project_roots(&child, out);
    }
}

/// One problem found for one project: printed, and the test fails if there is any.
struct Mismatch {
    project: String,
    model: String,
    field: String,
    meshls: String,
    sqlmesh: String,
}

/// A project-level failure (a tool that crashed or printed something that is not JSON).
fn problem(project: &str, what: &str, meshls: String, sqlmesh: String) -> Mismatch {
    Mismatch { project: project.to_string(), model: "<project>".to_string(), field: what.to_string(), meshls, sqlmesh }
}

fn run(command: &mut Command) -> Result<Output, String> {
    command.output().map_err(|e| format!("could not start {command:?}: {e}"))
}

fn describe_failure(output: &Output) -> String {
    let stderr = String::from_utf8_lossy(&output.stderr);
    let stdout = String::from_utf8_lossy(&output.stdout);
    format!(
        "exit status {}\n--- stderr ---\n{}\n--- stdout ---\n{}",
        output.status,
        stderr.trim_end(),
        truncate(stdout.trim_end(), 4000)
    )
}

fn truncate(s: &str, max: usize) -> &str {
    if s.len() <= max {
        return s;
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}

/// `{"models": [...]}` keyed by model name. Duplicate names are reported.
fn models_by_name(
    models: &[Value],
    side: &str,
    project: &str,
    mismatches: &mut Vec<Mismatch>,
) -> BTreeMap<String, Value> {
    let mut by_name = BTreeMap::new();
    for model in models {
        let Some(name) = model.get("name").and_then(Value::as_str) else {
            mismatches.push(problem(
                project,
                &format!("{side}: model without a name"),
                model.to_string(),
                String::new(),
            ));
            continue;
        };
        if by_name.insert(name.to_string(), model.clone()).is_some() {
            mismatches.push(Mismatch {
                project: project.to_string(),
                model: name.to_string(),
                field: format!("{side}: duplicate model name"),
                meshls: String::new(),
                sqlmesh: String::new(),
            });
        }
    }
    by_name
}

fn field(model: &Value, name: &str) -> Value {
    model.get(name).cloned().unwrap_or(Value::Null)
}

/// `depends_on` as a sorted, deduplicated list of strings (non-strings kept as their JSON).
fn dependency_list(model: &Value) -> Vec<String> {
    let set: BTreeSet<String> = match model.get("depends_on") {
        Some(Value::Array(items)) => {
            items.iter().map(|v| v.as_str().map_or_else(|| v.to_string(), str::to_string)).collect()
        }
        _ => BTreeSet::new(),
    };
    set.into_iter().collect()
}

/// The entries of `x` that `y` lacks.
fn only(x: &[String], y: &[String]) -> Vec<String> {
    x.iter().filter(|d| !y.contains(d)).cloned().collect()
}

fn compare_project(root: &Path, python: &Path, dumper: &Path) -> Vec<Mismatch> {
    let repo = repo_root();
    let project = root.strip_prefix(&repo).unwrap_or(root).display().to_string();
    let mut mismatches = Vec::new();

    // SQLMesh's side.
    let sqlmesh = match run(Command::new(python).arg(dumper).arg(root)) {
        Err(e) => return vec![problem(&project, "sqlmesh_dump.py", String::new(), e)],
        Ok(output) => match serde_json::from_slice::<Value>(&output.stdout) {
            Ok(json) if output.status.success() => json,
            Ok(json) => {
                let messages: Vec<String> = match json.get("errors") {
                    Some(Value::Array(errors)) => {
                        errors.iter().map(|e| field(e, "message").as_str().unwrap_or("").to_string()).collect()
                    }
                    _ => Vec::new(),
                };
                return vec![problem(
                    &project,
                    "SQLMesh could not load the project",
                    String::new(),
                    format!(
                        "{}\n    (details: {} {} {})",
                        messages.join("\n"),
                        python.display(),
                        dumper.display(),
                        root.display()
                    ),
                )];
            }
            Err(e) => {
                return vec![problem(
                    &project,
                    "sqlmesh_dump.py output is not JSON",
                    String::new(),
                    format!("{e}\n{}", describe_failure(&output)),
                )];
            }
        },
    };
    if let Some(Value::Array(errors)) = sqlmesh.get("errors") {
        for error in errors {
            mismatches.push(Mismatch {
                project: project.clone(),
                model: error.get("model").and_then(Value::as_str).unwrap_or("<project>").to_string(),
                field: format!("SQLMesh error ({})", error.get("field").and_then(Value::as_str).unwrap_or("load")),
                meshls: String::new(),
                sqlmesh: field(error, "message").as_str().unwrap_or("").to_string(),
            });
        }
    }

    // meshls' side.
    let meshls_bin = env!("CARGO_BIN_EXE_meshls");
    let meshls = match run(Command::new(meshls_bin).args(["index", "--format", "json"]).arg(root)) {
        Err(e) => return vec![problem(&project, "meshls index", e, String::new())],
        Ok(output) => match serde_json::from_slice::<Value>(&output.stdout) {
            Ok(json) => json,
            Err(e) => {
                mismatches.push(problem(
                    &project,
                    "meshls index output is not JSON",
                    format!("{e}\n{}", describe_failure(&output)),
                    String::new(),
                ));
                return mismatches;
            }
        },
    };
    let projects = meshls.get("projects").and_then(Value::as_array).cloned().unwrap_or_default();
    let canonical_root = root.canonicalize().unwrap_or_else(|_| root.to_path_buf());
    let same_root = |p: &&Value| {
        p.get("root")
            .and_then(Value::as_str)
            .map(|r| Path::new(r).canonicalize().unwrap_or_else(|_| PathBuf::from(r)))
            .is_some_and(|r| r == canonical_root)
    };
    let meshls_project = match projects.iter().find(same_root) {
        Some(p) => p.clone(),
        None if projects.len() == 1 => projects[0].clone(),
        None => {
            mismatches.push(problem(
                &project,
                "meshls index: no project with this root",
                truncate(&meshls.to_string(), 2000).to_string(),
                root.display().to_string(),
            ));
            return mismatches;
        }
    };

    let empty = Vec::new();
    let meshls_models = models_by_name(
        meshls_project.get("models").and_then(Value::as_array).unwrap_or(&empty),
        "meshls",
        &project,
        &mut mismatches,
    );
    let sqlmesh_models = models_by_name(
        sqlmesh.get("models").and_then(Value::as_array).unwrap_or(&empty),
        "SQLMesh",
        &project,
        &mut mismatches,
    );

    let names: BTreeSet<&String> = meshls_models.keys().chain(sqlmesh_models.keys()).collect();
    for name in names {
        let (ours, theirs) = match (meshls_models.get(name), sqlmesh_models.get(name)) {
            (Some(ours), Some(theirs)) => (ours, theirs),
            (ours, theirs) => {
                let describe = |m: Option<&Value>| match m {
                    Some(m) => format!("present ({})", field(m, "path")),
                    None => "missing".to_string(),
                };
                mismatches.push(Mismatch {
                    project: project.clone(),
                    model: name.clone(),
                    field: "model".to_string(),
                    meshls: describe(ours),
                    sqlmesh: describe(theirs),
                });
                continue;
            }
        };
        for f in SCALAR_FIELDS {
            let (a, b) = (field(ours, f), field(theirs, f));
            if a != b {
                mismatches.push(Mismatch {
                    project: project.clone(),
                    model: name.clone(),
                    field: f.to_string(),
                    meshls: a.to_string(),
                    sqlmesh: b.to_string(),
                });
            }
        }
        let (a, b) = (dependency_list(ours), dependency_list(theirs));
        if a != b {
            mismatches.push(Mismatch {
                project: project.clone(),
                model: name.clone(),
                field: "depends_on".to_string(),
                meshls: format!("{a:?} (only meshls: {:?})", only(&a, &b)),
                sqlmesh: format!("{b:?} (only SQLMesh: {:?})", only(&b, &a)),
            });
        }
    }
    mismatches
}

#[test]
fn meshls_index_agrees_with_sqlmesh() {
    let repo = repo_root();
    let Some(python) = find_python(&repo) else {
        let message = "no SQLMesh venv: set MESHLS_PYTHON or create .venv (run scripts/test)";
        if std::env::var_os("CI").is_some() {
            panic!("differential test cannot run on CI: {message}");
        }
        eprintln!();
        eprintln!("################################################################");
        eprintln!("##  SKIPPED differential test: no SQLMesh venv (run scripts/test)");
        eprintln!("##  {message}");
        eprintln!("################################################################");
        eprintln!();
        return;
    };
    let dumper = repo.join("tests").join("differential").join("sqlmesh_dump.py");
    assert!(dumper.is_file(), "missing {}", dumper.display());

    let mut roots = Vec::new();
    project_roots(&repo.join("fixtures"), &mut roots);
    assert!(!roots.is_empty(), "no SQLMesh projects found under fixtures/");

    // Each project costs a few seconds of SQLMesh start-up: run them in parallel, report in order.
    let results: Mutex<Vec<(usize, Vec<Mismatch>)>> = Mutex::new(Vec::new());
    let next = AtomicUsize::new(0);
    let workers = std::thread::available_parallelism().map_or(2, |n| n.get()).min(roots.len());
    std::thread::scope(|scope| {
        for _ in 0..workers {
            scope.spawn(|| {
                loop {
                    let i = next.fetch_add(1, Ordering::SeqCst);
                    let Some(root) = roots.get(i) else { break };
                    let found = compare_project(root, &python, &dumper);
                    results.lock().unwrap().push((i, found));
                }
            });
        }
    });
    let mut results = results.into_inner().unwrap();
    results.sort_by_key(|(i, _)| *i);

    let mut report = String::new();
    let mut total = 0;
    for (i, mismatches) in &results {
        let root = roots[*i].strip_prefix(&repo).unwrap_or(&roots[*i]).display().to_string();
        if mismatches.is_empty() {
            eprintln!("differential: {root}: ok");
            continue;
        }
        eprintln!("differential: {root}: {} mismatch(es)", mismatches.len());
        total += mismatches.len();
        for m in mismatches {
            let _ = writeln!(
                report,
                "[{}] model {}: field {}\n    meshls:  {}\n    SQLMesh: {}",
                m.project, m.model, m.field, m.meshls, m.sqlmesh
            );
        }
    }
    if total > 0 {
        panic!("{total} mismatch(es) between `meshls index` and SQLMesh across {} project(s):\n{report}", roots.len());
    }
}
