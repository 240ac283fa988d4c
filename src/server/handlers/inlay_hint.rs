//! `textDocument/inlayHint`: the file's hints within the requested range.

use crate::analysis;
use crate::server::backend::Backend;
use crate::server::convert::{offset, range};
use crate::server::schedule::BackgroundRequest;
use crate::syntax::Span;
use crate::syntax::line_index::LineIndex;
use tower_lsp_server::jsonrpc::Result;
use tower_lsp_server::ls_types::{self as lsp, InlayHintKind, InlayHintLabel, InlayHintParams, Uri};

/// `textDocument/inlayHint`: on the worker pool, over the document.
pub struct InlayHint;

impl BackgroundRequest for InlayHint {
    const NAME: &'static str = "inlayHint";
    type Params = InlayHintParams;
    type Response = Option<Vec<lsp::InlayHint>>;

    fn document(params: &InlayHintParams) -> Option<Uri> {
        Some(params.text_document.uri.clone())
    }

    fn run(backend: &Backend, params: InlayHintParams) -> Result<Option<Vec<lsp::InlayHint>>> {
        Ok(inlay_hints(backend, params))
    }
}

fn inlay_hints(backend: &Backend, params: InlayHintParams) -> Option<Vec<lsp::InlayHint>> {
    let encoding = backend.state.encoding();
    let (project, text, file) = backend.parsed(&params.text_document.uri)?;
    let index = LineIndex::new(&text);
    let wanted =
        (offset(&text, &index, params.range.start, encoding), offset(&text, &index, params.range.end, encoding));
    let hints = analysis::inlay::inlay_hints(&project, &file);
    Some(
        hints
            .into_iter()
            .filter(|h| wanted.0 <= h.offset && h.offset <= wanted.1)
            .map(|h| lsp::InlayHint {
                position: range(&text, &index, encoding, Span::at(h.offset)).start,
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
}
