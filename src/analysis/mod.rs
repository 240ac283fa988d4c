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

pub use crate::project::ParsedFile;
use crate::project::Project;
use std::path::Path;
use std::sync::Arc;

/// `text` parsed as the file at `path` of `project` (once per version of an open buffer);
/// None when the path is no project file.
pub fn parse(project: &Project, path: &Path, text: &str) -> Option<Arc<ParsedFile>> {
    project.parsed(path, text)
}
