//! `textDocument/prepareRename` and `textDocument/rename`. A name that cannot be renamed
//! answers an error saying why.

use crate::analysis;
use crate::analysis::references::Sources;
use crate::server::backend::Backend;
use crate::server::convert::{offset, range, workspace_edit};
use crate::server::schedule::BackgroundRequest;
use crate::syntax::line_index::LineIndex;
use std::path::Path;
use tower_lsp_server::jsonrpc::{Error, Result};
use tower_lsp_server::ls_types::{PrepareRenameResponse, RenameParams, TextDocumentPositionParams, Uri, WorkspaceEdit};

/// `textDocument/prepareRename`: on the worker pool, over the document.
pub struct PrepareRename;

impl BackgroundRequest for PrepareRename {
    const NAME: &'static str = "prepareRename";
    type Params = TextDocumentPositionParams;
    type Response = Option<PrepareRenameResponse>;

    fn document(params: &TextDocumentPositionParams) -> Option<Uri> {
        Some(params.text_document.uri.clone())
    }

    fn run(backend: &Backend, params: TextDocumentPositionParams) -> Result<Option<PrepareRenameResponse>> {
        let encoding = backend.state.encoding();
        let Some((project, text, file)) = backend.parsed(&params.text_document.uri) else { return Ok(None) };
        let index = LineIndex::new(&text);
        let at = offset(&text, &index, params.position, encoding);
        match analysis::rename::prepare_rename(&project, &file, &text, at) {
            Ok((span, placeholder)) => Ok(Some(PrepareRenameResponse::RangeWithPlaceholder {
                range: range(&text, &index, encoding, span),
                placeholder,
            })),
            Err(why) => Err(Error::invalid_params(why)),
        }
    }
}

/// `textDocument/rename`: on the worker pool, over the document.
pub struct Rename;

impl BackgroundRequest for Rename {
    const NAME: &'static str = "rename";
    type Params = RenameParams;
    type Response = Option<WorkspaceEdit>;

    fn document(params: &RenameParams) -> Option<Uri> {
        Some(params.text_document_position.text_document.uri.clone())
    }

    fn run(backend: &Backend, params: RenameParams) -> Result<Option<WorkspaceEdit>> {
        let position = params.text_document_position;
        let encoding = backend.state.encoding();
        let Some((project, text, file)) = backend.parsed(&position.text_document.uri) else { return Ok(None) };
        let at = offset(&text, &LineIndex::new(&text), position.position, encoding);
        let projects = backend.state.projects();
        let read = |path: &Path| backend.text_unless_cancelled(path);
        let sources = Sources { projects: &projects, text: &read };
        match analysis::rename::rename(&project, &file, &text, at, &params.new_name, &sources) {
            Ok(edits) => Ok(workspace_edit(&edits, false, |p| backend.state.text(p), encoding)),
            Err(why) => Err(Error::invalid_params(why)),
        }
    }
}
