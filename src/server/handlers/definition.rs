//! `textDocument/definition`.

use crate::analysis::navigation::definition_in_workspace;
use crate::server::backend::Backend;
use crate::server::convert::offset;
use crate::server::schedule::BackgroundRequest;
use crate::syntax::line_index::LineIndex;
use tower_lsp_server::jsonrpc::Result;
use tower_lsp_server::ls_types::{GotoDefinitionParams, GotoDefinitionResponse, TextDocumentPositionParams, Uri};

/// `textDocument/definition`: on the worker pool, over the document.
pub struct Definition;

impl BackgroundRequest for Definition {
    const NAME: &'static str = "definition";
    type Params = GotoDefinitionParams;
    type Response = Option<GotoDefinitionResponse>;

    fn document(params: &GotoDefinitionParams) -> Option<Uri> {
        Some(params.text_document_position_params.text_document.uri.clone())
    }

    fn run(backend: &Backend, params: GotoDefinitionParams) -> Result<Option<GotoDefinitionResponse>> {
        Ok(definition(backend, params.text_document_position_params))
    }
}

fn definition(backend: &Backend, position: TextDocumentPositionParams) -> Option<GotoDefinitionResponse> {
    let encoding = backend.state.encoding();
    let (project, text, file) = backend.parsed(&position.text_document.uri)?;
    let at = offset(&text, &LineIndex::new(&text), position.position, encoding);
    let targets = definition_in_workspace(&backend.state.projects(), &project, &file, at);
    let locations = backend.locations(targets.into_iter().map(|t| (t.path, t.span)));
    (!locations.is_empty()).then_some(GotoDefinitionResponse::Array(locations))
}
