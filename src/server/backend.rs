//! The server object and its `LanguageServer` implementation: one line per method, each
//! dispatching to its handler (`handlers/`), requests through [`Backend::answer`].

use super::handlers::{
    code_action, code_lens, completion, configuration, debug, definition, diagnostics, execute_command, highlight,
    hover, initialize, inlay_hint, lineage, references, rename, signature_help, symbols, text_sync, workspace,
};
use super::state::State;
use crate::analysis::lineage::LineageGraph;
use serde_json::Value;
use std::sync::Arc;
use tower_lsp_server::jsonrpc::Result;
use tower_lsp_server::ls_types::*;
use tower_lsp_server::{Client, LanguageServer};

/// The server: the connection to the client and the state, shared by every handler (a clone
/// is cheap, for work moved to the blocking pool).
#[derive(Clone)]
pub struct Backend {
    pub client: Client,
    pub state: Arc<State>,
    /// Held while diagnostics are computed and sent, so that they go out in the order of the
    /// changes: a document's published versions never go back.
    pub publishing: Arc<tokio::sync::Mutex<()>>,
}

impl LanguageServer for Backend {
    async fn initialize(&self, params: InitializeParams) -> Result<InitializeResult> {
        Ok(initialize::initialize(self, params))
    }

    async fn initialized(&self, _: InitializedParams) {
        initialize::initialized(self).await
    }

    async fn shutdown(&self) -> Result<()> {
        Ok(())
    }

    async fn did_open(&self, params: DidOpenTextDocumentParams) {
        text_sync::did_open(self, params).await
    }

    async fn did_change(&self, params: DidChangeTextDocumentParams) {
        text_sync::did_change(self, params).await
    }

    async fn did_save(&self, params: DidSaveTextDocumentParams) {
        text_sync::did_save(self, params).await
    }

    async fn did_close(&self, params: DidCloseTextDocumentParams) {
        text_sync::did_close(self, params).await
    }

    async fn did_change_watched_files(&self, params: DidChangeWatchedFilesParams) {
        workspace::did_change_watched_files(self, params).await
    }

    async fn did_change_workspace_folders(&self, params: DidChangeWorkspaceFoldersParams) {
        workspace::did_change_workspace_folders(self, params).await
    }

    async fn did_change_configuration(&self, params: DidChangeConfigurationParams) {
        configuration::did_change_configuration(self, params).await
    }

    async fn diagnostic(&self, params: DocumentDiagnosticParams) -> Result<DocumentDiagnosticReportResult> {
        self.answer::<diagnostics::DocumentDiagnostic>(params).await
    }

    async fn workspace_diagnostic(&self, params: WorkspaceDiagnosticParams) -> Result<WorkspaceDiagnosticReportResult> {
        self.answer::<diagnostics::WorkspaceDiagnostic>(params).await
    }

    async fn hover(&self, params: HoverParams) -> Result<Option<Hover>> {
        self.answer::<hover::Hover>(params).await
    }

    async fn completion(&self, params: CompletionParams) -> Result<Option<CompletionResponse>> {
        self.answer::<completion::Completion>(params).await
    }

    async fn signature_help(&self, params: SignatureHelpParams) -> Result<Option<SignatureHelp>> {
        self.answer::<signature_help::SignatureHelp>(params).await
    }

    async fn code_action(&self, params: CodeActionParams) -> Result<Option<CodeActionResponse>> {
        self.answer::<code_action::CodeAction>(params).await
    }

    async fn execute_command(&self, params: ExecuteCommandParams) -> Result<Option<LSPAny>> {
        execute_command::execute_command(self, params).await
    }

    async fn references(&self, params: ReferenceParams) -> Result<Option<Vec<Location>>> {
        self.answer::<references::References>(params).await
    }

    async fn prepare_rename(&self, params: TextDocumentPositionParams) -> Result<Option<PrepareRenameResponse>> {
        self.answer::<rename::PrepareRename>(params).await
    }

    async fn rename(&self, params: RenameParams) -> Result<Option<WorkspaceEdit>> {
        self.answer::<rename::Rename>(params).await
    }

    async fn document_symbol(&self, params: DocumentSymbolParams) -> Result<Option<DocumentSymbolResponse>> {
        self.answer::<symbols::DocumentSymbols>(params).await
    }

    async fn symbol(&self, params: WorkspaceSymbolParams) -> Result<Option<WorkspaceSymbolResponse>> {
        self.answer::<symbols::WorkspaceSymbols>(params).await
    }

    async fn document_highlight(&self, params: DocumentHighlightParams) -> Result<Option<Vec<DocumentHighlight>>> {
        self.answer::<highlight::DocumentHighlight>(params).await
    }

    async fn code_lens(&self, params: CodeLensParams) -> Result<Option<Vec<CodeLens>>> {
        self.answer::<code_lens::CodeLens>(params).await
    }

    async fn inlay_hint(&self, params: InlayHintParams) -> Result<Option<Vec<InlayHint>>> {
        self.answer::<inlay_hint::InlayHint>(params).await
    }

    async fn goto_definition(&self, params: GotoDefinitionParams) -> Result<Option<GotoDefinitionResponse>> {
        self.answer::<definition::Definition>(params).await
    }
}

/// The custom methods (`meshls/...`), registered in [`super::run`].
impl Backend {
    pub async fn column_lineage(&self, params: Value) -> Result<Option<LineageGraph>> {
        self.answer::<lineage::ColumnLineage>(params).await
    }

    pub async fn document_text(&self, params: Value) -> Result<Option<String>> {
        Ok(debug::document_text(self, params))
    }

    pub async fn debug_panic(&self, params: Value) -> Result<Option<String>> {
        debug::panic(params)
    }

    pub async fn debug_sleep(&self, params: Value) -> Result<Option<u64>> {
        self.answer::<debug::Sleep>(params).await
    }
}
