//! The SQL of a model: macro masking, the sqlparser pass and the token-level pass.
//!
//! SQLMesh macros (`@start_ds`, `@{var}`, `@IF(...)`) are not SQL, so before sqlparser sees a
//! statement every macro is replaced by a placeholder of the same byte length: spans found in
//! the masked text are true in the original. sqlparser stops at the first error, so a second,
//! token-level pass that never fails finds table references and CTE names in any text.

use super::block::{NamePart, unquote_ident};
use super::lexer::{Token, TokenKind};
use super::line_index::{Encoding, LineCol, LineIndex};
use super::select::{SelectFacts, selects};
use super::span::{Diagnostic, Span, Spanned};
use super::sqlmesh::ParserDialect;
use serde::Serialize;
use sqlparser::ast::{
    Expr, Ident, ObjectName, Query, SelectItem, SelectItemQualifiedWildcardKind, SetExpr, Spanned as _, Statement,
    TableFactor, Visit, Visitor,
};
use sqlparser::dialect::{self, Dialect};
use sqlparser::parser::{Parser, ParserError};
use std::ops::ControlFlow;

/// One use of a macro in the SQL: `@start_ds`, `@{var}`, `@IF(...)`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MacroUse {
    /// The name without `@` and braces, lowercased (`start_ds`, `if`, `var`).
    pub name: String,
    /// The whole use, arguments included for a call.
    pub span: Span,
    /// Whether it is a call `@name(...)`.
    pub call: bool,
}

/// The text with every macro and Jinja span replaced by same-length SQL, and what was replaced.
#[derive(Debug, Clone)]
pub struct Masked {
    pub text: String,
    pub macros: Vec<MacroUse>,
    /// Byte spans that were rewritten (macros and Jinja).
    pub masked: Vec<Span>,
}

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

/// A table the SQL reads.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TableRef {
    /// The name's parts as written (macros kept as written, e.g. `@{schema}`).
    pub name: Vec<NamePart>,
    pub span: Span,
    pub alias: Option<Spanned<String>>,
}

/// One output column of a query.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Projection {
    /// The output name: the alias, else the column's own name; None for an unnamed expression.
    pub name: Option<Spanned<String>>,
    /// The expression (the whole item for `*`).
    pub expr: Span,
    /// The explicit cast type of the expression (`x::INT`, `CAST(x AS DATE)`), as SQL.
    pub cast: Option<String>,
    /// `*` (None) or `alias.*` (Some(alias)); serialized as `"*"` or `"alias.*"`, since JSON
    /// cannot tell `Some(None)` from `None`.
    #[serde(serialize_with = "serialize_star")]
    pub star: Option<Option<String>>,
}

fn serialize_star<S: serde::Serializer>(star: &Option<Option<String>>, serializer: S) -> Result<S::Ok, S::Error> {
    match star {
        None => serializer.serialize_none(),
        Some(None) => serializer.serialize_str("*"),
        Some(Some(qualifier)) => serializer.serialize_str(&format!("{qualifier}.*")),
    }
}

/// What the query reveals: its tables, CTEs and output columns.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Default)]
pub struct QueryFacts {
    /// Tables read by the query, CTE references excluded, in text order.
    pub tables: Vec<TableRef>,
    /// CTE names defined anywhere in the query.
    pub ctes: Vec<Spanned<String>>,
    /// The output columns of the outermost SELECT (the first branch of a set operation);
    /// empty when only the token pass could read the query.
    pub projections: Vec<Projection>,
    /// Every SELECT of the query with the conditions that filter it; empty when only the
    /// token pass could read the query.
    pub selects: Vec<SelectFacts>,
    /// Whether sqlparser read the statement (false: the token pass alone produced the facts).
    pub parsed: bool,
}

/// The sqlparser dialect for one of meshls's parser dialects.
pub fn parser_dialect(dialect: ParserDialect) -> Box<dyn Dialect> {
    match dialect {
        ParserDialect::Generic => Box::new(dialect::GenericDialect {}),
        ParserDialect::Ansi => Box::new(dialect::AnsiDialect {}),
        ParserDialect::BigQuery => Box::new(dialect::BigQueryDialect {}),
        ParserDialect::ClickHouse => Box::new(dialect::ClickHouseDialect {}),
        ParserDialect::Databricks => Box::new(dialect::DatabricksDialect {}),
        ParserDialect::DuckDb => Box::new(dialect::DuckDbDialect {}),
        ParserDialect::Hive => Box::new(dialect::HiveDialect {}),
        ParserDialect::MsSql => Box::new(dialect::MsSqlDialect {}),
        ParserDialect::MySql => Box::new(dialect::MySqlDialect {}),
        ParserDialect::Postgres => Box::new(dialect::PostgreSqlDialect {}),
        ParserDialect::Redshift => Box::new(dialect::RedshiftSqlDialect {}),
        ParserDialect::Snowflake => Box::new(dialect::SnowflakeDialect {}),
        ParserDialect::SQLite => Box::new(dialect::SQLiteDialect {}),
    }
}

