//! `textDocument/signatureHelp`.

use crate::analysis;
use crate::server::backend::Backend;
use crate::server::convert::offset;
use crate::server::schedule::BackgroundRequest;
use crate::syntax::line_index::LineIndex;
use tower_lsp_server::jsonrpc::Result;
use tower_lsp_server::ls_types::{
    self as lsp, Documentation, MarkupContent, MarkupKind, ParameterInformation, ParameterLabel, SignatureHelpParams,
    SignatureInformation, TextDocumentPositionParams, Uri,
};

/// `textDocument/signatureHelp`: on the worker pool, over the document.
pub struct SignatureHelp;

impl BackgroundRequest for SignatureHelp {
    const NAME: &'static str = "signatureHelp";
    type Params = SignatureHelpParams;
    type Response = Option<lsp::SignatureHelp>;

    fn document(params: &SignatureHelpParams) -> Option<Uri> {
        Some(params.text_document_position_params.text_document.uri.clone())
    }

    fn run(backend: &Backend, params: SignatureHelpParams) -> Result<Option<lsp::SignatureHelp>> {
        Ok(signature_help(backend, params.text_document_position_params))
    }
}

fn signature_help(backend: &Backend, position: TextDocumentPositionParams) -> Option<lsp::SignatureHelp> {
    let encoding = backend.state.encoding();
    let (project, text, file) = backend.parsed(&position.text_document.uri)?;
    let at = offset(&text, &LineIndex::new(&text), position.position, encoding);
    let dialect = file.facts.models.first().and_then(|m| m.dialect.clone());
    let found = analysis::signature::signature_help(&project, &text, dialect.as_deref(), at)?;
    let active = Some(found.active as u32);
    Some(lsp::SignatureHelp {
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
}
