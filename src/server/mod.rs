//! The language server: the only module that knows LSP. Handlers convert at the edge and
//! call `analysis`; document changes are applied synchronously, in arrival order, before any
//! `.await`.

mod convert;
mod documents;
mod indexing;
mod schedule;
mod settings;
mod state;

use crate::analysis;
use crate::syntax::line_index::LineIndex;
use convert::{diagnostic, offset, range, workspace_edit};
use schedule::{guard, result_id};
use serde_json::{Value, json};
use settings::Settings;
use state::{ClientSupport, State};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use tower_lsp_server::jsonrpc::{Error, Result};
use tower_lsp_server::ls_types::*;
use tower_lsp_server::{Client, LanguageServer, LspService, Server};

/// `meshls.applyFixes [uri]`: applies every safe fix of a document through `workspace/applyEdit`.
const APPLY_FIXES: &str = "meshls.applyFixes";
/// The code lens command: its arguments are the model and its upstream and downstream models,
/// for the editor to list (the server answers with the same lists).
const SHOW_DEPENDENCIES: &str = "meshls.showDependencies";

/// Serves LSP over stdio until the client says `exit`.
pub fn run() -> std::process::ExitCode {
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("meshls: cannot start the runtime: {error}");
            return std::process::ExitCode::FAILURE;
        }
    };
    runtime.block_on(async {
        let debug = std::env::var_os("MESHLS_DEBUG").is_some();
        let mut builder = LspService::build(|client| Backend {
            client,
            state: Arc::new(State::default()),
            publishing: Arc::default(),
        })
        .custom_method("meshls/debug/documentText", Backend::document_text)
        .custom_method("meshls/columnLineage", Backend::column_lineage);
        if debug {
            builder = builder
                .custom_method("meshls/debug/panic", Backend::debug_panic)
                .custom_method("meshls/debug/sleep", Backend::debug_sleep);
        }
        let (service, socket) = builder.finish();
        Server::new(tokio::io::stdin(), tokio::io::stdout(), socket).serve(service).await;
    });
    // Work of cancelled requests may still be running on the blocking pool: not waited for.
    runtime.shutdown_background();
    std::process::ExitCode::SUCCESS
}

#[derive(Clone)]
struct Backend {
    client: Client,
    state: Arc<State>,
    /// Held while diagnostics are computed and sent, so that they go out in the order of the
    /// changes: a document's published versions never go back.
    publishing: Arc<tokio::sync::Mutex<()>>,
}

/// The code lens command's arguments as a message (None when they are not the lists it sent).
fn dependencies_message(lists: &Value) -> Option<String> {
    fn names<'a>(lists: &'a Value, key: &str) -> Option<Vec<&'a str>> {
        Some(lists.get(key)?.as_array()?.iter().filter_map(Value::as_str).collect())
    }
    let model = lists.get("model")?.as_str()?;
    let (upstream, downstream) = (names(lists, "upstream")?, names(lists, "downstream")?);
    Some(analysis::code_lens::dependencies_message(model, &upstream, &downstream))
}

fn symbol_kind(kind: analysis::symbols::SymbolKind) -> SymbolKind {
    use analysis::symbols::SymbolKind as K;
    match kind {
        K::Model | K::Seed | K::ExternalModel => SymbolKind::CLASS,
        K::Cte => SymbolKind::STRUCT,
        K::Column => SymbolKind::FIELD,
        K::Audit => SymbolKind::EVENT,
        K::Macro => SymbolKind::FUNCTION,
    }
}

fn path_of(uri: &Uri) -> Option<PathBuf> {
    uri.to_file_path().map(|p| p.into_owned())
}

impl Backend {
    /// Pulls the `meshls` settings from the client, and applies them (see [`Self::apply_settings`]).
    async fn pull_settings(&self, announce: bool) {
        let items = vec![ConfigurationItem { scope_uri: None, section: Some("meshls".to_string()) }];
        match self.client.configuration(items).await {
            Ok(values) => {
                self.apply_settings(Settings::from_json(values.first().unwrap_or(&Value::Null)), announce).await
            }
            Err(error) => tracing::warn!("workspace/configuration failed: {error}"),
        }
    }

    /// Takes new settings; with `announce`, diagnostics are sent again (or pulled again) when
    /// rule levels changed (not before indexing: that sends them all).
    async fn apply_settings(&self, settings: Settings, announce: bool) {
        let before = std::mem::replace(&mut *self.state.settings.write().unwrap_or_else(|e| e.into_inner()), settings);
        let after = self.state.settings();
        if after.log_level != before.log_level
            && let Some(level) = &after.log_level
            && !crate::cli::set_log_level(level)
        {
            tracing::info!("meshls.logLevel not applied: MESHLS_LOG sets the log filter");
        }
        if announce && after.rules != before.rules {
            if self.state.support().pull {
                self.refresh().await;
            } else {
                let open: Vec<PathBuf> = self.state.documents.iter().map(|d| d.key().clone()).collect();
                self.publish(open, false).await;
            }
        }
    }

