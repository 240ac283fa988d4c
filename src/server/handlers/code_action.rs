//! `textDocument/codeAction`: the quick fixes and the fix-all action `analysis::code_action`
//! chose, converted.

use super::execute_command::APPLY_FIXES;
use crate::analysis::code_action::code_actions;
use crate::server::backend::Backend;
use crate::server::convert::{diagnostic, offset};
use crate::server::schedule::BackgroundRequest;
use crate::syntax::line_index::LineIndex;
use tower_lsp_server::jsonrpc::Result;
use tower_lsp_server::ls_types::{
    self as lsp, CodeActionKind, CodeActionOrCommand, CodeActionParams, CodeActionResponse, Command, Uri,
};

/// `textDocument/codeAction`: on the worker pool, over the document.
pub struct CodeAction;

impl BackgroundRequest for CodeAction {
    const NAME: &'static str = "codeAction";
    type Params = CodeActionParams;
    type Response = Option<CodeActionResponse>;

    fn document(params: &CodeActionParams) -> Option<Uri> {
        Some(params.text_document.uri.clone())
    }

    fn run(backend: &Backend, params: CodeActionParams) -> Result<Option<CodeActionResponse>> {
        Ok(code_action(backend, params))
    }
}

fn code_action(backend: &Backend, params: CodeActionParams) -> Option<CodeActionResponse> {
    let encoding = backend.state.encoding();
    let (path, text, diagnostics) = backend.current_diagnostics(&params.text_document.uri)?;
    let index = LineIndex::new(&text);
    let wanted =
        (offset(&text, &index, params.range.start, encoding), offset(&text, &index, params.range.end, encoding));
    let found = code_actions(&path, &diagnostics, wanted);
    let mut actions = Vec::new();
    for quick in found.quick_fixes {
        let Some(edit) = backend.fix_edit(&path, &[quick.fix]) else { continue };
        actions.push(CodeActionOrCommand::CodeAction(lsp::CodeAction {
            title: quick.fix.title.clone(),
            kind: Some(CodeActionKind::QUICKFIX),
            diagnostics: Some(vec![diagnostic(&text, &index, encoding, quick.diagnostic)]),
            edit: Some(edit),
            is_preferred: Some(quick.preferred),
            ..Default::default()
        }));
    }
    if found.fix_all {
        actions.push(CodeActionOrCommand::CodeAction(lsp::CodeAction {
            title: "Apply every safe meshls fix in this file".to_string(),
            kind: Some(CodeActionKind::SOURCE_FIX_ALL),
            command: Some(Command {
                title: "Apply every safe meshls fix".to_string(),
                command: APPLY_FIXES.to_string(),
                arguments: Some(vec![serde_json::to_value(&params.text_document.uri).unwrap_or_default()]),
            }),
            ..Default::default()
        }));
    }
    (!actions.is_empty()).then_some(actions)
}
