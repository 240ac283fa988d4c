//! `meshls check --fix --unsafe-fixes` never makes a project worse for SQLMesh itself: every
//! rule fixture with fixes is loaded by SQLMesh (`tests/differential/sqlmesh_dump.py`) before
//! and after the fixes, and must load at least as cleanly after (same exit status or better, no
//! more errors, no models lost).
//!
//! Python: `$MESHLS_PYTHON`, else `<repo>/.venv/bin/python` (made by `scripts/test`). Without
//! either the test is skipped with a loud message, unless `$CI` is set, where it fails.

#[path = "support/fixture.rs"]
mod fixture;

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn python() -> Option<PathBuf> {
    if let Some(explicit) = std::env::var_os("MESHLS_PYTHON").filter(|v| !v.is_empty()) {
        return Some(PathBuf::from(explicit));
    }
    let venv = repo().join(".venv/bin/python");
    venv.exists().then_some(venv)
}

/// SQLMesh's load of `root`: its exit status, error count and model count.
fn sqlmesh_load(python: &Path, root: &Path) -> (Option<i32>, usize, usize) {
    let output = Command::new(python)
        .arg(repo().join("tests/differential/sqlmesh_dump.py"))
        .arg(root)
        .output()
        .expect("run the SQLMesh dump");
    let dump: Value = serde_json::from_slice(&output.stdout).unwrap_or(Value::Null);
    let count = |key: &str| dump[key].as_array().map_or(0, Vec::len);
    (output.status.code(), count("errors"), count("models"))
}

fn meshls(root: &Path, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_meshls")).arg("check").args(args).arg(root).current_dir(root).output().unwrap()
}

#[test]
fn fixed_projects_load_in_sqlmesh_at_least_as_cleanly() {
    let Some(python) = python() else {
        let message = "no SQLMesh venv: set MESHLS_PYTHON or create .venv (run scripts/test)";
        assert!(std::env::var_os("CI").is_none(), "fix_sqlmesh cannot run on CI: {message}");
        eprintln!("\nSKIPPED fix_sqlmesh: {message}\n");
        return;
    };
    let fixtures = repo().join("fixtures/rules");
    let mut roots: Vec<PathBuf> = Vec::new();
    for case in std::fs::read_dir(&fixtures).unwrap().map(|e| e.unwrap().path()).filter(|p| p.is_dir()) {
        // A fixture is a project, or a folder of projects (`end-before-start/plain`).
        if case.join("config.yaml").exists() {
            roots.push(case);
        } else {
            roots.extend(
                std::fs::read_dir(&case).unwrap().map(|e| e.unwrap().path()).filter(|p| p.join("config.yaml").exists()),
            );
        }
    }
    roots.sort();
    let mut checked = 0;
    for source in roots {
        let name = source.strip_prefix(&fixtures).unwrap().to_string_lossy().to_string();
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join(&name);
        fixture::copy_dir(&source, &root);
        // Only fixtures that a fix changes.
        if meshls(&root, &["--diff", "--unsafe-fixes"]).status.code() != Some(1) {
            continue;
        }
        let before = sqlmesh_load(&python, &root);
        let fixed = meshls(&root, &["--fix", "--unsafe-fixes"]);
        let stderr = String::from_utf8_lossy(&fixed.stderr);
        if stderr.contains("wrote nothing") {
            continue;
        }
        let after = sqlmesh_load(&python, &root);
        let status_rank = |s: Option<i32>| if s == Some(0) { 0 } else { 1 };
        assert!(
            status_rank(after.0) <= status_rank(before.0) && after.1 <= before.1 && after.2 >= before.2,
            "{name}: SQLMesh loads the fixed project less cleanly: before (status, errors, models) {before:?}, \
             after {after:?}\n{stderr}"
        );
        // And a second run changes nothing.
        assert_eq!(meshls(&root, &["--diff", "--unsafe-fixes"]).status.code(), Some(0), "{name}: not idempotent");
        checked += 1;
    }
    assert!(checked > 0, "no fixture has a fix");
}
