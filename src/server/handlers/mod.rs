//! One file per LSP method, or per group of methods on one thing. A request is declared as a
//! [`BackgroundRequest`](super::schedule::BackgroundRequest): its name, its document, and the
//! work that converts, asks `analysis` and converts back. A notification is a function that
//! changes the state before its first `.await`, so that changes apply in arrival order.
//! Below: what the handlers share (an open document parsed, locations, fix edits).

pub mod code_action;
pub mod code_lens;
pub mod completion;
pub mod configuration;
pub mod debug;
pub mod definition;
pub mod diagnostics;
pub mod execute_command;
pub mod highlight;
pub mod hover;
pub mod initialize;
pub mod inlay_hint;
pub mod lineage;
pub mod references;
pub mod rename;
pub mod signature_help;
pub mod symbols;
pub mod text_sync;
pub mod workspace;

use super::backend::Backend;
use super::convert::{range, workspace_edit};
use super::path_of;
use crate::analysis;
use crate::project::Project;
use crate::syntax::line_index::LineIndex;
use crate::syntax::{Fix, Span};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use tower_lsp_server::ls_types::{Location, Uri, WorkspaceEdit};

impl Backend {
    /// An open document parsed with its project; requests for closed files answer empty.
    pub fn parsed(&self, uri: &Uri) -> Option<(Arc<Project>, String, Arc<analysis::ParsedFile>)> {
        let path = path_of(uri)?;
        let text = self.state.documents.get(&path)?.text();
        let project = self.state.project_of(&path)?;
        let file = analysis::parse(&project, &path, &text)?;
        Some((project, text, file))
    }

    /// A file's text for a search over the workspace, None once the request is cancelled: the
    /// search then ends without reading further files.
    pub fn text_unless_cancelled(&self, path: &Path) -> Option<String> {
        if crate::server::schedule::cancelled() { None } else { self.state.text(path) }
    }

    /// The current diagnostics of an open document, with its path.
    pub fn current_diagnostics(&self, uri: &Uri) -> Option<(PathBuf, String, Vec<crate::syntax::Diagnostic>)> {
        let path = path_of(uri)?;
        let (text, _, diagnostics) = self.state.diagnostics(&path)?;
        Some((path, text, diagnostics))
    }

    /// Paths and spans as LSP locations, each file's text read once (the editor's buffer
    /// when open); a file that cannot be read is left out.
    pub fn locations(&self, spans: impl IntoIterator<Item = (PathBuf, Span)>) -> Vec<Location> {
        let mut locate = self.locator();
        spans.into_iter().filter_map(|(path, span)| locate(&path, span)).collect()
    }

    /// Converts a path and a span to a location, reading each file's text once (the editor's
    /// buffer when open); None when the file cannot be read.
    pub fn locator(&self) -> impl FnMut(&Path, Span) -> Option<Location> + '_ {
        let encoding = self.state.encoding();
        let mut texts: HashMap<PathBuf, Option<(String, LineIndex)>> = Default::default();
        move |path, span| {
            let entry = texts.entry(path.to_path_buf()).or_insert_with(|| {
                let text = self.state.text(path)?;
                let index = LineIndex::new(&text);
                Some((text, index))
            });
            let (text, index) = entry.as_ref()?;
            Some(Location { uri: Uri::from_file_path(path)?, range: range(text, index, encoding, span) })
        }
    }

    /// Fixes of the file at `path` as one WorkspaceEdit.
    pub fn fix_edit(&self, path: &Path, fixes: &[&Fix]) -> Option<WorkspaceEdit> {
        let edits: Vec<(PathBuf, Span, String)> = fixes
            .iter()
            .flat_map(|fix| fix.edits.iter())
            .map(|e| (e.path.clone().unwrap_or_else(|| path.to_path_buf()), e.span, e.new_text.clone()))
            .collect();
        let snippet = fixes.iter().any(|f| f.snippet);
        workspace_edit(&edits, snippet, |p| self.state.text(p), self.state.encoding())
    }
}
