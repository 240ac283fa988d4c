//! Editor questions answered as plain data: positions are byte offsets into the file's text,
//! answers are structs the server (or the CLI) converts. Each feature is one module with one
//! entry function.

pub mod check;
pub mod code_action;
pub mod code_lens;
pub mod completion;
pub mod diagnostics;
pub mod highlight;
pub mod hover;
pub mod inlay;
pub mod lineage;
pub mod navigation;
pub mod recheck;
pub mod references;
pub mod rename;
pub mod signature;
pub mod symbols;

use crate::project::facts::{FileFacts, Syntax, parse_file};
use crate::project::{Project, workspace::role_of};
use std::path::Path;

/// A file of a project, parsed from the text the editor has (or the disk's).
pub struct ParsedFile {
    pub facts: FileFacts,
    pub syntax: Syntax,
}

/// Parses `text` as the file at `path` of `project`; None when the path is no project file.
pub fn parse(project: &Project, path: &Path, text: &str) -> Option<ParsedFile> {
    let role = role_of(&project.root, path)?;
    let (facts, syntax) = parse_file(&project.settings, path, role, text.as_bytes());
    Some(ParsedFile { facts, syntax })
}
