//! Conversions at the edge: byte offsets and spans ↔ LSP positions and ranges (through the one
//! [`LineIndex`]), meshls diagnostics → LSP diagnostics.

use crate::syntax::line_index::{Encoding, LineCol, LineIndex};
use crate::syntax::{Severity, Span};
use tower_lsp_server::ls_types::{self as lsp, NumberOrString, Position, Range};

/// The byte offset of a position in `text`.
pub fn offset(text: &str, position: Position, encoding: Encoding) -> usize {
    LineIndex::new(text).offset(text, LineCol { line: position.line, col: position.character }, encoding)
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
        source: Some("meshls".to_string()),
        message: d.message.clone(),
        ..Default::default()
    }
}
