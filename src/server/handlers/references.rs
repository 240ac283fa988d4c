//! `textDocument/references`.

use crate::analysis::references::{Sources, find_references};
use crate::server::backend::Backend;
use crate::server::convert::offset;
use crate::server::schedule::BackgroundRequest;
use crate::syntax::line_index::LineIndex;
use std::path::Path;
use tower_lsp_server::jsonrpc::Result;
use tower_lsp_server::ls_types::{Location, ReferenceParams, Uri};

/// `textDocument/references`: on the worker pool, over the document.
pub struct References;

impl BackgroundRequest for References {
    const NAME: &'static str = "references";
    type Params = ReferenceParams;
    type Response = Option<Vec<Location>>;

    fn document(params: &ReferenceParams) -> Option<Uri> {
        Some(params.text_document_position.text_document.uri.clone())
    }

    fn run(backend: &Backend, params: ReferenceParams) -> Result<Option<Vec<Location>>> {
        Ok(references(backend, params))
    }
}

fn references(backend: &Backend, params: ReferenceParams) -> Option<Vec<Location>> {
    let position = params.text_document_position;
    let include_declaration = params.context.include_declaration;
    let encoding = backend.state.encoding();
    let (project, text, file) = backend.parsed(&position.text_document.uri)?;
    let at = offset(&text, &LineIndex::new(&text), position.position, encoding);
    let projects = backend.state.projects();
    let read = |path: &Path| backend.text_unless_cancelled(path);
    let sources = Sources { projects: &projects, text: &read };
    let found = find_references(&project, &file, &text, at, &sources);
    let spans = found.into_iter().filter(|l| include_declaration || !l.definition).map(|l| (l.path, l.span));
    Some(backend.locations(spans))
}
