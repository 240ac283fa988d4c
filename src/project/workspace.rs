//! Projects on disk: discovery, loading in parallel, and per-file updates.

use super::facts::{FileFacts, FileRole, Model, ParsedFile, Settings, file_facts, kept_facts, parse_file};
use super::graph::{FileEdges, FileId, ModelGraph};
use super::ignore::IgnorePatterns;
use super::lineage::{ModelSchema, model_schema};
use super::names::{ModelName, NameContext};
use crate::syntax::config::{Config, parse_config_py, parse_config_yaml};
use crate::syntax::{Diagnostic, Span};
use dashmap::DashMap;
use rayon::prelude::*;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU32, AtomicU64, Ordering};
use std::sync::{Arc, RwLock, RwLockReadGuard};

/// Folders never searched for projects or project files.
pub const SKIPPED_DIRS: &[&str] = &[".git", "target", "node_modules", ".venv", "venv", "logs", ".cache", "__pycache__"];

/// The config file names of a SQLMesh project, in the order SQLMesh prefers them.
pub const CONFIG_FILES: &[&str] = &["config.yaml", "config.yml", "config.py", "sqlmesh.yaml", "sqlmesh.yml"];

/// The files of a project still to be read, each with its role.
pub type FileList = Vec<(PathBuf, FileRole)>;

/// A diagnostic about a file that is not tracked as project file (config, folders).
#[derive(Debug, Clone)]
pub struct PathDiagnostic {
    pub path: PathBuf,
    pub diagnostic: Diagnostic,
}

/// One SQLMesh project: its settings, its files' facts and its model graph.
#[derive(Debug)]
pub struct Project {
    pub root: PathBuf,
    pub settings: Settings,
    /// Problems with the config and the folder walk.
    pub diagnostics: Vec<PathDiagnostic>,
    files: DashMap<FileId, Arc<FileFacts>>,
    ids: DashMap<PathBuf, FileId>,
    next_id: AtomicU32,
    graph: RwLock<ModelGraph>,
    revision: AtomicU64,
    /// Whether every file has been read once (until then the graph is partial).
    indexed: AtomicBool,
    /// Each model's schema and lineage, computed on demand; an edit drops the edited
    /// models' entries and everything downstream of them.
    schemas: DashMap<ModelName, Arc<ModelSchema>>,
    /// Each file's words, computed on first use for the facts they were read with (a file's
    /// facts are replaced on every change, so a stale entry is never used).
    words: DashMap<FileId, (std::sync::Weak<FileFacts>, Arc<super::words::Words>)>,
    /// The editor's open buffers (set by the server): [`Project::text`] reads them first.
    buffers: DashMap<PathBuf, Arc<str>>,
    /// The last parse of each open buffer, with the text it read: a document is parsed once
    /// per version, for the graph and for every request ([`Project::parsed`]).
    parsed: DashMap<PathBuf, (Arc<str>, Arc<ParsedFile>)>,
}

/// Every project found under some folders.
#[derive(Debug, Default)]
pub struct Workspace {
    pub projects: Vec<Arc<Project>>,
    /// Problems that belong to no project (a folder with no project in it).
    pub diagnostics: Vec<PathDiagnostic>,
}

fn skipped(entry: &walkdir::DirEntry) -> bool {
    entry.depth() > 0
        && entry.file_type().is_dir()
        && entry.file_name().to_str().is_some_and(|n| SKIPPED_DIRS.contains(&n))
}

fn config_file(dir: &Path) -> Option<PathBuf> {
    CONFIG_FILES.iter().map(|name| dir.join(name)).find(|path| path.is_file())
}

impl Workspace {
    /// Finds and loads every project under `folders`.
    pub fn load(folders: &[PathBuf]) -> Workspace {
        let (roots, diagnostics) = project_roots(folders);
        let projects = roots.iter().map(|root| Arc::new(Project::load(root, &roots))).collect();
        Workspace { projects, diagnostics }
    }

    /// The project a file belongs to: the one with the deepest root above it.
    pub fn project_of(&self, path: &Path) -> Option<&Arc<Project>> {
        project_of(&self.projects, path)
    }
}

/// The project a file belongs to among `projects`: the one with the deepest root above it.
pub fn project_of<'a>(projects: &'a [Arc<Project>], path: &Path) -> Option<&'a Arc<Project>> {
    projects.iter().filter(|p| path.starts_with(&p.root)).max_by_key(|p| p.root.components().count())
}

