//! The token-level pass: table references and CTE names read from tokens alone, for text
//! sqlparser cannot read. It never fails.

use super::mask::matching_paren;
use super::{QueryFacts, TableRef};
use crate::syntax::block::{NamePart, unquote_ident};
use crate::syntax::lexer::{Token, TokenKind};
use crate::syntax::span::Spanned;

/// Keywords after which a table name follows.
const TABLE_KEYWORDS: &[&str] = &["from", "join", "into", "update", "using"];
/// Keywords that end a FROM list.
const FROM_END: &[&str] = &[
    "where",
    "group",
    "having",
    "qualify",
    "order",
    "limit",
    "window",
    "union",
    "intersect",
    "except",
    "on",
    "using",
    "select",
    "join",
    "inner",
    "left",
    "right",
    "full",
    "cross",
    "natural",
    "lateral",
    "set",
    "values",
    "returning",
    "pivot",
    "unpivot",
    "sample",
    "tablesample",
    "offset",
    "fetch",
    "outer",
    "anti",
    "semi",
    "asof",
    "positional",
];

/// Whether a query reads a relation built by a macro call, `FROM (@build())` or
/// `JOIN @build() AS x`: the tables it reads are known only by running the macro.
pub fn reads_macro_relation(text: &str) -> bool {
    if !text.contains('@') {
        return false;
    }
    let tokens = crate::syntax::lexer::tokenize_significant(text, Default::default());
    tokens.iter().enumerate().any(|(i, t)| {
        if !(t.is_word(text, "from") || t.is_word(text, "join")) {
            return false;
        }
        let mut j = i + 1;
        while tokens.get(j).is_some_and(|t| t.kind == TokenKind::LParen) {
            j += 1;
        }
        tokens.get(j).is_some_and(|t| t.kind == TokenKind::Macro)
            && tokens.get(j + 1).is_some_and(|t| t.kind == TokenKind::LParen)
    })
}

/// The token-level pass: table references and CTE names from tokens alone. Never fails.
/// `tokens` are the significant tokens of a statement of `text`.
pub fn scan(text: &str, tokens: &[Token]) -> QueryFacts {
    let mut ctes: Vec<Spanned<String>> = Vec::new();
    let mut tables = Vec::new();
    // For each open parenthesis: whether it holds a query (so FROM inside it reads tables).
    let mut parens: Vec<bool> = Vec::new();
    let mut in_from_list = false;
    // The parenthesis depth of each open `WITH` list: a comma at that depth starts the next CTE
    // (the SELECTs inside the CTEs' bodies are deeper), the list ends at a query there.
    let mut with_depths: Vec<usize> = Vec::new();
    let mut i = 0;
    while i < tokens.len() {
        let token = tokens[i];
        let word = (token.kind == TokenKind::Ident).then(|| token.text(text).to_ascii_lowercase());
        let in_query = parens.last().copied().unwrap_or(true);
        match token.kind {
            TokenKind::LParen => {
                let next = tokens.get(i + 1).map(|t| t.text(text).to_ascii_lowercase());
                parens.push(matches!(next.as_deref(), Some("select" | "with" | "from" | "(")));
                in_from_list = false;
            }
            TokenKind::RParen => {
                parens.pop();
                with_depths.retain(|&depth| depth <= parens.len());
                // `FROM (subquery) alias, next_table`: the list goes on after a subquery.
                in_from_list = in_query && i > 0 && parens.last().copied().unwrap_or(true) && in_from_list;
            }
            // A comma between CTEs, even right after a FROM list inside the previous CTE's body.
            TokenKind::Comma if with_depths.last() == Some(&parens.len()) => {
                in_from_list = false;
                if let Some(cte) = cte_at(text, tokens, i + 1) {
                    ctes.push(cte);
                }
            }
            TokenKind::Comma if in_from_list && in_query => {
                if let Some((table, next)) = table_at(text, tokens, i + 1) {
                    tables.push(table);
                    i = next;
                    continue;
                }
            }
            _ => {}
        }
        if let Some(word) = word.as_deref()
            && matches!(word, "select" | "from")
        {
            while with_depths.last().is_some_and(|&depth| depth >= parens.len()) {
                with_depths.pop();
            }
        }
        if let Some(word) = word.as_deref() {
            if word == "with" {
                with_depths.push(parens.len());
                let at = if tokens.get(i + 1).is_some_and(|t| t.is_word(text, "recursive")) { i + 2 } else { i + 1 };
                if let Some(cte) = cte_at(text, tokens, at) {
                    ctes.push(cte);
                }
            } else if word == "select" {
                in_from_list = false;
            } else if TABLE_KEYWORDS.contains(&word) && in_query {
                in_from_list = word == "from";
                if let Some((table, next)) = table_at(text, tokens, i + 1) {
                    tables.push(table);
                    i = next;
                    continue;
                }
            } else if FROM_END.contains(&word) {
                in_from_list = false;
            }
        }
        i += 1;
    }
    let cte_names: Vec<String> = ctes.iter().map(|c| c.value.to_ascii_lowercase()).collect();
    tables.retain(|t: &TableRef| !(t.name.len() == 1 && cte_names.contains(&t.name[0].text.to_ascii_lowercase())));
    QueryFacts { tables, ctes, projections: Vec::new(), selects: Vec::new(), parsed: false, shape: None }
}