/// Reads one query statement. `masked` is the masked text of the whole file, `span` the
/// statement within it, `tokens` the significant tokens of the statement (original text).
/// A parse error becomes a diagnostic; the facts then come from the token pass.
pub fn query_facts(
    original: &str,
    masked: &str,
    span: Span,
    tokens: &[Token],
    dialect: ParserDialect,
    diagnostics: &mut Vec<Diagnostic>,
) -> QueryFacts {
    let sql = span.text(masked);
    if longest_operator_run(original, tokens) > MAX_OPERATOR_RUN {
        return scan(original, tokens);
    }
    let dialect = parser_dialect(dialect);
    let parsed =
        Parser::new(dialect.as_ref()).with_recursion_limit(64).try_with_sql(sql).and_then(|mut p| p.parse_statements());
    match parsed {
        Ok(statements) if !statements.is_empty() => {
            let locate = Locator::new(sql, span.start as usize);
            facts_from_ast(original, &statements, &locate, tokens)
        }
        Ok(_) => QueryFacts::default(),
        Err(error) => {
            diagnostics.push(parse_error(&error, sql, span));
            scan(original, tokens)
        }
    }
}

/// Operators in a row beyond which a statement is left to the token pass. sqlparser's tree
/// for `a + b + ...` or `SELECT 1 UNION SELECT 2 ...` nests one level per operator, and
/// visiting and dropping it recurse as deep: about 16,000 overflowed a 2 MB thread stack in a
/// debug build, aborting the process. sqlparser's recursion limit does not count these.
const MAX_OPERATOR_RUN: usize = 4_000;

/// The longest run of binary operators in one expression of the statement (a cheap upper
/// bound: operators separated only by names and literals count as one run), or of set
/// operations in one query.
fn longest_operator_run(text: &str, tokens: &[Token]) -> usize {
    // Per open parenthesis: (operators in the current expression, set operations).
    let mut runs = vec![(0usize, 0usize)];
    let mut longest = 0;
    for token in tokens {
        match token.kind {
            TokenKind::LParen | TokenKind::LBracket => runs.push((0, 0)),
            TokenKind::RParen | TokenKind::RBracket if runs.len() > 1 => {
                runs.pop();
            }
            _ => {}
        }
        let Some(run) = runs.last_mut() else { break };
        match token.kind {
            TokenKind::Comma | TokenKind::Semicolon => run.0 = 0,
            TokenKind::Op => run.0 += 1,
            TokenKind::Ident => {
                let word = token.text(text).to_ascii_lowercase();
                match word.as_str() {
                    "and" | "or" => run.0 += 1,
                    "union" | "intersect" | "except" | "minus" => run.1 += 1,
                    // Each CASE branch, each clause starts a new expression.
                    "when" | "then" | "else" | "select" | "from" | "where" | "on" | "having" | "by" => run.0 = 0,
                    _ => {}
                }
            }
            _ => {}
        }
        if let Some(&(ops, sets)) = runs.last() {
            longest = longest.max(ops).max(sets);
        }
    }
    longest
}

/// A sqlparser error as a diagnostic at the location it names (else on the whole statement).
fn parse_error(error: &ParserError, sql: &str, span: Span) -> Diagnostic {
    let message = match error {
        ParserError::TokenizerError(m) | ParserError::ParserError(m) => m.clone(),
        ParserError::RecursionLimitExceeded => "the query is nested too deeply to parse".to_string(),
    };
    let located = message.rfind(" at Line: ").and_then(|at| {
        let rest = &message[at + " at Line: ".len()..];
        let (line, rest) = rest.split_once(", Column: ")?;
        let column: String = rest.chars().take_while(|c| c.is_ascii_digit()).collect();
        Some((at, line.trim().parse::<u32>().ok()?, column.parse::<u32>().ok()?))
    });
    match located {
        Some((at, line, column)) => {
            let index = LineIndex::new(sql);
            let start = index.offset(
                sql,
                LineCol { line: line.saturating_sub(1), col: column.saturating_sub(1) },
                Encoding::Utf32,
            );
            let end = sql[start..]
                .find(|c: char| c.is_whitespace() || c == ';')
                .map_or(sql.len(), |e| start + e.max(1).min(sql.len() - start));
            let start = start + span.start as usize;
            let end = (end + span.start as usize).max(start);
            Diagnostic::error("sql-syntax", Span::new(start, end), message[..at].to_string())
        }
        None => Diagnostic::error("sql-syntax", span, message),
    }
}