/// The project roots under `folders`, sorted and deduplicated: every folder with a config, or
/// a folder with `models/` and no config anywhere in it (read with SQLMesh's defaults). A
/// folder with neither is a diagnostic.
pub fn project_roots(folders: &[PathBuf]) -> (Vec<PathBuf>, Vec<PathDiagnostic>) {
    let mut roots = Vec::new();
    let mut diagnostics = Vec::new();
    for folder in folders {
        let found = discover(folder);
        if found.is_empty() {
            if folder.join("models").is_dir() {
                roots.push(folder.clone());
            } else {
                diagnostics.push(PathDiagnostic {
                    path: folder.clone(),
                    diagnostic: Diagnostic::error(
                        "no-project",
                        Span::at(0),
                        "no SQLMesh project here: no config.yaml, config.yml or config.py was found",
                    ),
                });
            }
        }
        roots.extend(found);
    }
    roots.sort();
    roots.dedup();
    (roots, diagnostics)
}

/// The project roots under `folder` (itself included). Below `folder`, a config file makes a
/// project only beside a `models/` folder and outside hidden folders: `.astro/config.yaml` or
/// `docker/config.yml` belong to other tools.
pub fn discover(folder: &Path) -> Vec<PathBuf> {
    let hidden = |e: &walkdir::DirEntry| e.depth() > 0 && e.file_name().to_str().is_some_and(|n| n.starts_with('.'));
    walkdir::WalkDir::new(folder)
        .follow_links(true)
        .into_iter()
        .filter_entry(|e| !skipped(e) && !hidden(e) && e.file_type().is_dir())
        .filter_map(Result::ok)
        .filter(|e| config_file(e.path()).is_some() && (e.depth() == 0 || e.path().join("models").is_dir()))
        .map(|e| e.into_path())
        .collect()
}

/// How a project reads its configuration files: the disk's bytes, or an editor's buffer.
pub type ReadFile<'a> = &'a dyn Fn(&Path) -> std::io::Result<Vec<u8>>;

/// Reads a project's config with `read`; a missing one is a diagnostic and SQLMesh's defaults.
pub fn read_config(root: &Path, read: ReadFile) -> (Config, Vec<PathDiagnostic>) {
    let Some(path) = config_file(root) else {
        let diagnostic = Diagnostic::warning(
            "no-config",
            Span::at(0),
            "no config.yaml, config.yml or config.py: using SQLMesh's defaults",
        );
        return (Config::default(), vec![PathDiagnostic { path: root.to_path_buf(), diagnostic }]);
    };
    let text = match read(&path).map(String::from_utf8) {
        Ok(Ok(text)) => text,
        Ok(Err(_)) => {
            let diagnostic = Diagnostic::error("unreadable-file", Span::at(0), "config file is not valid UTF-8");
            return (Config::default(), vec![PathDiagnostic { path, diagnostic }]);
        }
        Err(error) => {
            let diagnostic = Diagnostic::error("unreadable-file", Span::at(0), format!("cannot read config: {error}"));
            return (Config::default(), vec![PathDiagnostic { path, diagnostic }]);
        }
    };
    let config =
        if path.extension().is_some_and(|e| e == "py") { parse_config_py(&text) } else { parse_config_yaml(&text) };
    let diagnostics =
        config.diagnostics.iter().map(|d| PathDiagnostic { path: path.clone(), diagnostic: d.clone() }).collect();
    (config, diagnostics)
}

/// The Jinja macro definitions of the project's `macros/**/*.sql`, in path order.
fn read_jinja_macros(root: &Path, read: ReadFile, ignore: &IgnorePatterns) -> String {
    let mut paths: Vec<PathBuf> = walkdir::WalkDir::new(root.join("macros"))
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file() && e.path().extension().is_some_and(|x| x == "sql"))
        .filter(|e| !ignore.ignores(e.path()))
        .map(|e| e.into_path())
        .collect();
    paths.sort();
    paths
        .iter()
        .filter_map(|p| read(p).ok().and_then(|b| String::from_utf8(b).ok()))
        .map(|t| crate::syntax::jinja::macro_definitions(&t))
        .collect()
}

