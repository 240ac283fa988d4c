//! The language server: the only module that knows LSP. Handlers convert at the edge and
//! call `analysis`; document changes are applied synchronously, in arrival order, before any
//! `.await`.

mod convert;
mod documents;
mod state;

use crate::analysis;
use crate::analysis::check::compatible_fixes;
use crate::syntax::line_index::LineIndex;
use convert::{diagnostic, offset, range, workspace_edit};
use serde_json::{Value, json};
use state::{ClientSupport, State};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use tower_lsp_server::jsonrpc::{Error, Result};
use tower_lsp_server::ls_types::*;
use tower_lsp_server::{Client, LanguageServer, LspService, Server};

/// `meshls.applyFixes [uri]`: applies every safe fix of a document through `workspace/applyEdit`.
const APPLY_FIXES: &str = "meshls.applyFixes";

/// Files are indexed in chunks of this many, with a progress report after each.
const INDEX_CHUNK: usize = 1000;

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
        let mut builder = LspService::build(|client| Backend { client, state: Arc::new(State::default()) })
            .custom_method("meshls/debug/documentText", Backend::document_text)
            .custom_method("meshls/columnLineage", Backend::column_lineage);
        if debug {
            builder = builder.custom_method("meshls/debug/panic", Backend::debug_panic);
        }
        let (service, socket) = builder.finish();
        Server::new(tokio::io::stdin(), tokio::io::stdout(), socket).serve(service).await;
    });
    std::process::ExitCode::SUCCESS
}

#[derive(Clone)]
struct Backend {
    client: Client,
    state: Arc<State>,
}

/// Runs `f`, turning a panic into an error response (and a log line) instead of a crash.
fn guard<T>(what: &str, f: impl FnOnce() -> T) -> Result<T> {
    catch_unwind(AssertUnwindSafe(f)).map_err(|panic| {
        let message = panic
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| panic.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "unknown panic".to_string());
        tracing::error!("{what} panicked: {message}");
        let mut error = Error::internal_error();
        error.message = format!("meshls: {what} failed: {message}").into();
        error
    })
}

fn path_of(uri: &Uri) -> Option<PathBuf> {
    uri.to_file_path().map(|p| p.into_owned())
}

impl Backend {
    /// Publishes the diagnostics of those `paths` that are open, when they changed (or always,
    /// with `force`).
    async fn publish(&self, paths: Vec<PathBuf>, force: bool) {
        for path in paths {
            let Some((uri, version, diagnostics)) =
                guard("diagnostics", || self.diagnostics_of(&path, force)).ok().flatten()
            else {
                continue;
            };
            self.client.publish_diagnostics(uri, diagnostics, Some(version)).await;
        }
    }

    fn diagnostics_of(&self, path: &Path, force: bool) -> Option<(Uri, i32, Vec<Diagnostic>)> {
        let (text, version, found) = self.state.diagnostics(path)?;
        if !force && self.state.published.get(path).is_some_and(|old| *old == found) {
            return None;
        }
        let encoding = self.state.encoding();
        let index = LineIndex::new(&text);
        let converted = found.iter().map(|d| diagnostic(&text, &index, encoding, d)).collect();
        self.state.published.insert(path.to_path_buf(), found);
        Some((Uri::from_file_path(path)?, version, converted))
    }

