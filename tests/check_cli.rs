//! `meshls check` through the binary: the three formats, the exit code, and `--fix`.

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
    assert!(text.starts_with("models/orders.sql:7:6: warning[unregistered-table] `raw.refunds`"), "{text}");
    assert!(text.contains("  | JOIN raw.refunds AS f ON f.order_id = r.id\n  |      ^^^^^^^^^^^\n"), "{text}");
    assert!(text.ends_with("1 warning\n"), "{text}");

    // JSON: the contract's keys, 0-based lines and UTF-16 characters.
    let json: Value = serde_json::from_slice(&check(&root, &["--format", "json"]).stdout).unwrap();
    let first = &json[0];
    let keys: Vec<&str> = first.as_object().unwrap().keys().map(String::as_str).collect();
    assert_eq!(keys, ["code", "fix", "message", "path", "range", "severity"]);
    assert_eq!(first["range"]["start"], serde_json::json!({"line": 6, "character": 5}));
    assert_eq!(first["severity"], "warning");

    // SARIF 2.1.0 with 1-based regions.
    let sarif: Value = serde_json::from_slice(&check(&root, &["--format", "sarif"]).stdout).unwrap();
    assert_eq!(sarif["version"], "2.1.0");
    let result = &sarif["runs"][0]["results"][0];
    assert_eq!(result["ruleId"], "unregistered-table");
    assert_eq!(result["locations"][0]["physicalLocation"]["region"]["startLine"], 7);

    // --fix declares the table, then nothing is left.
    let fixed = check(&root, &["--fix"]);
    assert_eq!(String::from_utf8(fixed.stdout).unwrap(), "no problems found\n");
    assert!(std::fs::read_to_string(root.join("external_models.yaml")).unwrap().ends_with("- name: raw.refunds\n"));

    // An error makes the exit code 1.
    std::fs::write(root.join("models/bad.sql"), "MODEL (name shop.bad, kind FULL, cron '@dayly');\nSELECT 1 AS x")
        .unwrap();
    assert_eq!(check(&root, &[]).status.code(), Some(1));
}