/// The levels of `meshls.toml`'s `[rules]` table; a broken file is a diagnostic.
pub fn read_meshls_toml(root: &Path, read: ReadFile, diagnostics: &mut Vec<PathDiagnostic>) -> Vec<(String, String)> {
    let path = root.join("meshls.toml");
    let Some(text) = read(&path).ok().and_then(|b| String::from_utf8(b).ok()) else { return Vec::new() };
    let table = match text.parse::<toml::Table>() {
        Ok(table) => table,
        Err(error) => {
            let span = error.span().map_or(Span::at(0), |r| Span::new(r.start, r.end));
            diagnostics.push(PathDiagnostic {
                path,
                diagnostic: Diagnostic::error("meshls-toml", span, error.message().to_string()),
            });
            return Vec::new();
        }
    };
    let Some(rules) = table.get("rules").and_then(|r| r.as_table()) else { return Vec::new() };
    let mut levels = Vec::new();
    for (code, level) in rules {
        match level.as_str() {
            Some(level @ ("error" | "warning" | "warn" | "info" | "hint" | "off")) => {
                levels.push((code.clone(), level.to_string()))
            }
            _ => diagnostics.push(PathDiagnostic {
                path: path.clone(),
                diagnostic: Diagnostic::error(
                    "meshls-toml",
                    Span::at(0),
                    format!("rule `{code}`: the level must be \"error\", \"warning\", \"info\", \"hint\" or \"off\""),
                ),
            }),
        }
    }
    levels
}

/// The role of a file of the project at `root`, from its path.
pub fn role_of(root: &Path, path: &Path) -> Option<FileRole> {
    let relative = path.strip_prefix(root).ok()?;
    let mut components = relative.components().map(|c| c.as_os_str().to_str().unwrap_or(""));
    let top = components.next()?;
    let nested = components.next().is_some();
    let extension = path.extension().and_then(|e| e.to_str()).unwrap_or("");
    match (top, nested, extension) {
        ("models", true, "sql") => Some(FileRole::SqlModel),
        ("models", true, "py") => Some(FileRole::PythonModel),
        ("audits", true, "sql") => Some(FileRole::Audit),
        ("macros", true, "py") => Some(FileRole::Macros),
        ("external_models", true, "yaml") => Some(FileRole::ExternalModels),
        ("external_models.yaml" | "external_models.yml", false, _) => Some(FileRole::ExternalModels),
        // SQLMesh reads the legacy schema.yaml only where external_models.yaml is absent.
        ("schema.yaml" | "schema.yml", false, _)
            if !root.join("external_models.yaml").is_file() && !root.join("external_models.yml").is_file() =>
        {
            Some(FileRole::ExternalModels)
        }
        _ => None,
    }
}

/// The role of a file of the project at `root` that SQLMesh reads: [`role_of`], unless
/// `ignore` skips it (external model files are read whatever the patterns say).
fn tracked_role(root: &Path, ignore: &IgnorePatterns, path: &Path) -> Option<FileRole> {
    role_of(root, path).filter(|role| *role == FileRole::ExternalModels || !ignore.ignores(path))
}

impl Project {
    /// Loads the project at `root` and all its files; `all_roots` are every project root of the
    /// workspace, so that a nested project's files are left to it.
    pub fn load(root: &Path, all_roots: &[PathBuf]) -> Project {
        let (project, files) = Project::open(root, all_roots, &|path| std::fs::read(path));
        project.load_files(&files);
        project.set_indexed();
        project
    }