    async fn register_watchers(&self) {
        let options = json!({"watchers": [{"globPattern": "**/*.{sql,py,yaml,yml,csv}"}]});
        let registration = Registration {
            id: "meshls/watched-files".to_string(),
            method: "workspace/didChangeWatchedFiles".to_string(),
            register_options: Some(options),
        };
        if let Err(error) = self.client.register_capability(vec![registration]).await {
            tracing::warn!("the client refused file watchers: {error}");
        }
    }

    /// Files changed on disk (watched, or saved by a client that does not watch): re-reads
    /// them, or reloads the projects when a config or Jinja macro file changed.
    async fn files_changed(&self, paths: Vec<PathBuf>) {
        let mut affected = Vec::new();
        let mut reload = false;
        for path in paths {
            match guard("files changed", || self.state.disk_changed(&path)) {
                Ok(Some(paths)) => affected.extend(paths),
                Ok(None) => reload = true,
                Err(_) => {}
            }
        }
        if reload {
            let support = self.state.support();
            self.index(support.progress).await;
        } else {
            affected.sort();
            affected.dedup();
            self.changed(affected, false, None).await;
        }
    }

    /// `meshls/debug/documentText {uri}`: the server's copy of an open document (for tests).
    async fn document_text(&self, params: Value) -> Result<Option<String>> {
        let uri: Option<Uri> = params.get("uri").and_then(|u| serde_json::from_value(u.clone()).ok());
        Ok(uri.and_then(|u| path_of(&u)).and_then(|p| self.state.documents.get(&p).map(|d| d.text())))
    }

    /// `meshls/columnLineage`: the column lineage graph around `{textDocument, position}` or
    /// `{model, column?}`, with `direction` (`upstream`, `downstream`, `both`: the default)
    /// and `depth` (default: no limit). Null when there is no column there.
    async fn column_lineage(&self, params: Value) -> Result<Option<analysis::lineage::LineageGraph>> {
        use analysis::lineage::{Direction, column_graph, columns_at, named_columns};
        let encoding = self.state.encoding();
        self.background("meshls/columnLineage", None, move |this| {
            let direction = match params.get("direction").and_then(Value::as_str) {
                Some(text) => Direction::parse(text)?,
                None => Direction::Both,
            };
            let depth = params.get("depth").and_then(Value::as_u64).map(|d| d as usize);
            let (project, starts) = match params.get("model").and_then(Value::as_str) {
                Some(model) => {
                    let column = params.get("column").and_then(Value::as_str);
                    this.state.projects().into_iter().find_map(|p| {
                        let starts = named_columns(&p, model, column)?;
                        Some((p, starts))
                    })?
                }
                None => {
                    let uri: Uri = serde_json::from_value(params.get("textDocument")?.get("uri")?.clone()).ok()?;
                    let position: Position = serde_json::from_value(params.get("position")?.clone()).ok()?;
                    let (project, text, file) = this.parsed(&uri)?;
                    let at = offset(&text, &LineIndex::new(&text), position, encoding);
                    let starts = columns_at(&project, file.facts.models.first()?, at)?;
                    (project, starts)
                }
            };
            Some(column_graph(&project, &starts, direction, depth))
        })
        .await
    }

    /// `meshls/debug/panic`: panics inside a request, to prove the server survives it.
    async fn debug_panic(&self, _: Value) -> Result<Option<String>> {
        guard("meshls/debug/panic", || -> Option<String> { panic!("requested by meshls/debug/panic") })
    }

    /// `meshls/debug/sleep {ms, textDocument?}`: a request that works for `ms` milliseconds on
    /// the worker pool, about a document when one is given (for the cancellation tests).
    async fn debug_sleep(&self, params: Value) -> Result<Option<u64>> {
        let ms = params.get("ms").and_then(Value::as_u64).unwrap_or(0);
        let uri = params.get("textDocument").and_then(|d| serde_json::from_value(d.get("uri")?.clone()).ok());
        self.background("meshls/debug/sleep", uri, move |_| {
            std::thread::sleep(std::time::Duration::from_millis(ms));
            Some(ms)
        })
        .await
    }

    /// The current diagnostics of an open document, with its path.
    fn current_diagnostics(&self, uri: &Uri) -> Option<(PathBuf, String, Vec<crate::syntax::Diagnostic>)> {
        let path = path_of(uri)?;
        let (text, _, diagnostics) = self.state.diagnostics(&path)?;
        Some((path, text, diagnostics))
    }

    /// Paths and spans as LSP locations, each file's text read once (the editor's buffer
    /// when open); a file that cannot be read is left out.
    fn locations(&self, spans: impl IntoIterator<Item = (PathBuf, crate::syntax::Span)>) -> Vec<Location> {
        let mut locate = self.locator();
        spans.into_iter().filter_map(|(path, span)| locate(&path, span)).collect()
    }

