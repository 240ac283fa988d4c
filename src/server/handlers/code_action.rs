//! `textDocument/codeAction`: the quick fixes and the fix-all action `analysis::code_action`
//! chose, converted.

use super::execute_command::{APPLY_FIXES, GENERATE, GenerateArguments};
use crate::analysis::code_action::code_actions;
use crate::codegen::Backend as Generator;
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
    actions.extend(generate_actions(backend, &params.text_document.uri));
    // A client that asks for some kinds only (`source`, `quickfix`) gets those and their sub-kinds.
    if let Some(only) = &params.context.only {
        let wanted = |kind: &str| {
            only.iter().any(|o| kind == o.as_str() || kind.strip_prefix(o.as_str()).is_some_and(|r| r.starts_with('.')))
        };
        actions.retain(|a| match a {
            CodeActionOrCommand::CodeAction(action) => action.kind.as_ref().is_some_and(|k| wanted(k.as_str())),
            CodeActionOrCommand::Command(_) => false,
        });
    }
    (!actions.is_empty()).then_some(actions)
}

/// On a model's file: generate each backend's definitions for the project, and for the model
/// and its upstream (when the file defines one model).
fn generate_actions(backend: &Backend, uri: &Uri) -> Vec<CodeActionOrCommand> {
    let Some((project, _, file)) = backend.parsed(uri) else { return Vec::new() };
    if !project.is_indexed() || file.facts.models.is_empty() {
        return Vec::new();
    }
    let model = match file.facts.models.as_slice() {
        [model] => Some(model.name.to_string()),
        _ => None,
    };
    let mut actions = Vec::new();
    for generator in Generator::ALL {
        let scopes = [None, model.as_deref()];
        for scope in scopes.iter().take(if model.is_some() { 2 } else { 1 }) {
            let title = match scope {
                None => format!("Generate {} for this project", generator.title()),
                Some(model) => format!("Generate {} for {model} and its upstream", generator.title()),
            };
            let arguments = GenerateArguments {
                backend: generator.name().to_string(),
                uri: uri.clone(),
                model: scope.map(str::to_string),
            };
            actions.push(CodeActionOrCommand::CodeAction(lsp::CodeAction {
                title: title.clone(),
                kind: Some(CodeActionKind::new(generator.action_kind())),
                command: Some(Command {
                    title,
                    command: GENERATE.to_string(),
                    arguments: Some(vec![serde_json::to_value(&arguments).unwrap_or_default()]),
                }),
                ..Default::default()
            }));
        }
    }
    actions
}