    /// Reads the project's configuration (config, `meshls.toml`, Jinja macros) with `read`
    /// and lists its files, without reading them.
    pub fn open(root: &Path, all_roots: &[PathBuf], read: ReadFile) -> (Project, FileList) {
        let (config, mut diagnostics) = read_config(root, read);
        let names = NameContext { default_catalog: config.default_catalog().map(str::to_string) };
        let rule_levels = read_meshls_toml(root, read, &mut diagnostics);
        let infer_names = config.infer_names;
        let variables = config.variables_for(None);
        let ignore = IgnorePatterns::new(root, config.ignore_patterns.as_deref());
        let jinja_macros = read_jinja_macros(root, read, &ignore);
        let settings = Settings {
            root: root.to_path_buf(),
            config,
            names,
            infer_names,
            variables,
            jinja_macros,
            rule_levels,
            ignore,
        };
        let mut paths = Vec::new();
        let walk = walkdir::WalkDir::new(root).follow_links(true).into_iter().filter_entry(|e| {
            let nested_project = e.depth() > 0 && e.file_type().is_dir() && all_roots.iter().any(|r| r == e.path());
            !skipped(e) && !nested_project
        });
        for entry in walk {
            match entry {
                Ok(entry) if entry.file_type().is_file() => {
                    if let Some(role) = tracked_role(root, &settings.ignore, entry.path()) {
                        paths.push((entry.into_path(), role));
                    }
                }
                Ok(_) => {}
                Err(error) => {
                    let path = error.path().map_or_else(|| root.to_path_buf(), Path::to_path_buf);
                    let message = if error.loop_ancestor().is_some() {
                        "symbolic link loop: this folder links back to one of its parents; not followed".to_string()
                    } else {
                        format!("cannot read: {error}")
                    };
                    diagnostics.push(PathDiagnostic {
                        path,
                        diagnostic: Diagnostic::warning("unreadable-file", Span::at(0), message),
                    });
                }
            }
        }
        paths.sort_by(|a, b| a.0.cmp(&b.0));
        let project = Project {
            root: root.to_path_buf(),
            settings,
            diagnostics,
            files: DashMap::new(),
            ids: DashMap::new(),
            next_id: AtomicU32::new(0),
            graph: RwLock::new(ModelGraph::new()),
            revision: AtomicU64::new(0),
            indexed: AtomicBool::new(false),
            schemas: DashMap::new(),
            words: DashMap::new(),
            buffers: DashMap::new(),
            parsed: DashMap::new(),
        };
        (project, paths)
    }

    /// The role of a file of this project, from its path; None for a file that is no project
    /// file or that `ignore_patterns` makes SQLMesh skip.
    pub fn role_of(&self, path: &Path) -> Option<FileRole> {
        tracked_role(&self.root, &self.settings.ignore, path)
    }

    /// Reads and parses `files` in parallel, then adds them to the graph in one step. Files
    /// read from disk here; open editor buffers go through [`Project::set_file`].
    pub fn load_files(&self, files: &[(PathBuf, FileRole)]) {
        /// Files parsed per message to the copying thread.
        const LOAD_BATCH: usize = 16;
        // The files are parsed on rayon's threads, where what a file's facts keep is allocated
        // among the parse's short-lived values (tokens, the syntax tree): left there, every
        // page that held a parse stays partly used, about 60 MB of a 10,000-model project. So
        // this thread copies each file's facts as they come, into pages of its own, and the
        // parsing threads reuse theirs whole.
        let (sender, received) = std::sync::mpsc::channel();
        let mut facts: Vec<Option<FileFacts>> = (0..files.len()).map(|_| None).collect();
        std::thread::scope(|scope| {
            scope.spawn(|| {
                // Sent in batches: one message per file woke this thread 10,000 times.
                files.par_chunks(LOAD_BATCH).enumerate().for_each_with(sender, |sender, (batch, chunk)| {
                    let read: Vec<FileFacts> = chunk
                        .iter()
                        .map(|(path, role)| match std::fs::read(path) {
                            Ok(bytes) => file_facts(&self.settings, path, *role, &bytes),
                            Err(error) => unreadable(path, *role, &error),
                        })
                        .collect();
                    // The receiver lives until every file is sent.
                    let _ = sender.send((batch * LOAD_BATCH, read));
                });
            });
            for (first, read) in &received {
                for (i, read) in read.into_iter().enumerate() {
                    facts[first + i] = Some(read.deep_clone());
                }
            }
        });
        let facts = facts.into_iter().flatten();
        let mut graph = self.graph.write().unwrap_or_else(|e| e.into_inner());
        for facts in facts {
            let id = self.id_of(&facts.path);
            let new_edges = edges(&facts);
            let old = self.files.insert(id, Arc::new(facts));
            graph.replace_file(id, &old.as_deref().map(edges).unwrap_or_default(), &new_edges);
        }
        self.revision.fetch_add(1, Ordering::AcqRel);
        self.schemas.clear();
    }

    /// Marks the project as fully read: answers that need the whole graph are now reliable.
    pub fn set_indexed(&self) {
        self.indexed.store(true, Ordering::Release);
    }

    /// Whether every file has been read once.
    pub fn is_indexed(&self) -> bool {
        self.indexed.load(Ordering::Acquire)
    }

    fn id_of(&self, path: &Path) -> FileId {
        *self.ids.entry(path.to_path_buf()).or_insert_with(|| self.next_id.fetch_add(1, Ordering::Relaxed))
    }

