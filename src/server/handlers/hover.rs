//! `textDocument/hover`.

use crate::analysis;
use crate::server::backend::Backend;
use crate::server::convert::{offset, range};
use crate::server::schedule::BackgroundRequest;
use crate::syntax::line_index::LineIndex;
use tower_lsp_server::jsonrpc::Result;
use tower_lsp_server::ls_types::{self as lsp, HoverContents, HoverParams, MarkupContent, MarkupKind, Uri};

/// `textDocument/hover`: on the worker pool, over the document.
pub struct Hover;

impl BackgroundRequest for Hover {
    const NAME: &'static str = "hover";
    type Params = HoverParams;
    type Response = Option<lsp::Hover>;

    fn document(params: &HoverParams) -> Option<Uri> {
        Some(params.text_document_position_params.text_document.uri.clone())
    }

    fn run(backend: &Backend, params: HoverParams) -> Result<Option<lsp::Hover>> {
        Ok(hover(backend, params.text_document_position_params))
    }
}

fn hover(backend: &Backend, position: lsp::TextDocumentPositionParams) -> Option<lsp::Hover> {
    let encoding = backend.state.encoding();
    let (project, text, file) = backend.parsed(&position.text_document.uri)?;
    let index = LineIndex::new(&text);
    let at = offset(&text, &index, position.position, encoding);
    let depth = backend.state.settings().lineage_depth;
    let found = analysis::hover::hover_with_depth(&project, &file, at, depth)?;
    Some(lsp::Hover {
        contents: HoverContents::Markup(MarkupContent { kind: MarkupKind::Markdown, value: found.markdown }),
        range: Some(range(&text, &index, encoding, found.span)),
    })
}
