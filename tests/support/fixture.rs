//! Fixture projects copied into temp folders, so tests can edit them freely.
#![allow(dead_code)] // each test file uses its own part of this module

use std::path::{Path, PathBuf};

/// Copies the folder `from` to `to`, recursively.
pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

/// A temp copy of `fixtures/<name>`: the folder (kept alive by the guard) and the project root.
pub fn fixture(name: &str) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join(name);
    copy_dir(&Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures").join(name), &root);
    (dir, root)
}

/// A case written indented in a raw string, without its common indentation and surrounding
/// blank lines, ending with one newline.
pub fn trim_indent(text: &str) -> String {
    let lines: Vec<&str> = text.trim_matches('\n').lines().collect();
    let indent = lines.iter().filter(|l| !l.trim().is_empty()).map(|l| l.len() - l.trim_start().len()).min();
    let indent = indent.unwrap_or(0);
    let mut out: Vec<&str> = lines.iter().map(|l| l.get(indent..).unwrap_or("")).collect();
    while out.last().is_some_and(|l| l.trim().is_empty()) {
        out.pop();
    }
    out.join("\n") + "\n"
}

/// A case model `cases.<name>`: its path under the project root and its file, from `text`, its
/// query (or the whole file when it starts with `MODEL`).
pub fn case_model(name: &str, text: &str) -> (String, String) {
    let text = trim_indent(text);
    let file = if text.starts_with("MODEL") {
        text
    } else {
        format!("MODEL (\n  name cases.{name},\n  kind FULL\n);\n\n{text}")
    };
    (format!("models/cases/{name}.sql"), file)
}