/// Converts sqlparser locations (line and column in chars) in `sql` to byte offsets of the
/// file, in constant time: a query on one long line has thousands of locations, and counting
/// chars from the line's start for each made reading it quadratic.
pub(super) struct Locator<'a> {
    sql: &'a str,
    /// The byte offset of every char of the SQL, then the SQL's length.
    chars: Vec<u32>,
    /// For every line, the index in `chars` of its first char.
    lines: Vec<u32>,
    base: usize,
}

impl<'a> Locator<'a> {
    fn new(sql: &'a str, base: usize) -> Locator<'a> {
        let mut chars = Vec::with_capacity(sql.len() + 1);
        let mut lines = vec![0];
        for (i, c) in sql.char_indices() {
            chars.push(i as u32);
            if c == '\n' {
                lines.push(chars.len() as u32);
            }
        }
        chars.push(sql.len() as u32);
        Locator { sql, chars, lines, base }
    }

    /// As [`LineIndex::offset`]: a column past the end of its line clamps to the line's end
    /// (before `\r\n`), a line past the end to the end of the SQL.
    fn offset(&self, location: sqlparser::tokenizer::Location) -> usize {
        let end_of_sql = self.chars.len() - 1;
        let line = location.line.saturating_sub(1) as usize;
        let Some(&first) = self.lines.get(line) else {
            return self.base + self.chars[end_of_sql] as usize;
        };
        // The index of the line's `\n` (or the end of the SQL), then of a `\r` before it.
        let mut end = self.lines.get(line + 1).map_or(end_of_sql, |&next| next as usize - 1);
        if end > first as usize && self.sql.as_bytes()[self.chars[end - 1] as usize] == b'\r' {
            end -= 1;
        }
        let index = (first as usize).saturating_add(location.column.saturating_sub(1) as usize).min(end);
        self.base + self.chars[index] as usize
    }

    pub(super) fn span(&self, span: sqlparser::tokenizer::Span) -> Option<Span> {
        if span.start.line == 0 {
            return None;
        }
        let start = self.offset(span.start);
        Some(Span::new(start, self.offset(span.end).max(start)))
    }

    fn name_part(&self, original: &str, ident: &Ident) -> NamePart {
        let span = self.span(ident.span).unwrap_or_default();
        let written = span.text(original);
        // Keep macros as written in the original (`@{schema}`), not their placeholder.
        let text = if ident.quote_style.is_some() {
            unquote_ident(written)
        } else if written.is_empty() {
            ident.value.clone()
        } else {
            written.to_string()
        };
        NamePart { text, quoted: ident.quote_style.is_some(), span }
    }

    /// Parts that sqlparser split out of one quoted identifier (`` `project.dataset.table` ``),
    /// each with its own span inside the quotes; None unless the quoted text is exactly the
    /// parts joined by dots.
    fn split_quoted(&self, original: &str, idents: &[&Ident]) -> Option<Vec<NamePart>> {
        let span = self.span(idents.first()?.span)?;
        let written = span.text(original);
        let inner = written.strip_prefix('`')?.strip_suffix('`')?;
        let values: Vec<&str> = idents.iter().map(|i| i.value.as_str()).collect();
        if inner != values.join(".") {
            return None;
        }
        let mut at = span.start as usize + 1;
        let parts = values
            .iter()
            .map(|value| {
                let part = NamePart { text: value.to_string(), quoted: true, span: Span::new(at, at + value.len()) };
                at += value.len() + 1;
                part
            })
            .collect();
        Some(parts)
    }
}

fn facts_from_ast(original: &str, statements: &[Statement], locate: &Locator, tokens: &[Token]) -> QueryFacts {
    let mut collector = Collector { original, locate, ctes: Vec::new(), tables: Vec::new(), alias: None };
    for statement in statements {
        let _ = statement.visit(&mut collector);
    }
    let cte_names: Vec<String> = collector.ctes.iter().map(|c| c.value.to_ascii_lowercase()).collect();
    let tables = collector
        .tables
        .into_iter()
        .filter(|t| !(t.name.len() == 1 && cte_names.contains(&t.name[0].text.to_ascii_lowercase())))
        .collect();
    let (projections, selects) = match statements.first() {
        Some(Statement::Query(query)) => {
            (projections(original, query, locate, tokens), selects(original, query, locate, tokens))
        }
        _ => (Vec::new(), Vec::new()),
    };
    QueryFacts { tables, ctes: collector.ctes, projections, selects, parsed: true }
}

struct Collector<'a> {
    original: &'a str,
    locate: &'a Locator<'a>,
    ctes: Vec<Spanned<String>>,
    tables: Vec<TableRef>,
    /// The alias of the table factor being visited, for the relation visited next inside it.
    alias: Option<(*const ObjectName, Spanned<String>)>,
}

