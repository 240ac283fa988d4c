//! The server's state and its synchronous operations. Handlers call these without awaiting in
//! between, so that edits are applied in the order they arrived.

use super::documents::Document;
use super::settings::Settings;
use crate::analysis::check::check_file;
use crate::analysis::recheck;
use crate::codegen;
use crate::project::Project;
use crate::project::workspace::{FileList, project_of, project_roots};
use crate::syntax::Diagnostic;
use crate::syntax::line_index::Encoding;
use dashmap::DashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};
use tower_lsp_server::ls_types::TextDocumentContentChangeEvent;

/// Everything the server knows.
#[derive(Debug)]
pub struct State {
    /// The projects, each shared with the requests reading it.
    projects: RwLock<Vec<Arc<Project>>>,
    /// Workspace folders.
    pub folders: RwLock<Vec<PathBuf>>,
    /// Open documents by path.
    pub documents: DashMap<PathBuf, Document>,
    /// The diagnostics last published per path, so unchanged ones are not sent again.
    pub published: DashMap<PathBuf, Vec<Diagnostic>>,
    /// The last `resultId` answered to a diagnostic pull, per path.
    pub reported: DashMap<PathBuf, String>,
    pub encoding: RwLock<Encoding>,
    pub support: RwLock<ClientSupport>,
    pub settings: RwLock<Settings>,
}

/// What the client supports, learned at `initialize`.
#[derive(Debug, Clone, Copy, Default)]
pub struct ClientSupport {
    pub progress: bool,
    pub watchers: bool,
    /// Whether completion items may be snippets (`${1:name}`).
    pub snippets: bool,
    /// `textDocument.diagnostic`: the client pulls diagnostics, none are pushed.
    pub pull: bool,
    /// `workspace.diagnostics.refreshSupport`: the server may ask for a new pull.
    pub refresh: bool,
    /// `workspace.configuration`: settings are pulled.
    pub configuration: bool,
}

impl Default for State {
    fn default() -> State {
        State {
            projects: RwLock::new(Vec::new()),
            folders: RwLock::new(Vec::new()),
            documents: DashMap::new(),
            published: DashMap::new(),
            reported: DashMap::new(),
            encoding: RwLock::new(Encoding::Utf16),
            support: RwLock::new(ClientSupport::default()),
            settings: RwLock::new(Settings::default()),
        }
    }
}

impl State {
    pub fn encoding(&self) -> Encoding {
        *self.encoding.read().unwrap_or_else(|e| e.into_inner())
    }

    pub fn support(&self) -> ClientSupport {
        *self.support.read().unwrap_or_else(|e| e.into_inner())
    }

    pub fn settings(&self) -> Settings {
        self.settings.read().unwrap_or_else(|e| e.into_inner()).clone()
    }

