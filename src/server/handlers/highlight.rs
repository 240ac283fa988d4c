//! `textDocument/documentHighlight`.

use crate::analysis::highlight::{HighlightKind, highlight};
use crate::server::backend::Backend;
use crate::server::convert::{offset, range};
use crate::server::schedule::BackgroundRequest;
use crate::syntax::line_index::LineIndex;
use tower_lsp_server::jsonrpc::Result;
use tower_lsp_server::ls_types::{
    self as lsp, DocumentHighlightKind, DocumentHighlightParams, TextDocumentPositionParams, Uri,
};

/// `textDocument/documentHighlight`: on the worker pool, over the document.
pub struct DocumentHighlight;

impl BackgroundRequest for DocumentHighlight {
    const NAME: &'static str = "documentHighlight";
    type Params = DocumentHighlightParams;
    type Response = Option<Vec<lsp::DocumentHighlight>>;

    fn document(params: &DocumentHighlightParams) -> Option<Uri> {
        Some(params.text_document_position_params.text_document.uri.clone())
    }

    fn run(backend: &Backend, params: DocumentHighlightParams) -> Result<Option<Vec<lsp::DocumentHighlight>>> {
        Ok(document_highlight(backend, params.text_document_position_params))
    }
}

fn document_highlight(backend: &Backend, position: TextDocumentPositionParams) -> Option<Vec<lsp::DocumentHighlight>> {
    let encoding = backend.state.encoding();
    let (project, text, file) = backend.parsed(&position.text_document.uri)?;
    let index = LineIndex::new(&text);
    let at = offset(&text, &index, position.position, encoding);
    let found = highlight(&project, &file, &text, at);
    Some(
        found
            .into_iter()
            .map(|h| lsp::DocumentHighlight {
                range: range(&text, &index, encoding, h.span),
                kind: Some(match h.kind {
                    HighlightKind::Read => DocumentHighlightKind::READ,
                    HighlightKind::Write => DocumentHighlightKind::WRITE,
                }),
            })
            .collect(),
    )
}
