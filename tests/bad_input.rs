//! Bad files give diagnostics, never a crash, and the rest of the project still indexes.
//! Runs the real binary (`meshls index --format json`) on projects written into a temp folder.

use serde_json::Value;
use std::fs;
use std::path::Path;
use std::process::Command;

fn write(root: &Path, relative: &str, content: impl AsRef<[u8]>) {
    let path = root.join(relative);
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    fs::write(path, content).unwrap();
}

/// `meshls index --format json` on `root`: the parsed output, after checking that it exited
/// without a crash.
fn index(root: &Path) -> Value {
    let output =
        Command::new(env!("CARGO_BIN_EXE_meshls")).args(["index", "--format", "json"]).arg(root).output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!stderr.contains("panicked"), "meshls panicked:\n{stderr}");
    assert!(output.status.code().is_some(), "meshls was killed by a signal:\n{stderr}");
    serde_json::from_slice(&output.stdout).unwrap_or_else(|e| panic!("not JSON ({e}):\n{stderr}"))
}

/// The parts of an index worth a snapshot: model names and kinds, diagnostics in a line each.
fn summary(index: &Value) -> String {
    let mut out = String::new();
    for project in index["projects"].as_array().unwrap() {
        out.push_str("models:\n");
        for model in project["models"].as_array().unwrap() {
            out.push_str(&format!("  {} {} <- {}\n", model["name"], model["kind"], model["depends_on"]));
        }
        out.push_str("diagnostics:\n");
        for d in project["diagnostics"].as_array().unwrap() {
            let start = &d["range"]["start"];
            let end = &d["range"]["end"];
            // Paths outside the project (a missing config names the root) are printed as `<root>`.
            let path = d["path"].as_str().unwrap();
            let path = if path.starts_with('/') { "<root>" } else { path };
            out.push_str(&format!(
                "  {path}:{}:{}-{}:{} {} [{}] {}\n",
                start["line"],
                start["character"],
                end["line"],
                end["character"],
                d["severity"],
                d["code"],
                d["message"]
            ));
        }
    }
    for d in index["diagnostics"].as_array().unwrap() {
        out.push_str(&format!("workspace: {} [{}] {}\n", d["severity"], d["code"], d["message"]));
    }
    out
}

#[test]
fn bad_files_give_diagnostics_and_the_rest_indexes() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(root, "config.yaml", "model_defaults:\n  dialect: duckdb\n  start: '2024-01-01'\n");
    write(root, "models/good.sql", "MODEL (name shop.good, kind FULL);\nSELECT id FROM shop.upstream");
    write(root, "models/upstream.sql", "MODEL (name shop.upstream);\nSELECT 1 AS id");
    write(root, "models/invalid_utf8.sql", b"MODEL (name shop.bad_bytes);\nSELECT '\xff\xfe' AS x".as_slice());
    write(root, "models/binary.sql", b"MODEL (name shop.binary);\0\0\x01\x02".as_slice());
    write(root, "models/unterminated.sql", "MODEL (\n  name shop.unterminated,\n  kind FULL\n");
    write(root, "models/unknown_kind.sql", "MODEL (name shop.unknown_kind, kind INCREMENTAL_BY_MAGIC);\nSELECT 1 AS x");
    write(root, "models/broken_sql.sql", "MODEL (name shop.broken_sql);\nSELECT a,, FROM shop.upstream JOIN");
    let nested_query = format!("MODEL (name shop.nested_query);\nSELECT {}1{} AS x", "(".repeat(500), ")".repeat(500));
    write(root, "models/nested_query.sql", nested_query);
    let nested_block =
        format!("MODEL (name shop.nested_block, tags {}a{});\nSELECT 1 AS x", "(".repeat(500), ")".repeat(500));
    write(root, "models/nested_block.sql", nested_block);
    let mut huge = String::from("MODEL (name shop.huge);\nSELECT 1 AS x\n");
    while huge.len() < 10 * 1024 * 1024 {
        huge.push_str("-- padding padding padding padding padding padding padding padding padding\n");
    }
    write(root, "models/huge.sql", huge);
    write(root, "external_models.yaml", "- name: raw.ok\n  columns:\n    id: int\n- name: [not, a, name]\n");
    write(
        root,
        "models/python_broken.py",
        "from sqlmesh import model\n\n@model(\"shop.py_broken\", columns={\"a\": \"int\"\ndef execute(",
    );
    #[cfg(unix)]
    std::os::unix::fs::symlink(root.join("models"), root.join("models/loop")).unwrap();

    let index = index(root);
    insta::assert_snapshot!(summary(&index));
}

#[test]
fn a_folder_without_config_still_indexes() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "models/a.sql", "MODEL (name s.a);\nSELECT 1 AS x");
    insta::assert_snapshot!(summary(&index(dir.path())));
}

#[test]
fn a_folder_without_any_project_says_so() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "notes.txt", "nothing here");
    insta::assert_snapshot!(summary(&index(dir.path())));
}