    pub fn projects(&self) -> Vec<Arc<Project>> {
        self.projects.read().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// The project a path belongs to: the one with the deepest root above it.
    pub fn project_of(&self, path: &Path) -> Option<Arc<Project>> {
        project_of(&self.projects.read().unwrap_or_else(|e| e.into_inner()), path).cloned()
    }

    /// Finds the projects under the workspace folders and registers them empty; returns each
    /// with the files it still has to read.
    pub fn open_projects(&self) -> Vec<(Arc<Project>, FileList)> {
        let folders = self.folders.read().unwrap_or_else(|e| e.into_inner()).clone();
        let (roots, problems) = project_roots(&folders);
        for problem in problems {
            tracing::warn!("{}: {}", problem.path.display(), problem.diagnostic.message);
        }
        let opened: Vec<_> = roots
            .iter()
            .map(|root| {
                // An open config, `meshls.toml` or macro file counts as its editor has it.
                let read = |path: &Path| match self.documents.get(path) {
                    Some(document) => Ok(document.text().into_bytes()),
                    None => std::fs::read(path),
                };
                let (project, files) = Project::open(root, &roots, &read);
                (Arc::new(project), files)
            })
            .collect();
        *self.projects.write().unwrap_or_else(|e| e.into_inner()) = opened.iter().map(|(p, _)| Arc::clone(p)).collect();
        opened
    }

    /// The text of a file: the editor's buffer when open, else the disk's.
    pub fn text(&self, path: &Path) -> Option<String> {
        match self.documents.get(path) {
            Some(document) => Some(document.text()),
            None => std::fs::read_to_string(path).ok(),
        }
    }

    /// Opens a document and updates its file in the graph; returns the paths whose
    /// diagnostics may have changed.
    pub fn open(&self, path: &Path, text: &str, version: i32) -> Vec<PathBuf> {
        self.documents.insert(path.to_path_buf(), Document::new(text, version));
        if let Some(project) = self.project_of(path) {
            project.set_buffer(path, Some(text));
        }
        self.update(path, Some(text.as_bytes()))
    }

    /// Applies edits to an open document, in order, and updates its file in the graph.
    pub fn change(&self, path: &Path, version: i32, changes: &[TextDocumentContentChangeEvent]) -> Vec<PathBuf> {
        let encoding = self.encoding();
        let text = {
            let Some(mut document) = self.documents.get_mut(path) else {
                tracing::warn!("didChange for {} which is not open", path.display());
                return Vec::new();
            };
            for change in changes {
                document.apply(change, encoding);
            }
            document.version = version;
            document.text()
        };
        if let Some(project) = self.project_of(path) {
            project.set_buffer(path, Some(&text));
        }
        self.update(path, Some(text.as_bytes()))
    }

    /// Closes a document: the file goes back to what the disk holds.
    pub fn close(&self, path: &Path) -> Vec<PathBuf> {
        self.documents.remove(path);
        self.published.remove(path);
        if let Some(project) = self.project_of(path) {
            project.set_buffer(path, None);
        }
        let disk = std::fs::read(path).ok();
        self.update(path, disk.as_deref())
    }

    /// Whether an open generated file is stale ([`codegen::generate::staleness`]).
    fn staleness(&self, path: &Path, text: &str) -> Option<Diagnostic> {
        if path.extension().is_none_or(|e| e != "py") {
            return None;
        }
        codegen::generate::staleness(path, text, &self.projects(), |p| self.text(p))
    }

    /// The open documents that meshls generated (their header says so): a change to a project
    /// may make them stale.
    pub fn open_generated(&self) -> Vec<PathBuf> {
        let generated = |text: &str| codegen::generate::Regenerate::read(text).is_some();
        self.documents.iter().filter(|d| generated(&d.value().text())).map(|d| d.key().clone()).collect()
    }

    /// Whether a change of `path` reads the projects again (a config, `meshls.toml` or
    /// Jinja macro file).
    pub fn reloads_projects(&self, path: &Path) -> bool {
        recheck::reloads_projects(self.project_of(path).as_deref(), path)
    }

    /// A file changed on disk. Open documents keep their buffer; a change of a config or of a
    /// Jinja macro file reloads the projects (the caller re-indexes); returns None then.
    pub fn disk_changed(&self, path: &Path) -> Option<Vec<PathBuf>> {
        if self.reloads_projects(path) {
            return None;
        }
        if self.documents.contains_key(path) {
            return Some(Vec::new());
        }
        if path.extension().is_some_and(|e| e == "csv") {
            return Some(self.seed_changed(path));
        }
        let disk = std::fs::read(path).ok();
        Some(self.update(path, disk.as_deref()))
    }

    /// A seed CSV changed: re-read the seed models that load it.
    fn seed_changed(&self, csv: &Path) -> Vec<PathBuf> {
        let mut affected = Vec::new();
        for project in self.projects() {
            for seed in recheck::seeds_loading(&project, csv) {
                let text = self.text(&seed);
                affected.extend(self.update(&seed, text.as_deref().map(str::as_bytes)));
            }
        }
        affected
    }

    /// Sets a file's content in its project; returns the files to check again
    /// ([`recheck::files_to_recheck`]).
    fn update(&self, path: &Path, content: Option<&[u8]>) -> Vec<PathBuf> {
        let Some(project) = self.project_of(path) else { return vec![path.to_path_buf()] };
        let before = recheck::defined_models(&project, path);
        if !project.set_file(path, content) {
            return vec![path.to_path_buf()];
        }
        let open: Vec<PathBuf> = self.documents.iter().map(|d| d.key().clone()).collect();
        recheck::files_to_recheck(&project, path, before, &open)
    }

    /// The diagnostics of an open document (none outside a project), with the text and
    /// version they were computed from.
    pub fn diagnostics(&self, path: &Path) -> Option<(String, i32, Vec<Diagnostic>)> {
        let (text, version) = {
            let document = self.documents.get(path)?;
            (document.text(), document.version)
        };
        let levels = self.settings().rules;
        let mut found = self.project_of(path).map(|p| check_file(&p, path, Some(&text), &levels)).unwrap_or_default();
        found.extend(self.staleness(path, &text));
        Some((text, version, found))
    }

    /// The diagnostics of any file of a project, open or not, as `meshls check` reports them
    /// (its project's configuration problems located in it included), with the text they were
    /// computed from (None when unreadable) and the version of an open document.
    pub fn file_diagnostics(&self, path: &Path) -> Option<(Option<String>, Option<i32>, Vec<Diagnostic>)> {
        let Some(project) = self.project_of(path) else {
            // A generated file may sit outside every project: only its staleness is reported.
            let (text, version, found) = self.diagnostics(path)?;
            return Some((Some(text), Some(version), found));
        };
        let (text, version) = match self.documents.get(path) {
            Some(document) => (Some(document.text()), Some(document.version)),
            None => (std::fs::read(path).ok().and_then(|b| String::from_utf8(b).ok()), None),
        };
        let levels = self.settings().rules;
        let mut found: Vec<Diagnostic> =
            project.diagnostics.iter().filter(|d| d.path == path).map(|d| d.diagnostic.clone()).collect();
        found.extend(check_file(&project, path, text.as_deref(), &levels));
        if let Some(text) = text.as_deref().filter(|_| version.is_some()) {
            found.extend(self.staleness(path, text));
        }
        Some((text, version, found))
    }
}
