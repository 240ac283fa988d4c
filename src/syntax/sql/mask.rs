//! Macro masking: SQLMesh macros and Jinja replaced by same-length SQL, so that sqlparser can
//! read the statement and every span it reports is true in the original text.

use super::{MacroUse, Masked};
use crate::syntax::lexer::{Token, TokenKind};

/// Macros that stand for a whole clause: masked as their keyword so the query still parses.
pub(super) const CLAUSE_MACROS: &[(&str, &str)] =
    &[("where", "WHERE"), ("group_by", "GROUP BY"), ("having", "HAVING"), ("order_by", "ORDER BY"), ("limit", "LIMIT")];

/// Masks the macros and Jinja of `text` within `region` (other bytes are copied unchanged).
/// `tokens` are the significant tokens of `text`.
pub fn mask(text: &str, tokens: &[Token]) -> Masked {
    let mut bytes = text.as_bytes().to_vec();
    let mut macros = Vec::new();
    let mut masked = Vec::new();
    let mut i = 0;
    while i < tokens.len() {
        let token = tokens[i];
        match token.kind {
            TokenKind::Macro => {
                let raw = token.text(text);
                let name =
                    raw.trim_start_matches('@').trim_start_matches('{').trim_end_matches('}').to_ascii_lowercase();
                let call_end = (tokens.get(i + 1).map(|t| t.kind) == Some(TokenKind::LParen)
                    && tokens[i + 1].span.start == token.span.end)
                    .then(|| matching_paren(tokens, i + 1))
                    .flatten();
                let span = match call_end {
                    Some(close) => token.span.cover(tokens[close].span),
                    None => token.span,
                };
                let fill = &mut bytes[span.range()];
                match (call_end, CLAUSE_MACROS.iter().find(|(m, _)| *m == name)) {
                    (Some(_), Some((_, keyword))) => {
                        fill.fill(b' ');
                        fill[..keyword.len()].copy_from_slice(keyword.as_bytes());
                    }
                    _ => {
                        for b in fill.iter_mut() {
                            if !b.is_ascii_alphanumeric() {
                                *b = b'_';
                            }
                        }
                        // Keep the placeholder a valid identifier: no leading digit, only ASCII.
                        fill[0] = b'_';
                        for b in fill.iter_mut() {
                            if !b.is_ascii() {
                                *b = b'_';
                            }
                        }
                    }
                }
                macros.push(MacroUse { name, span, call: call_end.is_some() });
                masked.push(span);
                i = call_end.map_or(i + 1, |close| close + 1);
                continue;
            }
            TokenKind::Ident if token.text(text).contains("@{") => {
                for b in &mut bytes[token.span.range()] {
                    if matches!(b, b'@' | b'{' | b'}') || !b.is_ascii() {
                        *b = b'_';
                    }
                }
                masked.push(token.span);
            }
            // `a, , b`: sqlglot skips an empty item of a list, sqlparser refuses it.
            TokenKind::Comma if i > 0 && tokens[i - 1].kind == TokenKind::Comma => {
                bytes[token.span.range()].fill(b' ');
                masked.push(token.span);
            }
            TokenKind::JinjaExpr => {
                bytes[token.span.range()].fill(b'_');
                masked.push(token.span);
            }
            TokenKind::JinjaStmt => {
                bytes[token.span.range()].fill(b' ');
                masked.push(token.span);
            }
            _ => {}
        }
        i += 1;
    }
    // Trivia tokens were dropped by the caller; blank out Jinja comments too.
    let text = String::from_utf8(bytes).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned());
    Masked { text, macros, masked }
}

/// The index of the token closing the parenthesis at `open`, if it is closed.
pub fn matching_paren(tokens: &[Token], open: usize) -> Option<usize> {
    let mut depth = 0usize;
    for (i, token) in tokens.iter().enumerate().skip(open) {
        match token.kind {
            TokenKind::LParen => depth += 1,
            TokenKind::RParen => {
                depth -= 1;
                if depth == 0 {
                    return Some(i);
                }
            }
            _ => {}
        }
    }
    None
}