    /// Converts a path and a span to a location, reading each file's text once (the editor's
    /// buffer when open); None when the file cannot be read.
    fn locator(&self) -> impl FnMut(&Path, crate::syntax::Span) -> Option<Location> + '_ {
        let encoding = self.state.encoding();
        let mut texts: std::collections::HashMap<PathBuf, Option<(String, LineIndex)>> = Default::default();
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

    /// A fix as a WorkspaceEdit.
    fn fix_edit(&self, path: &Path, fixes: &[&crate::syntax::Fix]) -> Option<WorkspaceEdit> {
        let edits: Vec<(PathBuf, crate::syntax::Span, String)> = fixes
            .iter()
            .flat_map(|fix| fix.edits.iter())
            .map(|e| (e.path.clone().unwrap_or_else(|| path.to_path_buf()), e.span, e.new_text.clone()))
            .collect();
        let snippet = fixes.iter().any(|f| f.snippet);
        workspace_edit(&edits, snippet, |p| self.state.text(p), self.state.encoding())
    }

    /// An open document parsed with its project; requests for closed files answer empty.
    fn parsed(&self, uri: &Uri) -> Option<(Arc<crate::project::Project>, String, analysis::ParsedFile)> {
        let path = path_of(uri)?;
        let text = self.state.documents.get(&path)?.text();
        let project = self.state.project_of(&path)?;
        let file = analysis::parse(&project, &path, &text)?;
        Some((project, text, file))
    }
}

impl LanguageServer for Backend {
    async fn initialize(&self, params: InitializeParams) -> Result<InitializeResult> {
        let offers_utf8 = params
            .capabilities
            .general
            .as_ref()
            .and_then(|g| g.position_encodings.as_ref())
            .is_some_and(|e| e.contains(&PositionEncodingKind::UTF8));
        let (encoding, kind) = if offers_utf8 {
            (crate::syntax::line_index::Encoding::Utf8, PositionEncodingKind::UTF8)
        } else {
            (crate::syntax::line_index::Encoding::Utf16, PositionEncodingKind::UTF16)
        };
        *self.state.encoding.write().unwrap_or_else(|e| e.into_inner()) = encoding;
        let mut folders: Vec<PathBuf> =
            params.workspace_folders.iter().flatten().filter_map(|f| path_of(&f.uri)).collect();
        #[allow(deprecated)] // root_uri is the fallback for clients without workspace folders
        if folders.is_empty()
            && let Some(root) = params.root_uri.as_ref().and_then(path_of)
        {
            folders.push(root);
        }
        *self.state.folders.write().unwrap_or_else(|e| e.into_inner()) = folders;
        let capabilities = &params.capabilities;
        *self.state.support.write().unwrap_or_else(|e| e.into_inner()) = ClientSupport {
            progress: capabilities.window.as_ref().and_then(|w| w.work_done_progress).unwrap_or(false),
            watchers: capabilities
                .workspace
                .as_ref()
                .and_then(|w| w.did_change_watched_files.as_ref())
                .and_then(|d| d.dynamic_registration)
                .unwrap_or(false),
            snippets: capabilities
                .text_document
                .as_ref()
                .and_then(|t| t.completion.as_ref())
                .and_then(|c| c.completion_item.as_ref())
                .and_then(|i| i.snippet_support)
                .unwrap_or(false),
            pull: capabilities.text_document.as_ref().is_some_and(|t| t.diagnostic.is_some()),
            refresh: capabilities
                .workspace
                .as_ref()
                .and_then(|w| w.diagnostics.as_ref())
                .and_then(|d| d.refresh_support)
                .unwrap_or(false),
            configuration: capabilities.workspace.as_ref().and_then(|w| w.configuration).unwrap_or(false),
        };
        let pull = self.state.support().pull;
        Ok(InitializeResult {
            capabilities: ServerCapabilities {
                position_encoding: Some(kind),
                text_document_sync: Some(TextDocumentSyncCapability::Options(TextDocumentSyncOptions {
                    open_close: Some(true),
                    change: Some(TextDocumentSyncKind::INCREMENTAL),
                    save: Some(TextDocumentSyncSaveOptions::Supported(true)),
                    ..Default::default()
                })),
                hover_provider: Some(HoverProviderCapability::Simple(true)),
                completion_provider: Some(CompletionOptions {
                    trigger_characters: Some(vec![".".to_string(), "@".to_string()]),
                    resolve_provider: Some(false),
                    ..Default::default()
                }),
                references_provider: Some(OneOf::Left(true)),
                rename_provider: Some(OneOf::Right(RenameOptions {
                    prepare_provider: Some(true),
                    work_done_progress_options: Default::default(),
                })),
                document_symbol_provider: Some(OneOf::Left(true)),
                workspace_symbol_provider: Some(OneOf::Left(true)),
                document_highlight_provider: Some(OneOf::Left(true)),
                code_lens_provider: Some(CodeLensOptions { resolve_provider: Some(false) }),
                inlay_hint_provider: Some(OneOf::Left(true)),
                signature_help_provider: Some(SignatureHelpOptions {
                    trigger_characters: Some(vec!["(".to_string(), ",".to_string()]),
                    ..Default::default()
                }),
                definition_provider: Some(OneOf::Left(true)),
                code_action_provider: Some(CodeActionProviderCapability::Options(CodeActionOptions {
                    code_action_kinds: Some(vec![CodeActionKind::QUICKFIX, CodeActionKind::SOURCE_FIX_ALL]),
                    ..Default::default()
                })),
                execute_command_provider: Some(ExecuteCommandOptions {
                    commands: vec![APPLY_FIXES.to_string(), SHOW_DEPENDENCIES.to_string()],
                    ..Default::default()
                }),
                // Offered only to clients that pull: others get diagnostics pushed.
                diagnostic_provider: pull.then(|| {
                    DiagnosticServerCapabilities::Options(DiagnosticOptions {
                        identifier: Some("meshls".to_string()),
                        inter_file_dependencies: true,
                        workspace_diagnostics: true,
                        work_done_progress_options: Default::default(),
                    })
                }),
                workspace: Some(WorkspaceServerCapabilities {
                    workspace_folders: Some(WorkspaceFoldersServerCapabilities {
                        supported: Some(true),
                        change_notifications: Some(OneOf::Left(true)),
                    }),
                    file_operations: None,
                }),
                ..Default::default()
            },
            server_info: Some(ServerInfo {
                name: "meshls".to_string(),
                version: Some(env!("CARGO_PKG_VERSION").to_string()),
            }),
            offset_encoding: None,
        })
    }

