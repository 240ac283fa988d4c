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
