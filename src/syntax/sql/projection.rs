//! The output columns of a parsed query: each item of its outermost select list, with its
//! name, the extent of its expression and its explicit cast.

use super::Projection;
use super::locate::Locator;
use super::mask::{CLAUSE_MACROS, matching_paren};
use crate::syntax::lexer::{Token, TokenKind};
use crate::syntax::span::{Span, Spanned};
use sqlparser::ast::{Expr, Ident, Query, SelectItem, SelectItemQualifiedWildcardKind, SetExpr, Spanned as _};

/// The projections of the leftmost SELECT of `query`; `tokens` are the statement's tokens.
pub(super) fn projections(original: &str, query: &Query, locate: &Locator, tokens: &[Token]) -> Vec<Projection> {
    let mut body = query.body.as_ref();
    let select = loop {
        match body {
            SetExpr::Select(select) => break select,
            SetExpr::Query(inner) => body = inner.body.as_ref(),
            SetExpr::SetOperation { left, .. } => body = left.as_ref(),
            _ => return Vec::new(),
        }
    };
    // sqlparser's expression spans fall short (a cast ends before `::TYPE`, `CAST(x AS T)` is
    // just `x`, a call ends before its `)`), so each item's extent comes from the select list's
    // tokens when they split into as many items as sqlparser read.
    let items = locate
        .span(select.select_token.0.span)
        .map(|s| select_items(original, tokens, s.start as usize))
        .filter(|items| items.len() == select.projection.len());
    select
        .projection
        .iter()
        .enumerate()
        .map(|(index, item)| {
            let segment = items.as_ref().map(|items| &tokens[items[index].clone()]);
            let item_span = segment.and_then(cover_tokens).or_else(|| locate.span(item.span())).unwrap_or_default();
            let named = |ident: &Ident| {
                let part = locate.name_part(original, ident);
                Some(Spanned::new(part.text, part.span))
            };
            // The expression of an aliased item: its tokens before `[AS] alias`.
            let aliased = |expr: &Expr, alias: Option<&Spanned<String>>| {
                segment
                    .zip(alias)
                    .and_then(|(segment, alias)| expr_before_alias(original, segment, alias.span))
                    .or_else(|| locate.span(expr.span()))
                    .unwrap_or(item_span)
            };
            match item {
                SelectItem::UnnamedExpr(expr) => Projection {
                    name: match expr {
                        Expr::Identifier(ident) => named(ident),
                        Expr::CompoundIdentifier(parts) => parts.last().and_then(named),
                        _ => None,
                    },
                    expr: item_span,
                    cast: cast_type(expr),
                    star: None,
                },
                SelectItem::ExprWithAlias { expr, alias } => {
                    let name = named(alias);
                    Projection { expr: aliased(expr, name.as_ref()), name, cast: cast_type(expr), star: None }
                }
                SelectItem::ExprWithAliases { expr, aliases } => {
                    let name = aliases.first().and_then(named);
                    Projection { expr: aliased(expr, name.as_ref()), name, cast: None, star: None }
                }
                SelectItem::Wildcard(_) => Projection { name: None, expr: item_span, cast: None, star: Some(None) },
                SelectItem::QualifiedWildcard(kind, _) => {
                    let qualifier = match kind {
                        SelectItemQualifiedWildcardKind::ObjectName(name) => name.to_string(),
                        SelectItemQualifiedWildcardKind::Expr(expr) => expr.to_string(),
                    };
                    Projection { name: None, expr: item_span, cast: None, star: Some(Some(qualifier)) }
                }
            }
        })
        .collect()
}

pub(super) fn cover_tokens(tokens: &[Token]) -> Option<Span> {
    Some(tokens.first()?.span.cover(tokens.last()?.span))
}

/// The span of an item's tokens before its alias, without the `AS` (and the `(` of `AS (a, b)`).
pub(super) fn expr_before_alias(text: &str, item: &[Token], alias: Span) -> Option<Span> {
    let cut = item.iter().position(|t| t.span.start >= alias.start)?;
    let mut expr = &item[..cut];
    if expr.last().is_some_and(|t| t.kind == TokenKind::LParen) {
        expr = &expr[..expr.len() - 1];
    }
    if expr.last().is_some_and(|t| t.is_word(text, "as")) {
        expr = &expr[..expr.len() - 1];
    }
    cover_tokens(expr)
}

