//! `textDocument/codeLens`: each lens runs the `meshls.showDependencies` command with its
//! model's lists.

use super::execute_command::SHOW_DEPENDENCIES;
use crate::analysis;
use crate::server::backend::Backend;
use crate::server::convert::range;
use crate::server::schedule::BackgroundRequest;
use crate::syntax::line_index::LineIndex;
use serde_json::json;
use tower_lsp_server::jsonrpc::Result;
use tower_lsp_server::ls_types::{self as lsp, CodeLensParams, Command, Uri};

/// `textDocument/codeLens`: on the worker pool, over the document.
pub struct CodeLens;

impl BackgroundRequest for CodeLens {
    const NAME: &'static str = "codeLens";
    type Params = CodeLensParams;
    type Response = Option<Vec<lsp::CodeLens>>;

    fn document(params: &CodeLensParams) -> Option<Uri> {
        Some(params.text_document.uri.clone())
    }

    fn run(backend: &Backend, params: CodeLensParams) -> Result<Option<Vec<lsp::CodeLens>>> {
        Ok(code_lens(backend, &params.text_document.uri))
    }
}

fn code_lens(backend: &Backend, uri: &Uri) -> Option<Vec<lsp::CodeLens>> {
    let encoding = backend.state.encoding();
    let (project, text, file) = backend.parsed(uri)?;
    let index = LineIndex::new(&text);
    let lenses = analysis::code_lens::code_lens(&project, &file);
    Some(
        lenses
            .into_iter()
            .map(|lens| lsp::CodeLens {
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
}
