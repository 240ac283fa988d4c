//! `textDocument/documentSymbol` and `workspace/symbol`.

use crate::analysis;
use crate::analysis::symbols::{SymbolKind as Kind, document_symbols, workspace_symbols};
use crate::server::backend::Backend;
use crate::server::convert::range;
use crate::server::schedule::BackgroundRequest;
use crate::syntax::line_index::{Encoding, LineIndex};
use tower_lsp_server::jsonrpc::Result;
use tower_lsp_server::ls_types::{
    DocumentSymbol, DocumentSymbolParams, DocumentSymbolResponse, SymbolInformation, SymbolKind, Uri,
    WorkspaceSymbolParams, WorkspaceSymbolResponse,
};

/// `textDocument/documentSymbol`: on the worker pool, over the document.
pub struct DocumentSymbols;

impl BackgroundRequest for DocumentSymbols {
    const NAME: &'static str = "documentSymbol";
    type Params = DocumentSymbolParams;
    type Response = Option<DocumentSymbolResponse>;

    fn document(params: &DocumentSymbolParams) -> Option<Uri> {
        Some(params.text_document.uri.clone())
    }

    fn run(backend: &Backend, params: DocumentSymbolParams) -> Result<Option<DocumentSymbolResponse>> {
        Ok(outline(backend, &params.text_document.uri))
    }
}

fn outline(backend: &Backend, uri: &Uri) -> Option<DocumentSymbolResponse> {
    let encoding = backend.state.encoding();
    let (project, text, file) = backend.parsed(uri)?;
    let index = LineIndex::new(&text);
    let symbols = document_symbols(&project, &file);
    Some(DocumentSymbolResponse::Nested(
        symbols.into_iter().map(|s| document_symbol(s, &text, &index, encoding)).collect(),
    ))
}

#[allow(deprecated)] // `deprecated` is a required field of the LSP type.
fn document_symbol(
    symbol: analysis::symbols::DocumentSymbol,
    text: &str,
    index: &LineIndex,
    encoding: Encoding,
) -> DocumentSymbol {
    DocumentSymbol {
        name: symbol.name,
        detail: symbol.detail,
        kind: symbol_kind(symbol.kind),
        tags: None,
        deprecated: None,
        range: range(text, index, encoding, symbol.span),
        selection_range: range(text, index, encoding, symbol.selection),
        children: Some(symbol.children.into_iter().map(|c| document_symbol(c, text, index, encoding)).collect()),
    }
}

/// `workspace/symbol`: on the worker pool, over every project.
pub struct WorkspaceSymbols;

impl BackgroundRequest for WorkspaceSymbols {
    const NAME: &'static str = "workspace/symbol";
    type Params = WorkspaceSymbolParams;
    type Response = Option<WorkspaceSymbolResponse>;

    fn document(_: &WorkspaceSymbolParams) -> Option<Uri> {
        None
    }

    fn run(backend: &Backend, params: WorkspaceSymbolParams) -> Result<Option<WorkspaceSymbolResponse>> {
        Ok(Some(symbols_matching(backend, &params.query)))
    }
}

fn symbols_matching(backend: &Backend, query: &str) -> WorkspaceSymbolResponse {
    let found = workspace_symbols(&backend.state.projects(), query);
    let mut locate = backend.locator();
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
    WorkspaceSymbolResponse::Flat(symbols)
}

fn symbol_kind(kind: Kind) -> SymbolKind {
    match kind {
        Kind::Model | Kind::Seed | Kind::ExternalModel => SymbolKind::CLASS,
        Kind::Cte => SymbolKind::STRUCT,
        Kind::Column => SymbolKind::FIELD,
        Kind::Audit => SymbolKind::EVENT,
        Kind::Macro => SymbolKind::FUNCTION,
    }
}