/// A dotted name starting at `tokens[at]`, with its alias; None for a subquery or function.
fn table_at(text: &str, tokens: &[Token], at: usize) -> Option<(TableRef, usize)> {
    let mut parts = Vec::new();
    let mut i = at;
    while let Some(token) = tokens.get(i) {
        let part = match token.kind {
            TokenKind::Ident if parts.is_empty() && is_keyword_not_name(token.text(text)) => return None,
            TokenKind::Ident | TokenKind::Macro => {
                NamePart { text: token.text(text).to_string(), quoted: false, span: token.span }
            }
            TokenKind::QuotedIdent => {
                NamePart { text: unquote_ident(token.text(text)), quoted: true, span: token.span }
            }
            _ => break,
        };
        parts.push(part);
        i += 1;
        if tokens.get(i).map(|t| t.kind) == Some(TokenKind::Dot) {
            i += 1;
        } else {
            break;
        }
    }
    if parts.is_empty() || tokens.get(i).map(|t| t.kind) == Some(TokenKind::LParen) {
        return None;
    }
    let span = parts[0].span.cover(parts[parts.len() - 1].span);
    let mut alias = None;
    let mut j = if tokens.get(i).is_some_and(|t| t.is_word(text, "as")) { i + 1 } else { i };
    if let Some(t) = tokens.get(j)
        && matches!(t.kind, TokenKind::Ident | TokenKind::QuotedIdent)
        && !FROM_END.contains(&t.text(text).to_ascii_lowercase().as_str())
    {
        let name =
            if t.kind == TokenKind::QuotedIdent { unquote_ident(t.text(text)) } else { t.text(text).to_string() };
        alias = Some(Spanned::new(name, t.span));
        j += 1;
    } else {
        j = i;
    }
    Some((TableRef { name: parts, span, alias }, j))
}

fn is_keyword_not_name(word: &str) -> bool {
    matches!(word.to_ascii_lowercase().as_str(), "select" | "with" | "lateral" | "unnest" | "values")
}

/// `name AS (` or `name (cols) AS (` at `tokens[at]`.
fn cte_at(text: &str, tokens: &[Token], at: usize) -> Option<Spanned<String>> {
    let token = tokens.get(at)?;
    let name = match token.kind {
        TokenKind::Ident => token.text(text).to_string(),
        TokenKind::QuotedIdent => unquote_ident(token.text(text)),
        _ => return None,
    };
    let mut i = at + 1;
    if tokens.get(i).map(|t| t.kind) == Some(TokenKind::LParen) {
        i = matching_paren(tokens, i)? + 1;
    }
    tokens.get(i).filter(|t| t.is_word(text, "as"))?;
    Some(Spanned::new(name, token.span))
}
