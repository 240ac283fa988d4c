//! `meshls check` through the binary: the three formats, the exit code, and `--fix` (safe and
//! unsafe fixes, `--diff`, idempotence, and nothing written when a fix would add an error).

#[path = "support/fixture.rs"]
mod fixture;

use serde_json::Value;
use std::path::Path;
use std::process::{Command, Output};

fn check(root: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_meshls")).arg("check").args(args).arg(root).current_dir(root).output().unwrap()
}

#[test]
fn formats_exit_codes_and_fix() {
    let (_dir, root) = fixture::fixture("rules/unregistered-table");

    // Warnings only: exit 0, one line per finding with the source line and a marker.
    let human = check(&root, &[]);
    assert_eq!(human.status.code(), Some(0));
    let text = String::from_utf8(human.stdout).unwrap();
    assert!(text.contains("\nmodels/orders.sql:7:6: warning[unregistered-table] `raw.refunds`"), "{text}");
    assert!(text.contains("  | JOIN raw.refunds AS f ON f.order_id = r.id\n  |      ^^^^^^^^^^^\n"), "{text}");
    assert!(text.ends_with("1 info, 1 warning\n"), "{text}");

    // JSON: the contract's keys, 0-based lines and UTF-16 characters, and says so.
    let json: Value = serde_json::from_slice(&check(&root, &["--format", "json"]).stdout).unwrap();
    let first = json.as_array().unwrap().iter().find(|d| d["code"] == "unregistered-table").unwrap();
    let keys: Vec<&str> = first.as_object().unwrap().keys().map(String::as_str).collect();
    assert_eq!(keys, ["code", "fix", "message", "path", "range", "severity"]);
    assert_eq!(first["range"]["start"], serde_json::json!({"line": 6, "character": 5}));
    assert_eq!(first["range"]["zero_based"], true);
    assert_eq!(first["severity"], "warning");
    assert_eq!(first["fix"]["safe"], false);
    assert_eq!(first["fix"]["applicability"], "unsafe");

    // SARIF 2.1.0 with 1-based regions.
    let sarif: Value = serde_json::from_slice(&check(&root, &["--format", "sarif"]).stdout).unwrap();
    assert_eq!(sarif["version"], "2.1.0");
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    let result = results.iter().find(|r| r["ruleId"] == "unregistered-table").unwrap();
    assert_eq!(result["ruleId"], "unregistered-table");
    assert_eq!(result["locations"][0]["physicalLocation"]["region"]["startLine"], 7);

    // Declaring the table edits another file: not a safe fix, so `--fix` leaves it.
    let external = std::fs::read_to_string(root.join("external_models.yaml")).unwrap();
    let fixed = check(&root, &["--fix"]);
    assert_eq!(fixed.status.code(), Some(0));
    assert!(String::from_utf8(fixed.stdout).unwrap().contains("warning[unregistered-table]"));
    assert_eq!(std::fs::read_to_string(root.join("external_models.yaml")).unwrap(), external);

    // `--diff` shows it without writing, and exits 1 because there is a change.
    let diff = check(&root, &["--diff", "--unsafe-fixes"]);
    assert_eq!(diff.status.code(), Some(1));
    let text = String::from_utf8(diff.stdout).unwrap();
    assert!(text.starts_with("--- a/external_models.yaml\n+++ b/external_models.yaml\n"), "{text}");
    assert!(text.contains("\n+- name: raw.refunds\n"), "{text}");
    assert_eq!(std::fs::read_to_string(root.join("external_models.yaml")).unwrap(), external);

    // `--unsafe-fixes` applies it, once.
    let fixed = check(&root, &["--fix", "--unsafe-fixes"]);
    assert_eq!(fixed.status.code(), Some(0));
    assert!(!String::from_utf8(fixed.stdout).unwrap().contains("warning"));
    let declared = std::fs::read_to_string(root.join("external_models.yaml")).unwrap();
    assert_eq!(declared, format!("{external}- name: raw.refunds\n"));
    // A second run changes nothing.
    let again = check(&root, &["--fix", "--unsafe-fixes"]);
    assert!(String::from_utf8(again.stderr).unwrap().is_empty());
    assert_eq!(std::fs::read_to_string(root.join("external_models.yaml")).unwrap(), declared);
    assert_eq!(check(&root, &["--diff", "--unsafe-fixes"]).status.code(), Some(0));

    // An error makes the exit code 1.
    std::fs::write(root.join("models/bad.sql"), "MODEL (name shop.bad, kind FULL, cron '@dayly');\nSELECT 1 AS x")
        .unwrap();
    assert_eq!(check(&root, &[]).status.code(), Some(1));
}

/// `--fix` is all or nothing: when the fixed text would have an error the project did not
/// have, no file is written and stderr says which error.
#[test]
fn fix_writes_nothing_when_it_would_add_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    std::fs::create_dir_all(root.join("models")).unwrap();
    std::fs::write(root.join("config.yaml"), "model_defaults:\n  dialect: duckdb\n  start: '2024-01-01'\n").unwrap();
    let external = "- name: raw.a\n  columns:\n    id: int\n    amount: int\n- name: raw.b\n  columns:\n    id: int\n    amount: int\n";
    std::fs::write(root.join("external_models.yaml"), external).unwrap();
    // `amout` is a typo; the column meant, `amount`, is in both tables: the guess (an unsafe
    // fix) would make the reference ambiguous, a new error.
    let model = "MODEL (name shop.joined, kind FULL);\nSELECT amout FROM raw.a JOIN raw.b ON a.id = b.id\n";
    std::fs::write(root.join("models/joined.sql"), model).unwrap();

    let before = check(root, &[]);
    assert_eq!(before.status.code(), Some(1));
    assert!(String::from_utf8(before.stdout).unwrap().contains("error[unknown-column]"));

    let refused = check(root, &["--fix", "--unsafe-fixes"]);
    assert_eq!(refused.status.code(), Some(1));
    let stderr = String::from_utf8(refused.stderr).unwrap();
    assert!(
        stderr.starts_with("meshls: --fix wrote nothing: after the 1 fix, the project would have 1 new error:\n"),
        "{stderr}"
    );
    assert!(stderr.contains("models/joined.sql:2:8: error[ambiguous-column]"), "{stderr}");
    assert_eq!(std::fs::read_to_string(root.join("models/joined.sql")).unwrap(), model);
    assert_eq!(check(root, &["--diff", "--unsafe-fixes"]).status.code(), Some(1));
    assert_eq!(std::fs::read_to_string(root.join("models/joined.sql")).unwrap(), model);
}