    async fn initialized(&self, _: InitializedParams) {
        let support = self.state.support();
        if support.watchers {
            self.register_watchers().await;
        }
        // Before indexing, so that the first diagnostics already follow the settings.
        if support.configuration {
            self.pull_settings(false).await;
        }
        let backend = self.clone();
        tokio::spawn(async move { backend.index(support.progress).await });
    }

    async fn shutdown(&self) -> Result<()> {
        Ok(())
    }

    async fn did_open(&self, params: DidOpenTextDocumentParams) {
        let document = params.text_document;
        let Some(path) = path_of(&document.uri) else { return };
        let affected =
            guard("didOpen", || self.state.open(&path, &document.text, document.version)).unwrap_or_default();
        self.changed(affected, true, Some(path)).await;
    }

    async fn did_change(&self, params: DidChangeTextDocumentParams) {
        let Some(path) = path_of(&params.text_document.uri) else { return };
        let version = params.text_document.version;
        let affected =
            guard("didChange", || self.state.change(&path, version, &params.content_changes)).unwrap_or_default();
        self.changed(affected, false, Some(path)).await;
    }

    async fn did_save(&self, params: DidSaveTextDocumentParams) {
        // A client that watches files reports the save as a file change too.
        if !self.state.support().watchers
            && let Some(path) = path_of(&params.text_document.uri)
        {
            self.files_changed(vec![path]).await;
        }
    }

    async fn did_close(&self, params: DidCloseTextDocumentParams) {
        let Some(path) = path_of(&params.text_document.uri) else { return };
        let affected = guard("didClose", || self.state.close(&path)).unwrap_or_default();
        // A closed document's pushed diagnostics are cleared; its consumers are re-checked.
        if !self.state.support().pull
            && let Some(uri) = Uri::from_file_path(&path)
        {
            let _order = self.publishing.lock().await;
            self.client.publish_diagnostics(uri, Vec::new(), None).await;
        }
        self.changed(affected.into_iter().filter(|p| *p != path).collect(), false, Some(path)).await;
    }

    async fn did_change_watched_files(&self, params: DidChangeWatchedFilesParams) {
        self.files_changed(params.changes.iter().filter_map(|c| path_of(&c.uri)).collect()).await;
    }

    async fn did_change_workspace_folders(&self, params: DidChangeWorkspaceFoldersParams) {
        {
            let mut folders = self.state.folders.write().unwrap_or_else(|e| e.into_inner());
            let removed: Vec<PathBuf> = params.event.removed.iter().filter_map(|f| path_of(&f.uri)).collect();
            folders.retain(|f| !removed.contains(f));
            folders.extend(params.event.added.iter().filter_map(|f| path_of(&f.uri)));
        }
        let support = self.state.support();
        self.index(support.progress).await;
    }

    async fn did_change_configuration(&self, params: DidChangeConfigurationParams) {
        // A client that answers `workspace/configuration` may send anything here (often null).
        if self.state.support().configuration {
            self.pull_settings(true).await;
        } else {
            self.apply_settings(Settings::from_json(&params.settings), true).await;
        }
    }

