//! Audit files (`audits/*.sql`): one or more `AUDIT (name ..., ...); SELECT ...;` pairs.

use super::block::{Block, parse_block};
use super::lexer::{LexOptions, TokenKind, tokenize_significant};
use super::span::{Diagnostic, Span, Spanned};
use serde::Serialize;

/// One audit definition.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Audit {
    /// The `name` property.
    pub name: Option<Spanned<String>>,
    pub block: Block,
    /// The audit's query, up to the next `AUDIT` block.
    pub query: Option<Span>,
}

/// A parsed audit file.
#[derive(Debug, Clone, PartialEq, Serialize, Default)]
pub struct AuditFile {
    pub audits: Vec<Audit>,
    pub diagnostics: Vec<Diagnostic>,
}

/// Parses an audit file. Never panics.
pub fn parse_audit_file(text: &str) -> AuditFile {
    let tokens = tokenize_significant(text, LexOptions::default());
    let mut file = AuditFile::default();
    let mut i = 0;
    let mut statement_start = true;
    while i < tokens.len() {
        let token = tokens[i];
        if statement_start
            && token.is_word(text, "audit")
            && tokens.get(i + 1).map(|t| t.kind) == Some(TokenKind::LParen)
        {
            let (block, consumed) = parse_block(text, &tokens[i..], &mut file.diagnostics);
            i += consumed;
            if tokens.get(i).map(|t| t.kind) == Some(TokenKind::Semicolon) {
                i += 1;
            }
            let name = block
                .properties
                .iter()
                .find(|p| p.key.value.eq_ignore_ascii_case("name"))
                .and_then(|p| p.value.as_text());
            if name.is_none() {
                file.diagnostics.push(Diagnostic::error(
                    "model-block",
                    block.keyword.span,
                    "an AUDIT block needs a `name`",
                ));
            }
            // The query runs to the next AUDIT block or the end of the file.
            let query_tokens = tokens[i..]
                .iter()
                .enumerate()
                .take_while(|(j, t)| {
                    !(t.is_word(text, "audit") && (i + j == 0 || tokens[i + j - 1].kind == TokenKind::Semicolon))
                })
                .map(|(_, t)| *t)
                .filter(|t| t.kind != TokenKind::Semicolon)
                .collect::<Vec<_>>();
            let query = match (query_tokens.first(), query_tokens.last()) {
                (Some(a), Some(b)) => Some(a.span.cover(b.span)),
                _ => None,
            };
            file.audits.push(Audit { name, block, query });
            statement_start = true;
            continue;
        }
        statement_start = token.kind == TokenKind::Semicolon;
        i += 1;
    }
    file
}