impl Visitor for Collector<'_> {
    type Break = ();

    fn pre_visit_query(&mut self, query: &Query) -> ControlFlow<()> {
        if let Some(with) = &query.with {
            for cte in &with.cte_tables {
                let name = &cte.alias.name;
                let span = self.locate.span(name.span).unwrap_or_default();
                self.ctes.push(Spanned::new(name.value.clone(), span));
            }
        }
        ControlFlow::Continue(())
    }

    fn pre_visit_table_factor(&mut self, factor: &TableFactor) -> ControlFlow<()> {
        if let TableFactor::Table { name, alias: Some(alias), .. } = factor {
            let part = self.locate.name_part(self.original, &alias.name);
            self.alias = Some((name as *const ObjectName, Spanned::new(part.text, part.span)));
        }
        ControlFlow::Continue(())
    }

    fn pre_visit_relation(&mut self, relation: &ObjectName) -> ControlFlow<()> {
        let idents: Vec<&Ident> = relation.0.iter().filter_map(|p| p.as_ident()).collect();
        let mut parts: Vec<NamePart> = Vec::new();
        let mut i = 0;
        while i < idents.len() {
            // BigQuery's `project.dataset.table` in one pair of backticks comes back as parts
            // sharing the quoted span.
            let same = idents[i..].iter().take_while(|id| id.span == idents[i].span).count();
            match self.locate.split_quoted(self.original, &idents[i..i + same]) {
                Some(split) if same > 1 => parts.extend(split),
                _ => parts.extend(idents[i..i + same].iter().map(|id| self.locate.name_part(self.original, id))),
            }
            i += same;
        }
        // The alias belongs to this relation only if it is the table factor's own name.
        let alias = match self.alias.take() {
            Some((name, alias)) if std::ptr::eq(name, relation) => Some(alias),
            _ => None,
        };
        if !parts.is_empty() {
            let span =
                self.locate.span(relation.span()).unwrap_or_else(|| parts[0].span.cover(parts[parts.len() - 1].span));
            self.tables.push(TableRef { name: parts, span, alias });
        }
        ControlFlow::Continue(())
    }
}

/// The projections of the leftmost SELECT of `query`; `tokens` are the statement's tokens.
fn projections(original: &str, query: &Query, locate: &Locator, tokens: &[Token]) -> Vec<Projection> {
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

fn cover_tokens(tokens: &[Token]) -> Option<Span> {
    Some(tokens.first()?.span.cover(tokens.last()?.span))
}

/// The span of an item's tokens before its alias, without the `AS` (and the `(` of `AS (a, b)`).
fn expr_before_alias(text: &str, item: &[Token], alias: Span) -> Option<Span> {
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
fn select_items(text: &str, tokens: &[Token], select_start: usize) -> Vec<std::ops::Range<usize>> {
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

/// The token-level pass: table references and CTE names from tokens alone. Never fails.
/// `tokens` are the significant tokens of a statement of `text`.
pub fn scan(text: &str, tokens: &[Token]) -> QueryFacts {
    let mut ctes: Vec<Spanned<String>> = Vec::new();
    let mut tables = Vec::new();
    // For each open parenthesis: whether it holds a query (so FROM inside it reads tables).
    let mut parens: Vec<bool> = Vec::new();
    let mut in_from_list = false;
    let mut expect_cte = false;
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
                // `FROM (subquery) alias, next_table`: the list goes on after a subquery.
                in_from_list = in_query && i > 0 && parens.last().copied().unwrap_or(true) && in_from_list;
            }
            TokenKind::Comma if in_from_list && in_query => {
                if let Some((table, next)) = table_at(text, tokens, i + 1) {
                    tables.push(table);
                    i = next;
                    continue;
                }
            }
            TokenKind::Comma if expect_cte => {
                if let Some(cte) = cte_at(text, tokens, i + 1) {
                    ctes.push(cte);
                }
            }
            _ => {}
        }
        if let Some(word) = word.as_deref() {
            if word == "with" {
                expect_cte = true;
                let at = if tokens.get(i + 1).is_some_and(|t| t.is_word(text, "recursive")) { i + 2 } else { i + 1 };
                if let Some(cte) = cte_at(text, tokens, at) {
                    ctes.push(cte);
                }
            } else if word == "select" {
                expect_cte = false;
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
    QueryFacts { tables, ctes, projections: Vec::new(), selects: Vec::new(), parsed: false }
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
