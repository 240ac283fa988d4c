//! `textDocument/completion`: the analysis list converted; snippets become plain text for
//! clients that do not take them.

use crate::analysis::completion::{CompletionItem, CompletionKind as K, completion_list};
use crate::server::backend::Backend;
use crate::server::convert::{offset, range, without_placeholders};
use crate::server::schedule::BackgroundRequest;
use crate::syntax::line_index::{Encoding, LineIndex};
use tower_lsp_server::jsonrpc::Result;
use tower_lsp_server::ls_types::{
    self as lsp, CompletionItemKind, CompletionList, CompletionParams, CompletionResponse, CompletionTextEdit,
    Documentation, InsertTextFormat, MarkupContent, MarkupKind, TextDocumentPositionParams, TextEdit, Uri,
};

/// `textDocument/completion`: on the worker pool, over the document.
pub struct Completion;

impl BackgroundRequest for Completion {
    const NAME: &'static str = "completion";
    type Params = CompletionParams;
    type Response = Option<CompletionResponse>;

    fn document(params: &CompletionParams) -> Option<Uri> {
        Some(params.text_document_position.text_document.uri.clone())
    }

    fn run(backend: &Backend, params: CompletionParams) -> Result<Option<CompletionResponse>> {
        Ok(completion(backend, params.text_document_position))
    }
}

fn completion(backend: &Backend, position: TextDocumentPositionParams) -> Option<CompletionResponse> {
    let encoding = backend.state.encoding();
    let snippets = backend.state.support().snippets;
    let (project, text, file) = backend.parsed(&position.text_document.uri)?;
    let index = LineIndex::new(&text);
    let at = offset(&text, &index, position.position, encoding);
    let found = completion_list(&project, &file, &text, at);
    let convert = |item| completion_item(item, snippets, &text, &index, encoding);
    let items = found.items.into_iter().map(convert).collect();
    Some(CompletionResponse::List(CompletionList { is_incomplete: found.incomplete, items }))
}

fn completion_item(
    item: CompletionItem,
    snippets: bool,
    text: &str,
    index: &LineIndex,
    encoding: Encoding,
) -> lsp::CompletionItem {
    let snippet = item.snippet && snippets;
    let new_text = match (&item.insert_text, item.snippet && !snippets) {
        (Some(text), true) => without_placeholders(text),
        (Some(text), false) => text.clone(),
        (None, _) => item.label.clone(),
    };
    lsp::CompletionItem {
        kind: Some(match item.kind {
            K::Model => CompletionItemKind::CLASS,
            K::Cte => CompletionItemKind::STRUCT,
            K::Column => CompletionItemKind::FIELD,
            K::Alias => CompletionItemKind::VARIABLE,
            K::Macro => CompletionItemKind::FUNCTION,
            K::MacroVariable => CompletionItemKind::CONSTANT,
            K::Property => CompletionItemKind::PROPERTY,
            K::Kind | K::Dialect | K::Value => CompletionItemKind::ENUM_MEMBER,
            K::Keyword => CompletionItemKind::KEYWORD,
            K::Audit => CompletionItemKind::EVENT,
        }),
        detail: item.detail,
        documentation: item
            .documentation
            .map(|value| Documentation::MarkupContent(MarkupContent { kind: MarkupKind::Markdown, value })),
        sort_text: Some(item.sort_text),
        filter_text: Some(item.label.clone()),
        insert_text_format: Some(if snippet { InsertTextFormat::SNIPPET } else { InsertTextFormat::PLAIN_TEXT }),
        text_edit: Some(CompletionTextEdit::Edit(TextEdit {
            range: range(text, index, encoding, item.replace),
            new_text,
        })),
        label: item.label,
        ..Default::default()
    }
}