    async fn diagnostic(&self, params: DocumentDiagnosticParams) -> Result<DocumentDiagnosticReportResult> {
        let uri = params.text_document.uri;
        let previous = params.previous_result_id;
        self.background("textDocument/diagnostic", Some(uri.clone()), move |this| {
            let path = path_of(&uri);
            let (id, _, items) =
                path.as_deref().and_then(|p| this.report(p)).unwrap_or_else(|| (result_id(&[]), None, vec![]));
            if let Some(path) = path {
                this.state.reported.insert(path, id.clone());
            }
            let report = if previous.as_deref() == Some(id.as_str()) {
                DocumentDiagnosticReport::Unchanged(RelatedUnchangedDocumentDiagnosticReport {
                    related_documents: None,
                    unchanged_document_diagnostic_report: UnchangedDocumentDiagnosticReport { result_id: id },
                })
            } else {
                DocumentDiagnosticReport::Full(RelatedFullDocumentDiagnosticReport {
                    related_documents: None,
                    full_document_diagnostic_report: FullDocumentDiagnosticReport { result_id: Some(id), items },
                })
            };
            DocumentDiagnosticReportResult::Report(report)
        })
        .await
    }

    async fn workspace_diagnostic(&self, params: WorkspaceDiagnosticParams) -> Result<WorkspaceDiagnosticReportResult> {
        use analysis::check::check_project;
        self.background("workspace/diagnostic", None, move |this| {
            let previous: std::collections::HashMap<Uri, String> =
                params.previous_result_ids.into_iter().map(|p| (p.uri, p.value)).collect();
            let state = &this.state;
            let levels = state.settings().rules;
            let read = |path: &Path| match state.documents.get(path) {
                Some(document) => Some(document.text()),
                None => std::fs::read(path).ok().and_then(|b| String::from_utf8(b).ok()),
            };
            // Every file of every project is listed, those without diagnostics too, so that the
            // client clears what was fixed.
            let mut per_file: BTreeMap<PathBuf, Vec<crate::syntax::Diagnostic>> = BTreeMap::new();
            for project in state.projects() {
                per_file.extend(project.files().iter().map(|f| (f.path.clone(), Vec::new())));
                for (path, found) in check_project(&project, &read, &levels) {
                    per_file.entry(path).or_default().push(found);
                }
            }
            let items = per_file
                .into_iter()
                .filter_map(|(path, found)| {
                    let uri = Uri::from_file_path(&path)?;
                    let version = state.documents.get(&path).map(|d| i64::from(d.version));
                    let items = this.converted(&path, None, &found);
                    let id = result_id(&items);
                    state.reported.insert(path, id.clone());
                    Some(if previous.get(&uri) == Some(&id) {
                        WorkspaceDocumentDiagnosticReport::Unchanged(WorkspaceUnchangedDocumentDiagnosticReport {
                            uri,
                            version,
                            unchanged_document_diagnostic_report: UnchangedDocumentDiagnosticReport { result_id: id },
                        })
                    } else {
                        WorkspaceDocumentDiagnosticReport::Full(WorkspaceFullDocumentDiagnosticReport {
                            uri,
                            version,
                            full_document_diagnostic_report: FullDocumentDiagnosticReport {
                                result_id: Some(id),
                                items,
                            },
                        })
                    })
                })
                .collect();
            WorkspaceDiagnosticReportResult::Report(WorkspaceDiagnosticReport { items })
        })
        .await
    }

    async fn hover(&self, params: HoverParams) -> Result<Option<Hover>> {
        let position = params.text_document_position_params;
        let encoding = self.state.encoding();
        self.background("hover", Some(position.text_document.uri.clone()), move |this| {
            let (project, text, file) = this.parsed(&position.text_document.uri)?;
            let index = LineIndex::new(&text);
            let at = offset(&text, &index, position.position, encoding);
            let depth = this.state.settings().lineage_depth;
            let found = analysis::hover::hover_with_depth(&project, &file, at, depth)?;
            Some(Hover {
                contents: HoverContents::Markup(MarkupContent { kind: MarkupKind::Markdown, value: found.markdown }),
                range: Some(range(&text, &index, encoding, found.span)),
            })
        })
        .await
    }

