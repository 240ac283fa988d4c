//! Differential test: `meshls index` against SQLMesh itself.
//!
//! For every SQLMesh project under `fixtures/` (a folder holding `config.yaml`, `config.yml` or
//! `config.py`), this runs `tests/differential/sqlmesh_dump.py` (SQLMesh's own static load of the
//! project) and `meshls index --format json`, and compares, model by model: the set of model
//! names, and each model's `kind`, `cron`, `time_column`, `depends_on` (as a sorted list) and
//! column names (in order). Every mismatch is printed (project, model, field, meshls value,
//! SQLMesh value) before the test fails.
//!
//! Two measures are compared column by column without failing on each difference, because
//! meshls only approximates them:
//! - column types: the share of columns typed by SQLMesh whose meshls type is the same string
//!   (case and spaces aside) is printed, and never fails the test;
//! - column lineage (`{"column": {"upstream.model": ["source_column", ...]}}`, one hop deep):
//!   every difference is printed, and the test fails when fewer than
//!   [`LINEAGE_MIN_AGREEMENT_PERCENT`] of the columns SQLMesh traced agree, over all projects.
//!
//! The models `docs/lineage.md` lists as deliberate differences (columns made by a Python
//! macro, which meshls never runs) may have no column list where SQLMesh has one; their
//! lineage is reported apart, and still counts toward the bar.
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

const CONFIG_FILES: [&str; 5] = ["config.yaml", "config.yml", "config.py", "sqlmesh.yaml", "sqlmesh.yml"];
const NO_DIFFERENTIAL_MARKER: &str = ".meshls-no-differential";
/// Per-model fields compared between the two sides.
const SCALAR_FIELDS: [&str; 3] = ["kind", "cron", "time_column"];
/// The column lineage agreement, over all projects, below which the test fails. Not 100: meshls
/// resolves lineage without SQLMesh's optimizer, and a rare corner (a column it cannot qualify)
/// should be visible in the report without blocking everything else.
const LINEAGE_MIN_AGREEMENT_PERCENT: usize = 98;

/// One column's lineage: upstream model → the columns of it that the column reads.
type Lineage = BTreeMap<String, BTreeSet<String>>;

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

/// How many columns were compared on a measure that does not fail column by column, and how
/// many agreed.
#[derive(Default, Clone, Copy)]
struct Tally {
    compared: usize,
    agreeing: usize,
}

impl Tally {
    fn add(&mut self, agrees: bool) {
        self.compared += 1;
        self.agreeing += usize::from(agrees);
    }

    fn merge(&mut self, other: Tally) {
        self.compared += other.compared;
        self.agreeing += other.agreeing;
    }

    /// What was added since `earlier`.
    fn minus(self, earlier: Tally) -> Tally {
        Tally { compared: self.compared - earlier.compared, agreeing: self.agreeing - earlier.agreeing }
    }

    /// `123/140 agree (87.9%)`; `0/0 agree (n/a)` when nothing was compared.
    fn describe(&self, unit: &str) -> String {
        let percent = if self.compared == 0 {
            "n/a".to_string()
        } else {
            format!("{:.1}%", self.agreeing as f64 * 100.0 / self.compared as f64)
        };
        let unit = if unit.is_empty() { String::new() } else { format!(" {unit}") };
        format!("{}/{}{unit} agree ({percent})", self.agreeing, self.compared)
    }

    /// Whether at least `percent` % agree. Nothing compared is not agreement: it means the
    /// comparison itself is broken.
    fn at_least(&self, percent: usize) -> bool {
        self.compared > 0 && self.agreeing * 100 >= self.compared * percent
    }
}

/// What comparing one project found.
#[derive(Default)]
struct ProjectReport {
    /// Hard failures: any one fails the test.
    mismatches: Vec<Mismatch>,
    /// Column lineage differences: all printed, failing only through the overall agreement.
    lineage_differences: Vec<Mismatch>,
    lineage: Tally,
    /// The lineage of the models `docs/lineage.md` lists as deliberate differences.
    deliberate: Tally,
    types: Tally,
}