/// Keywords that end a select list.
const SELECT_END: &[&str] = &[
    "from",
    "into",
    "where",
    "group",
    "having",
    "qualify",
    "window",
    "order",
    "limit",
    "union",
    "intersect",
    "except",
    "minus",
    "fetch",
    "offset",
    "prewhere",
];

/// The items of the select list whose `SELECT` keyword starts at byte `select_start`, as index
/// ranges of `tokens`, split at top-level commas; empty when the list cannot be delimited.
pub(super) fn select_items(text: &str, tokens: &[Token], select_start: usize) -> Vec<std::ops::Range<usize>> {
    let at = tokens.partition_point(|t| (t.span.start as usize) < select_start);
    if !tokens.get(at).is_some_and(|t| t.is_word(text, "select")) {
        return Vec::new();
    }
    let mut i = skip_select_modifiers(text, tokens, at + 1);
    let mut items = Vec::new();
    let mut start = i;
    let mut depth = 0usize;
    while let Some(token) = tokens.get(i) {
        match token.kind {
            TokenKind::LParen | TokenKind::LBracket | TokenKind::LBrace => depth += 1,
            TokenKind::RParen | TokenKind::RBracket | TokenKind::RBrace if depth == 0 => break,
            TokenKind::RParen | TokenKind::RBracket | TokenKind::RBrace => depth -= 1,
            TokenKind::Semicolon => break,
            TokenKind::Comma if depth == 0 => {
                items.push(start..i);
                start = i + 1;
            }
            TokenKind::Ident if depth == 0 => {
                let word = token.text(text).to_ascii_lowercase();
                let previous = i.checked_sub(1).map(|p| tokens[p]);
                // `a IS DISTINCT FROM b`, `* EXCEPT (a)` stay inside the item.
                let inside = match word.as_str() {
                    "from" => previous.is_some_and(|p| p.is_word(text, "distinct")),
                    "except" => previous.is_some_and(|p| p.text(text) == "*"),
                    _ => false,
                };
                if SELECT_END.contains(&word.as_str()) && !inside {
                    break;
                }
            }
            TokenKind::Macro if depth == 0 => {
                let name = token.text(text).trim_start_matches('@').to_ascii_lowercase();
                if CLAUSE_MACROS.iter().any(|(m, _)| *m == name) {
                    break;
                }
            }
            _ => {}
        }
        i += 1;
    }
    items.push(start..i);
    if items.iter().any(|r| r.is_empty()) {
        return Vec::new();
    }
    items
}

/// The index of the first select-list item after `SELECT` at `i - 1`: skips `DISTINCT [ON
/// (...)]`, `ALL`, `TOP n [PERCENT] [WITH TIES]` and `AS STRUCT`/`AS VALUE`.
fn skip_select_modifiers(text: &str, tokens: &[Token], mut i: usize) -> usize {
    let word = |i: usize, w: &str| tokens.get(i).is_some_and(|t| t.is_word(text, w));
    loop {
        if word(i, "distinct") {
            i += 1;
            if word(i, "on") && tokens.get(i + 1).is_some_and(|t| t.kind == TokenKind::LParen) {
                match matching_paren(tokens, i + 1) {
                    Some(close) => i = close + 1,
                    None => return i,
                }
            }
        } else if word(i, "all") {
            i += 1;
        } else if word(i, "top") {
            i += 1;
            match tokens.get(i).map(|t| t.kind) {
                Some(TokenKind::LParen) => match matching_paren(tokens, i) {
                    Some(close) => i = close + 1,
                    None => return i,
                },
                Some(TokenKind::Number) => i += 1,
                _ => {}
            }
            if word(i, "percent") {
                i += 1;
            }
            if word(i, "with") && word(i + 1, "ties") {
                i += 2;
            }
        } else if word(i, "as") && (word(i + 1, "struct") || word(i + 1, "value")) {
            i += 2;
        } else {
            return i;
        }
    }
}

fn cast_type(expr: &Expr) -> Option<String> {
    match expr {
        Expr::Cast { data_type, .. } => Some(data_type.to_string()),
        Expr::Nested(inner) => cast_type(inner),
        _ => None,
    }
}