    async fn completion(&self, params: CompletionParams) -> Result<Option<CompletionResponse>> {
        use analysis::completion::{CompletionKind as K, completion_list};
        let position = params.text_document_position;
        let encoding = self.state.encoding();
        let snippets = self.state.support().snippets;
        self.background("completion", Some(position.text_document.uri.clone()), move |this| {
            let (project, text, file) = this.parsed(&position.text_document.uri)?;
            let index = LineIndex::new(&text);
            let at = offset(&text, &index, position.position, encoding);
            let found = completion_list(&project, &file, &text, at);
            let items = found
                .items
                .into_iter()
                .map(|item| {
                    let snippet = item.snippet && snippets;
                    let new_text = match (&item.insert_text, item.snippet && !snippets) {
                        (Some(text), true) => convert::without_placeholders(text),
                        (Some(text), false) => text.clone(),
                        (None, _) => item.label.clone(),
                    };
                    CompletionItem {
                        kind: Some(match item.kind {
                            K::Model => CompletionItemKind::CLASS,
                            K::Cte => CompletionItemKind::STRUCT,
                            K::Column => CompletionItemKind::FIELD,
                            K::Alias => CompletionItemKind::VARIABLE,
                            K::Macro => CompletionItemKind::FUNCTION,
                            K::MacroVariable => CompletionItemKind::CONSTANT,
                            K::Property => CompletionItemKind::PROPERTY,
                            K::Kind | K::Dialect | K::Value => CompletionItemKind::ENUM_MEMBER,
                            K::Keyword => CompletionItemKind::KEYWORD,
                            K::Audit => CompletionItemKind::EVENT,
                        }),
                        detail: item.detail,
                        documentation: item.documentation.map(|value| {
                            Documentation::MarkupContent(MarkupContent { kind: MarkupKind::Markdown, value })
                        }),
                        sort_text: Some(item.sort_text),
                        filter_text: Some(item.label.clone()),
                        insert_text_format: Some(if snippet {
                            InsertTextFormat::SNIPPET
                        } else {
                            InsertTextFormat::PLAIN_TEXT
                        }),
                        text_edit: Some(CompletionTextEdit::Edit(TextEdit {
                            range: range(&text, &index, encoding, item.replace),
                            new_text,
                        })),
                        label: item.label,
                        ..Default::default()
                    }
                })
                .collect();
            Some(CompletionResponse::List(CompletionList { is_incomplete: found.incomplete, items }))
        })
        .await
    }

    async fn signature_help(&self, params: SignatureHelpParams) -> Result<Option<SignatureHelp>> {
        let position = params.text_document_position_params;
        let encoding = self.state.encoding();
        self.background("signatureHelp", Some(position.text_document.uri.clone()), move |this| {
            let (project, text, file) = this.parsed(&position.text_document.uri)?;
            let at = offset(&text, &LineIndex::new(&text), position.position, encoding);
            let dialect = file.facts.models.first().and_then(|m| m.dialect.clone());
            let found = analysis::signature::signature_help(&project, &text, dialect.as_deref(), at)?;
            let active = Some(found.active as u32);
            Some(SignatureHelp {
                signatures: vec![SignatureInformation {
                    label: found.label,
                    documentation: found
                        .documentation
                        .map(|value| Documentation::MarkupContent(MarkupContent { kind: MarkupKind::Markdown, value })),
                    parameters: Some(
                        found
                            .parameters
                            .into_iter()
                            .map(|p| ParameterInformation { label: ParameterLabel::Simple(p), documentation: None })
                            .collect(),
                    ),
                    active_parameter: active,
                }],
                active_signature: Some(0),
                active_parameter: active,
            })
        })
        .await
    }

    async fn code_action(&self, params: CodeActionParams) -> Result<Option<CodeActionResponse>> {
        let encoding = self.state.encoding();
        self.background("codeAction", Some(params.text_document.uri.clone()), move |this| {
            let (path, text, diagnostics) = this.current_diagnostics(&params.text_document.uri)?;
            let index = LineIndex::new(&text);
            let wanted = (
                offset(&text, &index, params.range.start, encoding),
                offset(&text, &index, params.range.end, encoding),
            );
            let found = analysis::code_action::code_actions(&path, &diagnostics, wanted);
            let mut actions = Vec::new();
            for quick in found.quick_fixes {
                let Some(edit) = this.fix_edit(&path, &[quick.fix]) else { continue };
                actions.push(CodeActionOrCommand::CodeAction(CodeAction {
                    title: quick.fix.title.clone(),
                    kind: Some(CodeActionKind::QUICKFIX),
                    diagnostics: Some(vec![diagnostic(&text, &index, encoding, quick.diagnostic)]),
                    edit: Some(edit),
                    is_preferred: Some(quick.preferred),
                    ..Default::default()
                }));
            }
            if found.fix_all {
                actions.push(CodeActionOrCommand::CodeAction(CodeAction {
                    title: "Apply every safe meshls fix in this file".to_string(),
                    kind: Some(CodeActionKind::SOURCE_FIX_ALL),
                    command: Some(Command {
                        title: "Apply every safe meshls fix".to_string(),
                        command: APPLY_FIXES.to_string(),
                        arguments: Some(vec![serde_json::to_value(&params.text_document.uri).unwrap_or_default()]),
                    }),
                    ..Default::default()
                }));
            }
            (!actions.is_empty()).then_some(actions)
        })
        .await
    }