    /// The id of a tracked file.
    pub fn file_id(&self, path: &Path) -> Option<FileId> {
        self.ids.get(path).map(|id| *id)
    }

    /// The facts of a tracked file.
    pub fn file(&self, id: FileId) -> Option<Arc<FileFacts>> {
        self.files.get(&id).map(|f| Arc::clone(&f))
    }

    /// Sets (or, with None, drops) the editor's buffer of a file: from then on
    /// [`Project::text`] answers it instead of the disk.
    pub fn set_buffer(&self, path: &Path, text: Option<&str>) {
        match text {
            Some(text) => {
                self.buffers.insert(path.to_path_buf(), Arc::from(text));
            }
            None => {
                self.buffers.remove(path);
                self.parsed.remove(path);
            }
        }
    }

    /// `text` parsed as the file at `path`: the parse [`Project::set_file`] made of the open
    /// buffer when `text` is that buffer's, else a new one. None when `path` is no project file.
    pub fn parsed(&self, path: &Path, text: &str) -> Option<Arc<ParsedFile>> {
        if let Some(cached) = self.parsed.get(path).filter(|c| &*c.0 == text) {
            return Some(Arc::clone(&cached.1));
        }
        let role = self.role_of(path)?;
        let (facts, syntax) = parse_file(&self.settings, path, role, text.as_bytes());
        Some(Arc::new(ParsedFile { facts, syntax }))
    }

    /// The text of a file, as every reader of the project sees it: the editor's buffer when
    /// the file is open, else the disk's.
    pub fn text(&self, path: &Path) -> Option<String> {
        match self.buffers.get(path) {
            Some(text) => Some(text.to_string()),
            None => std::fs::read_to_string(path).ok(),
        }
    }

    /// Whether `file` may mention `word` (a whole word, ASCII case-insensitively): false when
    /// it surely does not. Its words are computed once per version of the file, from `text`
    /// (the editor's buffer or the disk); None when the text cannot be read.
    pub fn may_mention(
        &self,
        file: &Arc<FileFacts>,
        word: &str,
        text: impl FnOnce() -> Option<String>,
    ) -> Option<bool> {
        let id = self.file_id(&file.path)?;
        if let Some(entry) = self.words.get(&id)
            && entry.0.upgrade().is_some_and(|known| Arc::ptr_eq(&known, file))
        {
            return Some(entry.1.may_contain(word));
        }
        let words = Arc::new(super::words::Words::of(&text()?));
        self.words.insert(id, (Arc::downgrade(file), Arc::clone(&words)));
        Some(words.may_contain(word))
    }

    /// Every tracked file's facts, in path order.
    pub fn files(&self) -> Vec<Arc<FileFacts>> {
        let mut files: Vec<Arc<FileFacts>> = self.files.iter().map(|f| Arc::clone(f.value())).collect();
        files.sort_by(|a, b| a.path.cmp(&b.path));
        files
    }

    /// Bumped on every change.
    pub fn revision(&self) -> u64 {
        self.revision.load(Ordering::Acquire)
    }