    /// Indexes every project of the workspace, reporting progress, then publishes the
    /// diagnostics of the open documents.
    async fn index(&self, progress: bool) {
        let opened = self.state.open_projects();
        let total: usize = opened.iter().map(|(_, files)| files.len()).sum();
        let token = NumberOrString::String("meshls/index".to_string());
        let ongoing = if progress
            && self
                .client
                .send_request::<request::WorkDoneProgressCreate>(WorkDoneProgressCreateParams { token: token.clone() })
                .await
                .is_ok()
        {
            Some(self.client.progress(token, "Indexing SQLMesh projects").with_percentage(0).begin().await)
        } else {
            None
        };
        let started = std::time::Instant::now();
        let mut done = 0;
        for (project, files) in opened {
            for chunk in files.chunks(INDEX_CHUNK) {
                let (project, files) = (Arc::clone(&project), chunk.to_vec());
                if let Err(error) = tokio::task::spawn_blocking(move || project.load_files(&files)).await {
                    tracing::error!("indexing failed: {error}");
                }
                done += chunk.len();
                if let Some(ongoing) = &ongoing {
                    let percent = (done * 100 / total.max(1)) as u32;
                    ongoing.report_with_message(format!("{done}/{total} files"), percent).await;
                }
            }
            project.set_indexed();
        }
        // Open buffers win over what was read from disk.
        let open: Vec<(PathBuf, String)> = self.state.documents.iter().map(|d| (d.key().clone(), d.text())).collect();
        for (path, text) in &open {
            if let Some(project) = self.state.project_of(path) {
                project.set_file(path, Some(text.as_bytes()));
            }
        }
        tracing::info!("indexed {total} files in {:.0?}", started.elapsed());
        if let Some(ongoing) = ongoing {
            ongoing.finish_with_message(format!("{total} files")).await;
        }
        // Documents opened meanwhile were answered from what was indexed then; send only changes.
        self.publish(open.into_iter().map(|(p, _)| p).collect(), false).await;
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
        guard("meshls/columnLineage", || {
            let direction = match params.get("direction").and_then(Value::as_str) {
                Some(text) => Direction::parse(text)?,
                None => Direction::Both,
            };
            let depth = params.get("depth").and_then(Value::as_u64).map(|d| d as usize);
            let (project, starts) = match params.get("model").and_then(Value::as_str) {
                Some(model) => {
                    let column = params.get("column").and_then(Value::as_str);
                    self.state.projects().into_iter().find_map(|p| {
                        let starts = named_columns(&p, model, column)?;
                        Some((p, starts))
                    })?
                }
                None => {
                    let uri: Uri = serde_json::from_value(params.get("textDocument")?.get("uri")?.clone()).ok()?;
                    let position: Position = serde_json::from_value(params.get("position")?.clone()).ok()?;
                    let (project, text, file) = self.parsed(&uri)?;
                    let at = offset(&text, &LineIndex::new(&text), position, encoding);
                    let starts = columns_at(&project, file.facts.models.first()?, at)?;
                    (project, starts)
                }
            };
            Some(column_graph(&project, &starts, direction, depth))
        })
    }

    /// `meshls/debug/panic`: panics inside a request, to prove the server survives it.
    async fn debug_panic(&self, _: Value) -> Result<Option<String>> {
        guard("meshls/debug/panic", || -> Option<String> { panic!("requested by meshls/debug/panic") })
    }