    async fn execute_command(&self, params: ExecuteCommandParams) -> Result<Option<LSPAny>> {
        if params.command == SHOW_DEPENDENCIES {
            // Any client can show a message: the lists, also returned for editors that show
            // them their own way.
            let lists = params.arguments.first().cloned();
            if let Some(message) = lists.as_ref().and_then(dependencies_message) {
                self.client.show_message(MessageType::INFO, message).await;
            }
            return Ok(lists);
        }
        if params.command != APPLY_FIXES {
            return Err(Error::invalid_params(format!("unknown command {}", params.command)));
        }
        let uri: Option<Uri> = params.arguments.first().and_then(|a| serde_json::from_value(a.clone()).ok());
        let Some(uri) = uri else { return Err(Error::invalid_params("meshls.applyFixes takes a document URI")) };
        let edit = guard("applyFixes", || {
            let (path, _, diagnostics) = self.current_diagnostics(&uri)?;
            let chosen = analysis::code_action::fix_all(&path, &diagnostics);
            (!chosen.is_empty()).then(|| self.fix_edit(&path, &chosen)).flatten()
        })?;
        if let Some(edit) = edit
            && let Err(error) = self.client.apply_edit(edit).await
        {
            tracing::warn!("workspace/applyEdit failed: {error}");
        }
        Ok(None)
    }

    async fn references(&self, params: ReferenceParams) -> Result<Option<Vec<Location>>> {
        let position = params.text_document_position;
        let include_declaration = params.context.include_declaration;
        let encoding = self.state.encoding();
        self.background("references", Some(position.text_document.uri.clone()), move |this| {
            let (project, text, file) = this.parsed(&position.text_document.uri)?;
            let at = offset(&text, &LineIndex::new(&text), position.position, encoding);
            let projects = this.state.projects();
            let read = |path: &Path| this.state.text(path);
            let sources = analysis::references::Sources { projects: &projects, text: &read };
            let found = analysis::references::find_references(&project, &file, &text, at, &sources);
            let spans = found.into_iter().filter(|l| include_declaration || !l.definition).map(|l| (l.path, l.span));
            Some(this.locations(spans))
        })
        .await
    }

    async fn prepare_rename(&self, params: TextDocumentPositionParams) -> Result<Option<PrepareRenameResponse>> {
        let encoding = self.state.encoding();
        let prepared = self
            .background("prepareRename", Some(params.text_document.uri.clone()), move |this| {
                let (project, text, file) = this.parsed(&params.text_document.uri)?;
                let index = LineIndex::new(&text);
                let at = offset(&text, &index, params.position, encoding);
                Some(
                    analysis::rename::prepare_rename(&project, &file, &text, at)
                        .map(|(span, placeholder)| (range(&text, &index, encoding, span), placeholder)),
                )
            })
            .await?;
        match prepared {
            Some(Ok((range, placeholder))) => {
                Ok(Some(PrepareRenameResponse::RangeWithPlaceholder { range, placeholder }))
            }
            Some(Err(why)) => Err(Error::invalid_params(why)),
            None => Ok(None),
        }
    }

    async fn rename(&self, params: RenameParams) -> Result<Option<WorkspaceEdit>> {
        let position = params.text_document_position;
        let encoding = self.state.encoding();
        let renamed = self
            .background("rename", Some(position.text_document.uri.clone()), move |this| {
                let (project, text, file) = this.parsed(&position.text_document.uri)?;
                let at = offset(&text, &LineIndex::new(&text), position.position, encoding);
                let projects = this.state.projects();
                let read = |path: &Path| this.state.text(path);
                let sources = analysis::references::Sources { projects: &projects, text: &read };
                Some(analysis::rename::rename(&project, &file, &text, at, &params.new_name, &sources))
            })
            .await?;
        match renamed {
            Some(Ok(edits)) => Ok(workspace_edit(&edits, false, |p| self.state.text(p), encoding)),
            Some(Err(why)) => Err(Error::invalid_params(why)),
            None => Ok(None),
        }
    }

    async fn document_symbol(&self, params: DocumentSymbolParams) -> Result<Option<DocumentSymbolResponse>> {
        let encoding = self.state.encoding();
        self.background("documentSymbol", Some(params.text_document.uri.clone()), move |this| {
            let (project, text, file) = this.parsed(&params.text_document.uri)?;
            let index = LineIndex::new(&text);
            #[allow(deprecated)] // `deprecated` is a required field of the LSP type.
            fn convert(
                symbol: analysis::symbols::DocumentSymbol,
                text: &str,
                index: &LineIndex,
                encoding: crate::syntax::line_index::Encoding,
            ) -> DocumentSymbol {
                DocumentSymbol {
                    name: symbol.name,
                    detail: symbol.detail,
                    kind: symbol_kind(symbol.kind),
                    tags: None,
                    deprecated: None,
                    range: range(text, index, encoding, symbol.span),
                    selection_range: range(text, index, encoding, symbol.selection),
                    children: Some(symbol.children.into_iter().map(|c| convert(c, text, index, encoding)).collect()),
                }
            }
            let symbols = analysis::symbols::document_symbols(&project, &file);
            Some(DocumentSymbolResponse::Nested(
                symbols.into_iter().map(|s| convert(s, &text, &index, encoding)).collect(),
            ))
        })
        .await
    }