    /// The model graph, for reading.
    pub fn graph(&self) -> RwLockReadGuard<'_, ModelGraph> {
        self.graph.read().unwrap_or_else(|e| e.into_inner())
    }

    /// Sets a file's content (None: the file is gone) and updates its node and edges. Returns
    /// false when the path is not a project file.
    pub fn set_file(&self, path: &Path, content: Option<&[u8]>) -> bool {
        let Some(role) = self.role_of(path) else { return false };
        let buffer = self.buffers.get(path).map(|b| Arc::clone(&b)).filter(|b| content == Some(b.as_bytes()));
        let new = match (content, buffer) {
            // An open buffer: parsed once, for the graph and for the requests on this version.
            (Some(_), Some(text)) => {
                let (facts, syntax) = parse_file(&self.settings, path, role, text.as_bytes());
                let kept = kept_facts(facts.clone());
                self.parsed.insert(path.to_path_buf(), (text, Arc::new(ParsedFile { facts, syntax })));
                Some(kept)
            }
            (content, _) => {
                self.parsed.remove(path);
                content.map(|bytes| file_facts(&self.settings, path, role, bytes))
            }
        };
        self.replace(path, new);
        true
    }

    fn replace(&self, path: &Path, new: Option<FileFacts>) {
        let id = self.id_of(path);
        let new = new.map(|mut facts| {
            if let Some(old) = self.file(id) {
                keep_last_good_parse(&mut facts, &old);
            }
            facts
        });
        let new_edges = new.as_ref().map(edges).unwrap_or_default();
        let old = match new {
            Some(facts) => self.files.insert(id, Arc::new(facts)),
            None => self.files.remove(&id).map(|(_, f)| f),
        };
        let old_edges = old.as_deref().map(edges).unwrap_or_default();
        self.graph.write().unwrap_or_else(|e| e.into_inner()).replace_file(id, &old_edges, &new_edges);
        // After the bump, a schema computed from the old text is no longer cached (see
        // `schema`); then the edited models' schemas are dropped, and their downstream's.
        self.revision.fetch_add(1, Ordering::AcqRel);
        let old_names: Vec<&ModelName> = old_edges.models.iter().map(|(n, _)| n).collect();
        let new_names: Vec<&ModelName> = new_edges.models.iter().map(|(n, _)| n).collect();
        for name in old_names.iter().chain(&new_names).copied().collect::<std::collections::BTreeSet<_>>() {
            let before = self.schemas.remove(name).map(|(_, s)| s);
            let kept = old_names.contains(&name) && new_names.contains(&name);
            let downstream_stale = match before {
                // A model is cached only with all its upstream, so nothing below an uncached
                // model is cached, unless the name just appeared or went away.
                None => !kept,
                // Early cutoff: when the model's columns did not change, the schemas below it
                // (which read only its columns) did not either.
                Some(before) => !(kept && self.schema(name).is_some_and(|after| before.columns == after.columns)),
            };
            if downstream_stale {
                for downstream in self.graph().downstream(name) {
                    self.schemas.remove(&downstream);
                }
            }
        }
    }

    /// A model's schema and column lineage (None when no model has this name), computed
    /// with its upstream models' on first use and cached until an edit invalidates it.
    pub fn schema(&self, name: &ModelName) -> Option<Arc<ModelSchema>> {
        if let Some(schema) = self.schemas.get(name) {
            return Some(Arc::clone(&schema));
        }
        let revision = self.revision();
        // The upstream models not yet computed, parents first (an iterative walk: chains
        // of thousands of models must not exhaust the stack).
        let mut order = Vec::new();
        {
            let graph = self.graph();
            let mut seen = std::collections::HashSet::new();
            let mut stack = vec![(name.clone(), false)];
            while let Some((current, expanded)) = stack.pop() {
                if expanded {
                    order.push(current);
                    continue;
                }
                if !seen.insert(current.clone()) || self.schemas.contains_key(&current) {
                    continue;
                }
                stack.push((current.clone(), true));
                for parent in graph.parents(&current) {
                    if !seen.contains(&parent) {
                        stack.push((parent, false));
                    }
                }
            }
        }
        let mut computed: std::collections::HashMap<ModelName, Arc<ModelSchema>> = Default::default();
        for current in order {
            let upstream =
                |n: &ModelName| computed.get(n).cloned().or_else(|| self.schemas.get(n).map(|s| Arc::clone(&s)));
            let Some(schema) = self.with_model(&current, |model| model_schema(model, &self.settings, &upstream)) else {
                continue;
            };
            computed.insert(current, Arc::new(schema));
        }
        if self.revision() == revision {
            for (n, schema) in &computed {
                self.schemas.insert(n.clone(), Arc::clone(schema));
            }
        }
        computed.remove(name).or_else(|| self.schemas.get(name).map(|s| Arc::clone(&s)))
    }

    /// Computes every model's schema not yet cached, upstream levels first and each level's
    /// models in parallel (what `schema` does one chain at a time). Stops when an edit comes
    /// in meanwhile; a graph with a cycle is left to `schema`.
    pub fn compute_schemas(&self) {
        let revision = self.revision();
        let levels: Vec<Vec<ModelName>> = {
            let graph = self.graph();
            let Ok(order) = graph.topological_order() else { return };
            let mut depth: std::collections::HashMap<&ModelName, usize> = Default::default();
            let mut levels: Vec<Vec<ModelName>> = Vec::new();
            for name in &order {
                let level = graph.parents(name).iter().filter_map(|p| depth.get(p)).map(|d| d + 1).max().unwrap_or(0);
                depth.insert(name, level);
                if levels.len() <= level {
                    levels.resize_with(level + 1, Vec::new);
                }
                if !self.schemas.contains_key(name) {
                    levels[level].push(name.clone());
                }
            }
            levels
        };
        let upstream = |n: &ModelName| self.schemas.get(n).map(|s| Arc::clone(&s));
        for level in levels {
            let computed: Vec<(ModelName, Arc<ModelSchema>)> = level
                .into_par_iter()
                .filter_map(|name| {
                    let schema = self.with_model(&name, |model| model_schema(model, &self.settings, &upstream))?;
                    Some((name, Arc::new(schema)))
                })
                .collect();
            if self.revision() != revision {
                return;
            }
            for (name, schema) in computed {
                self.schemas.insert(name, schema);
            }
        }
    }

    /// The model called `name`, from the first file defining it.
    pub fn model(&self, name: &ModelName) -> Option<Model> {
        self.with_model(name, Model::clone)
    }

    /// `f` of the model called `name` (from the first file defining it), without copying it.
    fn with_model<R>(&self, name: &ModelName, f: impl FnOnce(&Model) -> R) -> Option<R> {
        let file = {
            let graph = self.graph();
            let id = *graph.definers(name)?.first()?;
            self.file(id)?
        };
        file.models.iter().find(|m| &m.name == name).map(f)
    }

    /// Whether a file defines `name` with `enabled false` (SQLMesh drops such a model).
    pub fn is_disabled(&self, name: &ModelName) -> bool {
        self.files.iter().any(|f| f.disabled.iter().any(|d| &d.value == name))
    }

    /// Every model of the project, sorted by name.
    pub fn models(&self) -> Vec<Model> {
        let mut models: Vec<Model> = self.files.iter().flat_map(|f| f.models.clone()).collect();
        models.sort_by(|a, b| a.name.cmp(&b.name));
        models
    }
}

