//! Conversions at the edge: byte offsets and spans ↔ LSP positions and ranges (through the one
//! [`LineIndex`]), meshls diagnostics → LSP diagnostics.

use crate::syntax::line_index::{Encoding, LineCol, LineIndex};
use crate::syntax::{Severity, Span};
use tower_lsp_server::ls_types::{self as lsp, NumberOrString, Position, Range};

/// The byte offset of a position in `text`.
pub fn offset(text: &str, index: &LineIndex, position: Position, encoding: Encoding) -> usize {
    index.offset(text, LineCol { line: position.line, col: position.character }, encoding)
}

fn position(text: &str, index: &LineIndex, encoding: Encoding, offset: usize) -> Position {
    let at = index.line_col(text, offset, encoding);
    Position::new(at.line, at.col)
}

/// The range of a span of `text`.
pub fn range(text: &str, index: &LineIndex, encoding: Encoding, span: Span) -> Range {
    Range::new(position(text, index, encoding, span.start as usize), position(text, index, encoding, span.end as usize))
}

/// A meshls diagnostic as LSP's.
pub fn diagnostic(text: &str, index: &LineIndex, encoding: Encoding, d: &crate::syntax::Diagnostic) -> lsp::Diagnostic {
    lsp::Diagnostic {
        range: range(text, index, encoding, d.span),
        severity: Some(match d.severity {
            Severity::Error => lsp::DiagnosticSeverity::ERROR,
            Severity::Warning => lsp::DiagnosticSeverity::WARNING,
            Severity::Info => lsp::DiagnosticSeverity::INFORMATION,
            Severity::Hint => lsp::DiagnosticSeverity::HINT,
        }),
        code: Some(NumberOrString::String(d.code.to_string())),
        code_description: crate::analysis::diagnostics::doc_url(d.code)
            .and_then(|url| url.parse::<lsp::Uri>().ok())
            .map(|href| lsp::CodeDescription { href }),
        source: Some("meshls".to_string()),
        message: d.message.clone(),
        ..Default::default()
    }
}

/// A fix's edits as a WorkspaceEdit: text edits against each file's current text (the open
/// buffer, else the disk); files that do not exist yet are created first. Snippet placeholders
/// are replaced by their defaults, as a WorkspaceEdit carries plain text.
pub fn workspace_edit(
    edits: &[(std::path::PathBuf, Span, String)],
    snippet: bool,
    text_of: impl Fn(&std::path::Path) -> Option<String>,
    encoding: Encoding,
) -> Option<lsp::WorkspaceEdit> {
    use std::collections::BTreeMap;
    let mut per_file: BTreeMap<&std::path::Path, Vec<lsp::TextEdit>> = BTreeMap::new();
    let mut created = Vec::new();
    for (path, span, new_text) in edits {
        let text = match text_of(path) {
            Some(text) => text,
            None => {
                if !created.contains(&path.as_path()) {
                    created.push(path.as_path());
                }
                String::new()
            }
        };
        let index = LineIndex::new(&text);
        per_file.entry(path.as_path()).or_default().push(lsp::TextEdit {
            range: range(&text, &index, encoding, *span),
            new_text: if snippet { without_placeholders(new_text) } else { new_text.clone() },
        });
    }
    let mut changes = Vec::new();
    for path in &created {
        let uri = lsp::Uri::from_file_path(path)?;
        changes.push(lsp::DocumentChangeOperation::Op(lsp::ResourceOp::Create(lsp::CreateFile {
            uri,
            options: Some(lsp::CreateFileOptions { overwrite: Some(false), ignore_if_exists: Some(true) }),
            annotation_id: None,
        })));
    }
    for (path, edits) in per_file {
        let uri = lsp::Uri::from_file_path(path)?;
        changes.push(lsp::DocumentChangeOperation::Edit(lsp::TextDocumentEdit {
            text_document: lsp::OptionalVersionedTextDocumentIdentifier { uri, version: None },
            edits: edits.into_iter().map(lsp::OneOf::Left).collect(),
        }));
    }
    Some(lsp::WorkspaceEdit { document_changes: Some(lsp::DocumentChanges::Operations(changes)), ..Default::default() })
}

/// Snippet placeholders replaced by their defaults: `${1:2024-01-01}` → `2024-01-01`, `$0` → ``.
pub fn without_placeholders(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find('$') {
        out.push_str(&rest[..at]);
        let after = &rest[at + 1..];
        if let Some(inner) = after.strip_prefix('{')
            && let Some(close) = inner.find('}')
            && let Some((number, default)) = inner[..close].split_once(':')
            && number.chars().all(|c| c.is_ascii_digit())
        {
            out.push_str(default);
            rest = &inner[close + 1..];
        } else if let Some(digits) = after
            .find(|c: char| !c.is_ascii_digit())
            .filter(|&n| n > 0)
            .or_else(|| (!after.is_empty() && after.chars().all(|c| c.is_ascii_digit())).then_some(after.len()))
        {
            rest = &after[digits..];
        } else {
            out.push('$');
            rest = after;
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn placeholders_become_their_defaults() {
        assert_eq!(super::without_placeholders("start '${1:2024-01-01}'$0"), "start '2024-01-01'");
        assert_eq!(super::without_placeholders("cost $5 and $$x$$"), "cost  and $$x$$");
    }

    #[test]
    fn a_rule_links_to_its_documentation() {
        use crate::syntax::{Diagnostic, Span};
        let text = "SELECT 1";
        let index = crate::syntax::line_index::LineIndex::new(text);
        let d = Diagnostic::warning("unregistered-table", Span::new(0, 6), "m");
        let converted = super::diagnostic(text, &index, crate::syntax::line_index::Encoding::Utf16, &d);
        let href = converted.code_description.expect("a link").href;
        assert!(href.as_str().ends_with("/docs/rules.md#unregistered-table"), "{}", href.as_str());
        let parser = Diagnostic::error("sql-syntax", Span::new(0, 6), "m");
        let converted = super::diagnostic(text, &index, crate::syntax::line_index::Encoding::Utf16, &parser);
        assert!(converted.code_description.is_none());
    }
}