/// The models `docs/lineage.md` lists under its deliberate differences, as
/// `(project, model)`: their column lists may be null where SQLMesh's are not (SQLMesh ran a
/// Python macro or rendered Jinja to know them), and their lineage is counted apart.
fn deliberate_differences() -> &'static [(String, String)] {
    static LISTED: std::sync::OnceLock<Vec<(String, String)>> = std::sync::OnceLock::new();
    LISTED.get_or_init(|| {
        let doc = std::fs::read_to_string(repo_root().join("docs/lineage.md")).unwrap_or_default();
        listed_models(&doc)
    })
}

/// The `| project | model | why |` rows of a markdown document whose project is a fixture.
fn listed_models(doc: &str) -> Vec<(String, String)> {
    doc.lines()
        .filter_map(|line| {
            let cells: Vec<&str> = line.split('|').map(|c| c.trim().trim_matches('`')).collect();
            match cells.as_slice() {
                ["", project, model, ..] if project.starts_with("fixtures/") => {
                    Some((project.to_string(), model.to_string()))
                }
                _ => None,
            }
        })
        .collect()
}

impl ProjectReport {
    /// A project that could not be compared at all.
    fn failed(mismatches: Vec<Mismatch>) -> Self {
        ProjectReport { mismatches, ..ProjectReport::default() }
    }
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

/// A JSON string as itself, anything else as its JSON (so a malformed entry still shows up).
fn text(value: &Value) -> String {
    value.as_str().map_or_else(|| value.to_string(), str::to_string)
}

/// `columns` as `(name, type)` pairs in order, or `None` when the side does not know the columns
/// (`null`). The type is `None` when unknown.
fn columns(model: &Value) -> Option<Vec<(String, Option<String>)>> {
    let Some(Value::Array(columns)) = model.get("columns") else {
        return None;
    };
    let column = |c: &Value| {
        let name = c.get("name").map_or_else(|| c.to_string(), text);
        (name, c.get("type").and_then(Value::as_str).map(str::to_string))
    };
    Some(columns.iter().map(column).collect())
}

fn column_names(model: &Value) -> Option<Vec<String>> {
    columns(model).map(|cols| cols.into_iter().map(|(name, _)| name).collect())
}

/// A type string as compared: `DECIMAL(10, 2)` and `decimal(10,2)` agree.
fn normalized_type(data_type: &str) -> String {
    data_type.chars().filter(|c| !c.is_whitespace()).collect::<String>().to_lowercase()
}

/// Columns that SQLMesh types and meshls lists too: how many of them meshls types the same.
fn type_agreement(ours: &Value, theirs: &Value) -> Tally {
    let mut tally = Tally::default();
    let (Some(ours), Some(theirs)) = (columns(ours), columns(theirs)) else {
        return tally;
    };
    for (name, their_type) in &theirs {
        let Some(their_type) = their_type else { continue };
        let Some((_, our_type)) = ours.iter().find(|(n, _)| n == name) else { continue };
        tally.add(our_type.as_deref().is_some_and(|t| normalized_type(t) == normalized_type(their_type)));
    }
    tally
}

/// One entry of a `lineage` object as a map of sets; anything but an object reads as no lineage.
/// SQLMesh names a table function's columns (`range(...) AS t(d)`) as read from the model `""`:
/// no model, so it is left out (docs/lineage.md).
fn lineage_of(entry: Option<&Value>) -> Lineage {
    let Some(Value::Object(upstream)) = entry else {
        return Lineage::new();
    };
    upstream
        .iter()
        .filter(|(model, _)| model.as_str() != "\"\"")
        .map(|(model, cols)| {
            let cols = match cols {
                Value::Array(items) => items.iter().map(text).collect(),
                other => BTreeSet::from([other.to_string()]),
            };
            (model.clone(), cols)
        })
        .collect()
}

/// `{"shop.orders":["id"]}`: the shape both sides print.
fn show_lineage(lineage: &Lineage) -> String {
    serde_json::to_string(lineage).unwrap_or_default()
}

/// `upstream.model.column` for each source column of `x` that `y` lacks.
fn only_in_lineage(x: &Lineage, y: &Lineage) -> Vec<String> {
    let mut out = Vec::new();
    for (model, cols) in x {
        for col in cols {
            if !y.get(model).is_some_and(|c| c.contains(col)) {
                out.push(format!("{model}.{col}"));
            }
        }
    }
    out
}

/// `x`, then what only `x` has when there is any: `{"a":["x","y"]} (only meshls: ["a.y"])`.
fn show_lineage_difference(x: &Lineage, y: &Lineage, side: &str) -> String {
    let extra = only_in_lineage(x, y);
    if extra.is_empty() { show_lineage(x) } else { format!("{} (only {side}: {extra:?})", show_lineage(x)) }
}

/// Compares the lineage of every column SQLMesh traced (a column meshls leaves out reads `{}`).
fn compare_lineage(project: &str, name: &str, ours: &Value, theirs: &Value, report: &mut ProjectReport) {
    let Some(Value::Object(their_lineage)) = theirs.get("lineage") else {
        return;
    };
    let our_lineage = ours.get("lineage");
    for (column, their_entry) in their_lineage {
        let b = lineage_of(Some(their_entry));
        let a = lineage_of(our_lineage.and_then(|l| l.get(column)));
        report.lineage.add(a == b);
        if a != b {
            report.lineage_differences.push(Mismatch {
                project: project.to_string(),
                model: name.to_string(),
                field: format!("lineage of column {column}"),
                meshls: show_lineage_difference(&a, &b, "meshls"),
                sqlmesh: show_lineage_difference(&b, &a, "SQLMesh"),
            });
        }
    }
}

/// Compares one model present on both sides.
fn compare_model(project: &str, name: &str, ours: &Value, theirs: &Value, report: &mut ProjectReport) {
    let mut mismatch = |field: &str, meshls: String, sqlmesh: String| {
        report.mismatches.push(Mismatch {
            project: project.to_string(),
            model: name.to_string(),
            field: field.to_string(),
            meshls,
            sqlmesh,
        });
    };
    for f in SCALAR_FIELDS {
        let (a, b) = (field(ours, f), field(theirs, f));
        if a != b {
            mismatch(f, a.to_string(), b.to_string());
        }
    }
    // A field meshls reports as `unknown` is set by code it does not run: it may only say less.
    let unknown = |f: &str| ours["unknown"].as_array().is_some_and(|u| u.iter().any(|v| v == f));
    let (a, b) = (dependency_list(ours), dependency_list(theirs));
    let fewer = unknown("depends_on") && a.iter().all(|d| b.contains(d));
    if a != b && !fewer {
        mismatch(
            "depends_on",
            format!("{a:?} (only meshls: {:?})", only(&a, &b)),
            format!("{b:?} (only SQLMesh: {:?})", only(&b, &a)),
        );
    }
    let deliberate = deliberate_differences().contains(&(project.to_string(), name.to_string()));
    let (a, b) = (column_names(ours), column_names(theirs));
    if a != b && !(deliberate && a.is_none()) {
        let describe = |x: &Option<Vec<String>>, y: &Option<Vec<String>>, side: &str| match (x, y) {
            (None, _) => "null".to_string(),
            (Some(x), None) => format!("{x:?}"),
            (Some(x), Some(y)) => format!("{x:?} (only {side}: {:?})", only(x, y)),
        };
        mismatch("columns", describe(&a, &b, "meshls"), describe(&b, &a, "SQLMesh"));
    }
    report.types.merge(type_agreement(ours, theirs));
    let counted = report.lineage;
    compare_lineage(project, name, ours, theirs, report);
    if deliberate {
        // Counted apart: move this model's figures from `lineage` to `deliberate`.
        let this = report.lineage.minus(counted);
        report.deliberate.merge(this);
        report.lineage = counted;
    }
}

fn compare_project(root: &Path, python: &Path, dumper: &Path) -> ProjectReport {
    let repo = repo_root();
    let project = root.strip_prefix(&repo).unwrap_or(root).display().to_string();
    let mut mismatches = Vec::new();

    // SQLMesh's side.
    let sqlmesh = match run(Command::new(python).arg(dumper).arg(root)) {
        Err(e) => return ProjectReport::failed(vec![problem(&project, "sqlmesh_dump.py", String::new(), e)]),
        Ok(output) => match serde_json::from_slice::<Value>(&output.stdout) {
            Ok(json) if output.status.success() => json,
            Ok(json) => {
                let messages: Vec<String> = match json.get("errors") {
                    Some(Value::Array(errors)) => {
                        errors.iter().map(|e| field(e, "message").as_str().unwrap_or("").to_string()).collect()
                    }
                    _ => Vec::new(),
                };
                return ProjectReport::failed(vec![problem(
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
                )]);
            }
            Err(e) => {
                return ProjectReport::failed(vec![problem(
                    &project,
                    "sqlmesh_dump.py output is not JSON",
                    String::new(),
                    format!("{e}\n{}", describe_failure(&output)),
                )]);
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
        Err(e) => return ProjectReport::failed(vec![problem(&project, "meshls index", e, String::new())]),
        Ok(output) => match serde_json::from_slice::<Value>(&output.stdout) {
            Ok(json) => json,
            Err(e) => {
                mismatches.push(problem(
                    &project,
                    "meshls index output is not JSON",
                    format!("{e}\n{}", describe_failure(&output)),
                    String::new(),
                ));
                return ProjectReport::failed(mismatches);
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
            return ProjectReport::failed(mismatches);
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

    let mut report = ProjectReport { mismatches, ..ProjectReport::default() };
    let names: BTreeSet<&String> = meshls_models.keys().chain(sqlmesh_models.keys()).collect();
    for name in names {
        let (ours, theirs) = match (meshls_models.get(name), sqlmesh_models.get(name)) {
            (Some(ours), Some(theirs)) => (ours, theirs),
            (ours, theirs) => {
                let describe = |m: Option<&Value>| match m {
                    Some(m) => format!("present ({})", field(m, "path")),
                    None => "missing".to_string(),
                };
                report.mismatches.push(Mismatch {
                    project: project.clone(),
                    model: name.clone(),
                    field: "model".to_string(),
                    meshls: describe(ours),
                    sqlmesh: describe(theirs),
                });
                continue;
            }
        };
        compare_model(&project, name, ours, theirs, &mut report);
    }
    report
}

/// `[project] model m: field f` followed by both values, one mismatch after another.
fn write_mismatches(out: &mut String, mismatches: &[Mismatch]) {
    for m in mismatches {
        let _ = writeln!(
            out,
            "[{}] model {}: field {}\n    meshls:  {}\n    SQLMesh: {}",
            m.project, m.model, m.field, m.meshls, m.sqlmesh
        );
    }
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
    let results: Mutex<Vec<(usize, ProjectReport)>> = Mutex::new(Vec::new());
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
    let mut lineage_report = String::new();
    let mut total = 0;
    let (mut lineage, mut types, mut deliberate) = (Tally::default(), Tally::default(), Tally::default());
    for (i, found) in &results {
        let root = roots[*i].strip_prefix(&repo).unwrap_or(&roots[*i]).display().to_string();
        let status = if found.mismatches.is_empty() {
            "ok".to_string()
        } else {
            format!("{} mismatch(es)", found.mismatches.len())
        };
        eprintln!("differential: {root}: {status}; column lineage {}", found.lineage.describe("columns"));
        total += found.mismatches.len();
        lineage.merge(found.lineage);
        deliberate.merge(found.deliberate);
        types.merge(found.types);
        write_mismatches(&mut report, &found.mismatches);
        write_mismatches(&mut lineage_report, &found.lineage_differences);
    }

    // Lineage differences are listed even when the agreement is high enough to pass.
    if !lineage_report.is_empty() {
        eprintln!("\ncolumn lineage differences (meshls vs SQLMesh):\n{lineage_report}");
    }
    eprintln!("column types: {}", types.describe(""));
    eprintln!("column lineage: {}", lineage.describe("columns"));
    let mut all = lineage;
    all.merge(deliberate);
    eprintln!(
        "column lineage of the models docs/lineage.md lists as deliberate differences: {}; all models: {}",
        deliberate.describe("columns"),
        all.describe("columns")
    );

    let mut failures = Vec::new();
    if total > 0 {
        failures.push(format!(
            "{total} mismatch(es) between `meshls index` and SQLMesh across {} project(s):\n{report}",
            roots.len()
        ));
    }
    // The bar holds over every column, the deliberate differences included.
    if !all.at_least(LINEAGE_MIN_AGREEMENT_PERCENT) {
        failures.push(format!(
            "column lineage: {}, below the required {LINEAGE_MIN_AGREEMENT_PERCENT}% (differences listed on stderr)",
            all.describe("columns")
        ));
    }
    if !failures.is_empty() {
        panic!("{}", failures.join("\n"));
    }
}