/// While a model's query does not parse (the user is typing), its last good parse stays in
/// force: the token-level pass never rewires the graph or changes its columns.
fn keep_last_good_parse(new: &mut FileFacts, old: &FileFacts) {
    for model in new.models.iter_mut().filter(|m| !m.parsed) {
        let Some(good) = old.models.iter().find(|m| m.name == model.name && m.parsed) else { continue };
        model.depends_on.clone_from(&good.depends_on);
        model.query.clone_from(&good.query);
        model.union.clone_from(&good.union);
        if !model.columns_declared {
            model.columns.clone_from(&good.columns);
        }
        model.parsed = true;
    }
}

fn edges(facts: &FileFacts) -> FileEdges {
    FileEdges { models: facts.models.iter().map(|m| (m.name.clone(), m.depends_on.clone())).collect() }
}

fn unreadable(path: &Path, role: FileRole, error: &std::io::Error) -> FileFacts {
    FileFacts {
        path: path.to_path_buf(),
        role,
        models: Vec::new(),
        diagnostics: vec![Diagnostic::error("unreadable-file", Span::at(0), format!("cannot read file: {error}"))],
        seed_csv: None,
        macros: Vec::new(),
        audits: Vec::new(),
        disabled: Vec::new(),
        enabled_unknown: false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_broken_query_keeps_the_last_good_parse() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::create_dir_all(root.join("models")).unwrap();
        std::fs::write(root.join("config.yaml"), "model_defaults:\n  dialect: duckdb\n").unwrap();
        let model = root.join("models/b.sql");
        std::fs::write(&model, "MODEL (name s.b);\nSELECT a.x FROM s.a AS a JOIN s.c AS c ON a.x = c.x").unwrap();
        let project = Project::load(root, &[root.to_path_buf()]);
        let name = ModelName::from_canonical("s.b");
        let deps = |p: &Project| p.model(&name).unwrap().depends_on.iter().map(|d| d.to_string()).collect::<Vec<_>>();
        assert_eq!(deps(&project), ["s.a", "s.c"]);
        // Half-typed: the token pass would read CTE names and fragments as tables.
        let typing = "MODEL (name s.b);\nWITH t AS (SELECT 1) SELECT a.x FROM s.a AS a JOIN t ON (";
        project.set_file(&model, Some(typing.as_bytes()));
        assert_eq!(deps(&project), ["s.a", "s.c"]);
        let fixed = "MODEL (name s.b);\nSELECT x FROM s.d";
        project.set_file(&model, Some(fixed.as_bytes()));
        assert_eq!(deps(&project), ["s.d"]);
    }
}