    /// The current diagnostics of an open document, with its path.
    fn current_diagnostics(&self, uri: &Uri) -> Option<(PathBuf, String, Vec<crate::syntax::Diagnostic>)> {
        let path = path_of(uri)?;
        let (text, _, diagnostics) = self.state.diagnostics(&path)?;
        Some((path, text, diagnostics))
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
        };
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
                    commands: vec![APPLY_FIXES.to_string()],
                    ..Default::default()
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
        self.publish(affected, true).await;
    }

    async fn did_change(&self, params: DidChangeTextDocumentParams) {
        let Some(path) = path_of(&params.text_document.uri) else { return };
        let version = params.text_document.version;
        let affected =
            guard("didChange", || self.state.change(&path, version, &params.content_changes)).unwrap_or_default();
        self.publish(affected, false).await;
    }

    async fn did_save(&self, _: DidSaveTextDocumentParams) {}

    async fn did_close(&self, params: DidCloseTextDocumentParams) {
        let Some(path) = path_of(&params.text_document.uri) else { return };
        let affected = guard("didClose", || self.state.close(&path)).unwrap_or_default();
        // A closed document's diagnostics are cleared; its consumers are re-checked.
        if let Some(uri) = Uri::from_file_path(&path) {
            self.client.publish_diagnostics(uri, Vec::new(), None).await;
        }
        self.publish(affected.into_iter().filter(|p| *p != path).collect(), false).await;
    }

    async fn did_change_watched_files(&self, params: DidChangeWatchedFilesParams) {
        let mut affected = Vec::new();
        let mut reload = false;
        for change in &params.changes {
            let Some(path) = path_of(&change.uri) else { continue };
            match guard("didChangeWatchedFiles", || self.state.disk_changed(&path)) {
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
            self.publish(affected, false).await;
        }
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

    async fn hover(&self, params: HoverParams) -> Result<Option<Hover>> {
        let position = params.text_document_position_params;
        let encoding = self.state.encoding();
        guard("hover", || {
            let (project, text, file) = self.parsed(&position.text_document.uri)?;
            let index = LineIndex::new(&text);
            let at = offset(&text, &index, position.position, encoding);
            let found = analysis::hover::hover(&project, &file, at)?;
            Some(Hover {
                contents: HoverContents::Markup(MarkupContent { kind: MarkupKind::Markdown, value: found.markdown }),
                range: Some(range(&text, &index, encoding, found.span)),
            })
        })
    }

    async fn signature_help(&self, params: SignatureHelpParams) -> Result<Option<SignatureHelp>> {
        let position = params.text_document_position_params;
        let encoding = self.state.encoding();
        guard("signatureHelp", || {
            let (project, text, file) = self.parsed(&position.text_document.uri)?;
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
    }

    async fn code_action(&self, params: CodeActionParams) -> Result<Option<CodeActionResponse>> {
        let encoding = self.state.encoding();
        guard("codeAction", || {
            let (path, text, diagnostics) = self.current_diagnostics(&params.text_document.uri)?;
            let index = LineIndex::new(&text);
            let wanted = (
                offset(&text, &index, params.range.start, encoding),
                offset(&text, &index, params.range.end, encoding),
            );
            let mut actions = Vec::new();
            for d in &diagnostics {
                let Some(fix) = &d.fix else { continue };
                let touches = (d.span.start as usize) <= wanted.1 && wanted.0 <= (d.span.end as usize);
                if !touches {
                    continue;
                }
                let Some(edit) = self.fix_edit(&path, &[fix]) else { continue };
                actions.push(CodeActionOrCommand::CodeAction(CodeAction {
                    title: fix.title.clone(),
                    kind: Some(CodeActionKind::QUICKFIX),
                    diagnostics: Some(vec![diagnostic(&text, &index, encoding, d)]),
                    edit: Some(edit),
                    is_preferred: Some(fix.safe),
                    ..Default::default()
                }));
            }
            if diagnostics.iter().any(|d| d.fix.as_ref().is_some_and(|f| f.safe && !f.snippet)) {
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
    }

    async fn execute_command(&self, params: ExecuteCommandParams) -> Result<Option<LSPAny>> {
        if params.command != APPLY_FIXES {
            return Err(Error::invalid_params(format!("unknown command {}", params.command)));
        }
        let uri: Option<Uri> = params.arguments.first().and_then(|a| serde_json::from_value(a.clone()).ok());
        let Some(uri) = uri else { return Err(Error::invalid_params("meshls.applyFixes takes a document URI")) };
        let edit = guard("applyFixes", || {
            let (path, _, diagnostics) = self.current_diagnostics(&uri)?;
            let chosen: Vec<&crate::syntax::Fix> =
                compatible_fixes(diagnostics.iter().filter_map(|d| Some((path.as_path(), d.fix.as_deref()?))))
                    .into_iter()
                    .map(|(_, fix)| fix)
                    .collect();
            (!chosen.is_empty()).then(|| self.fix_edit(&path, &chosen)).flatten()
        })?;
        if let Some(edit) = edit
            && let Err(error) = self.client.apply_edit(edit).await
        {
            tracing::warn!("workspace/applyEdit failed: {error}");
        }
        Ok(None)
    }

    async fn goto_definition(&self, params: GotoDefinitionParams) -> Result<Option<GotoDefinitionResponse>> {
        let position = params.text_document_position_params;
        let encoding = self.state.encoding();
        guard("definition", || {
            let (project, text, file) = self.parsed(&position.text_document.uri)?;
            let at = offset(&text, &LineIndex::new(&text), position.position, encoding);
            let targets = analysis::navigation::definition(&project, &file, at);
            let locations: Vec<Location> = targets
                .into_iter()
                .filter_map(|target| {
                    let text = self.state.text(&target.path)?;
                    let index = LineIndex::new(&text);
                    Some(Location {
                        uri: Uri::from_file_path(&target.path)?,
                        range: range(&text, &index, encoding, target.span),
                    })
                })
                .collect();
            (!locations.is_empty()).then_some(GotoDefinitionResponse::Array(locations))
        })
    }
}