    async fn symbol(&self, params: WorkspaceSymbolParams) -> Result<Option<WorkspaceSymbolResponse>> {
        self.background("workspace/symbol", None, move |this| {
            let found = analysis::symbols::workspace_symbols(&this.state.projects(), &params.query);
            let mut locate = this.locator();
            // A symbol whose file cannot be read is left out; the others keep their own locations.
            #[allow(deprecated)] // `deprecated` is a required field of the LSP type.
            let symbols = found
                .into_iter()
                .filter_map(|symbol| {
                    Some(SymbolInformation {
                        location: locate(&symbol.path, symbol.span)?,
                        name: symbol.name.to_string(),
                        kind: symbol_kind(symbol.kind),
                        tags: None,
                        deprecated: None,
                        container_name: Some(symbol.detail),
                    })
                })
                .collect();
            Some(WorkspaceSymbolResponse::Flat(symbols))
        })
        .await
    }

    async fn document_highlight(&self, params: DocumentHighlightParams) -> Result<Option<Vec<DocumentHighlight>>> {
        let position = params.text_document_position_params;
        let encoding = self.state.encoding();
        self.background("documentHighlight", Some(position.text_document.uri.clone()), move |this| {
            let (project, text, file) = this.parsed(&position.text_document.uri)?;
            let index = LineIndex::new(&text);
            let at = offset(&text, &index, position.position, encoding);
            let found = analysis::highlight::highlight(&project, &file, &text, at);
            Some(
                found
                    .into_iter()
                    .map(|h| DocumentHighlight {
                        range: range(&text, &index, encoding, h.span),
                        kind: Some(match h.kind {
                            analysis::highlight::HighlightKind::Read => DocumentHighlightKind::READ,
                            analysis::highlight::HighlightKind::Write => DocumentHighlightKind::WRITE,
                        }),
                    })
                    .collect(),
            )
        })
        .await
    }

    async fn code_lens(&self, params: CodeLensParams) -> Result<Option<Vec<CodeLens>>> {
        let encoding = self.state.encoding();
        self.background("codeLens", Some(params.text_document.uri.clone()), move |this| {
            let (project, text, file) = this.parsed(&params.text_document.uri)?;
            let index = LineIndex::new(&text);
            let lenses = analysis::code_lens::code_lens(&project, &file);
            Some(
                lenses
                    .into_iter()
                    .map(|lens| CodeLens {
                        range: range(&text, &index, encoding, lens.span),
                        command: Some(Command {
                            title: lens.title,
                            command: SHOW_DEPENDENCIES.to_string(),
                            arguments: Some(vec![json!({
                                "model": lens.model.as_str(),
                                "upstream": lens.upstream.iter().map(|m| m.as_str()).collect::<Vec<_>>(),
                                "downstream": lens.downstream.iter().map(|m| m.as_str()).collect::<Vec<_>>(),
                            })]),
                        }),
                        data: None,
                    })
                    .collect(),
            )
        })
        .await
    }

    async fn inlay_hint(&self, params: InlayHintParams) -> Result<Option<Vec<InlayHint>>> {
        let encoding = self.state.encoding();
        self.background("inlayHint", Some(params.text_document.uri.clone()), move |this| {
            let (project, text, file) = this.parsed(&params.text_document.uri)?;
            let index = LineIndex::new(&text);
            let wanted = (
                offset(&text, &index, params.range.start, encoding),
                offset(&text, &index, params.range.end, encoding),
            );
            let hints = analysis::inlay::inlay_hints(&project, &file);
            Some(
                hints
                    .into_iter()
                    .filter(|h| wanted.0 <= h.offset && h.offset <= wanted.1)
                    .map(|h| InlayHint {
                        position: range(&text, &index, encoding, crate::syntax::Span::at(h.offset)).start,
                        label: InlayHintLabel::String(h.label),
                        kind: Some(InlayHintKind::TYPE),
                        text_edits: None,
                        tooltip: None,
                        padding_left: None,
                        padding_right: None,
                        data: None,
                    })
                    .collect(),
            )
        })
        .await
    }

    async fn goto_definition(&self, params: GotoDefinitionParams) -> Result<Option<GotoDefinitionResponse>> {
        let position = params.text_document_position_params;
        let encoding = self.state.encoding();
        self.background("definition", Some(position.text_document.uri.clone()), move |this| {
            let (project, text, file) = this.parsed(&position.text_document.uri)?;
            let at = offset(&text, &LineIndex::new(&text), position.position, encoding);
            let targets = analysis::navigation::definition_in_workspace(&this.state.projects(), &project, &file, at);
            let locations = this.locations(targets.into_iter().map(|t| (t.path, t.span)));
            (!locations.is_empty()).then_some(GotoDefinitionResponse::Array(locations))
        })
        .await
    }
}
