//! The SQL of a model: macro masking, the sqlparser pass and the token-level pass.
//!
//! SQLMesh macros (`@start_ds`, `@{var}`, `@IF(...)`) are not SQL, so before sqlparser sees a
//! statement every macro is replaced by a placeholder of the same byte length: spans found in
//! the masked text are true in the original. sqlparser reads the statement in the meshls
//! dialect of the model's dialect ([`MeshDialect`]: sqlparser's, widened as sqlglot's), then,
//! if that fails, in the permissive one. sqlparser stops at the first error, so a second,
//! token-level pass that never fails finds table references and CTE names in any text.
//!
//! This module holds the facts a statement yields and [`query_facts`], which reads them; the
//! masking, the sqlparser pass and the token pass each live in a submodule.

mod ast;
mod locate;
mod mask;
mod mesh_dialect;
mod projection;
mod scan;
pub use scan::reads_macro_relation;
pub mod select;
pub mod shape;

pub use mask::{mask, matching_paren};
pub use scan::scan;

use super::block::NamePart;
use super::lexer::{Token, TokenKind};
use super::span::{Diagnostic, Span, Spanned};
use super::sqlmesh::ParserDialect;
use ast::facts_from_ast;
use locate::Locator;
pub use mesh_dialect::MeshDialect;
use select::SelectFacts;
use serde::Serialize;
use sqlparser::dialect;
use sqlparser::parser::{Parser, ParserError};
use sqlparser::tokenizer::Tokenizer;

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
    /// The query's scopes and column references, for lineage; None unless sqlparser read it.
    #[serde(skip)]
    pub shape: Option<std::sync::Arc<shape::QueryShape>>,
}

/// The meshls dialect for one of meshls's parser dialects: the sqlparser dialect, widened.
pub fn parser_dialect(dialect: ParserDialect) -> MeshDialect {
    MeshDialect::new(match dialect {
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
    })
}

/// Parses `sql` in `dialect`, then, if that fails, in the permissive dialect; the error is
/// the first dialect's, which names what the model's own dialect does not read.
fn parse_sql(sql: &str, dialect: ParserDialect) -> Result<Vec<sqlparser::ast::Statement>, ParserError> {
    let parse = |dialect: &MeshDialect| {
        // Sized up front (a token every two bytes at most, whitespace included): a growing
        // buffer of a wide query's tokens is copied again and again into fresh pages.
        let mut tokens = Vec::with_capacity(sql.len() / 2 + 16);
        Tokenizer::new(dialect, sql).tokenize_with_location_into_buf(&mut tokens)?;
        Parser::new(dialect).with_recursion_limit(64).with_tokens_with_locations(tokens).parse_statements()
    };
    parse(&parser_dialect(dialect)).or_else(|error| parse(&MeshDialect::permissive()).map_err(|_| error))
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
    match parse_sql(sql, dialect) {
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

/// The shape of SQL rendered from a template: its spans are offsets in `sql`, not in the
/// file (the shape is marked `rendered`). None unless sqlparser reads it as a query.
pub fn rendered_shape(sql: &str, tokens: &[Token], dialect: ParserDialect) -> Option<shape::QueryShape> {
    if longest_operator_run(sql, tokens) > MAX_OPERATOR_RUN {
        return None;
    }
    let masked = mask::mask(sql, tokens);
    let statements = parse_sql(&masked.text, dialect).ok()?;
    let sqlparser::ast::Statement::Query(query) = statements.first()? else { return None };
    let locate = Locator::new(&masked.text, 0);
    let mut shape = shape::shape(sql, query, &locate, tokens);
    shape.rendered = true;
    Some(shape)
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
            // sqlparser's lines, not LSP's: a lone `\r` does not end one.
            let location = sqlparser::tokenizer::Location { line: line as u64, column: column as u64 };
            let start = Locator::new(sql, 0).offset(location);
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
