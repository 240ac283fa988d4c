//! A SQL model file: the `MODEL (...)` block, then pre-statements, the query, post-statements,
//! `ON_VIRTUAL_UPDATE_BEGIN; ...; ON_VIRTUAL_UPDATE_END;` and Jinja blocks.

use super::block::{Block, NamePart, Property, Values, parse_block};
use super::lexer::{LexOptions, Token, TokenKind, tokenize_significant};
use super::span::{Diagnostic, Span, Spanned};
use super::sql::{self, MacroUse, QueryFacts};
use super::sqlmesh::{self, ParserDialect};
use serde::Serialize;

/// What a statement after the MODEL block is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum StatementRole {
    Pre,
    Query,
    Post,
    /// Inside `ON_VIRTUAL_UPDATE_BEGIN; ... ON_VIRTUAL_UPDATE_END;`.
    OnVirtualUpdate,
}

/// One statement of the file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Statement {
    /// Without the terminating `;`.
    pub span: Span,
    pub role: StatementRole,
    /// Inside a `JINJA_QUERY_BEGIN`/`JINJA_STATEMENT_BEGIN` block.
    pub jinja: bool,
}

/// `@DEF(name, value)`: a macro variable defined in the file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MacroDef {
    pub name: Spanned<String>,
    /// The whole `@DEF(...)` call.
    pub span: Span,
    /// The value's text: everything after the name's comma.
    pub value: Option<Span>,
}

/// The typed reading of a MODEL block's `kind`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct KindRef {
    /// The kind name, upper-cased (`INCREMENTAL_BY_TIME_RANGE`).
    pub name: Spanned<String>,
    /// The kind's own properties (`time_column ds`, ...).
    pub properties: Vec<Property>,
}

/// A parsed SQL model file.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ModelFile {
    /// The `MODEL (...)` block, if the file has one.
    pub block: Option<Block>,
    pub statements: Vec<Statement>,
    /// Facts of the query statement, if there is one.
    pub query: Option<QueryFacts>,
    /// Tables read by pre-, post- and on-virtual-update statements.
    pub statement_tables: Vec<sql::TableRef>,
    /// Every macro used in the SQL.
    pub macros: Vec<MacroUse>,
    pub defs: Vec<MacroDef>,
    pub diagnostics: Vec<Diagnostic>,
}

impl ModelFile {
    /// The first property named `key` (case-insensitive; aliases are the caller's business).
    pub fn property(&self, key: &str) -> Option<&Property> {
        self.block.as_ref()?.properties.iter().find(|p| p.key.value.eq_ignore_ascii_case(key))
    }

    /// The model's name as written in the MODEL block.
    pub fn name(&self) -> Option<(Vec<NamePart>, Span)> {
        self.property("name")?.value.as_name()
    }

    /// The `kind` property read as a kind name and its properties.
    pub fn kind(&self) -> Option<KindRef> {
        read_kind(&self.property("kind")?.value)
    }

    /// The query statement.
    pub fn query_statement(&self) -> Option<&Statement> {
        self.statements.iter().find(|s| s.role == StatementRole::Query)
    }
}

/// Reads a `kind` value: `FULL`, `INCREMENTAL_BY_TIME_RANGE (time_column ds)`, `'VIEW'`.
pub fn read_kind(value: &Values) -> Option<KindRef> {
    let first = value.atoms.first()?;
    let (name, properties) = match &first.kind {
        super::block::ValueKind::Name(parts) if parts.len() == 1 => {
            let props = value.atoms.get(1).map(|v| Values { span: v.span, atoms: vec![v.clone()] });
            (
                Spanned::new(parts[0].text.to_ascii_uppercase(), first.span),
                props.map(|p| p.as_properties()).unwrap_or_default(),
            )
        }
        super::block::ValueKind::Call { name, args, .. } if name.len() == 1 => {
            (Spanned::new(name[0].text.to_ascii_uppercase(), name[0].span), super::block::properties_of(args))
        }
        super::block::ValueKind::Str(s) => (Spanned::new(s.to_ascii_uppercase(), first.span), Vec::new()),
        _ => return None,
    };
    Some(KindRef { name, properties })
}

/// Lexing options for a dialect's SQL.
pub fn lex_options(dialect: Option<&str>) -> LexOptions {
    let name = dialect.unwrap_or("").to_ascii_lowercase();
    LexOptions {
        bracket_identifiers: matches!(name.as_str(), "tsql" | "fabric"),
        backslash_escapes: matches!(
            name.as_str(),
            "bigquery" | "mysql" | "spark" | "spark2" | "databricks" | "hive" | "clickhouse" | "doris" | "starrocks"
        ),
    }
}

/// The parser dialect of a SQLMesh dialect name (the closest one where sqlparser has none).
/// The shape of the model's Jinja query, rendered with `variables`; None when the query is
/// not Jinja or does not render to a query sqlparser reads.
pub fn jinja_query_shape(
    file: &ModelFile,
    text: &str,
    dialect: Option<&str>,
    variables: &[(String, crate::syntax::config::ConfigValue)],
    macros: &str,
) -> Option<crate::syntax::sql::shape::QueryShape> {
    let statement = file.statements.iter().find(|s| s.role == StatementRole::Query)?;
    if !statement.jinja {
        return None;
    }
    let rendered = crate::syntax::jinja::render(statement.span.text(text), variables, macros)?;
    let tokens = tokenize_significant(&rendered, lex_options(dialect));
    sql::rendered_shape(&rendered, &tokens, parser_dialect_of(dialect))
}

pub fn parser_dialect_of(dialect: Option<&str>) -> ParserDialect {
    dialect.and_then(sqlmesh::dialect).map_or(ParserDialect::Generic, |d| d.parser)
}

/// Parses a SQL model file. `default_dialect` is the project's `model_defaults.dialect`,
/// used when the MODEL block names none. Never panics.
pub fn parse_model_file(text: &str, default_dialect: Option<&str>) -> ModelFile {
    let mut diagnostics = Vec::new();
    let tokens = tokenize_significant(text, LexOptions::default());
    let mut block = None;
    let mut rest_start = 0;
    if tokens.first().is_some_and(|t| t.is_word(text, "model")) {
        let (parsed, consumed) = parse_block(text, &tokens, &mut diagnostics);
        rest_start = consumed;
        if tokens.get(rest_start).map(|t| t.kind) == Some(TokenKind::Semicolon) {
            rest_start += 1;
        }
        block = Some(parsed);
    }
    let mut file = ModelFile {
        block,
        statements: Vec::new(),
        query: None,
        statement_tables: Vec::new(),
        macros: Vec::new(),
        defs: Vec::new(),
        diagnostics: Vec::new(),
    };
    let dialect = file.property("dialect").and_then(|p| p.value.as_text()).map(|d| d.value);
    let dialect = dialect.as_deref().or(default_dialect);
    let sql_start = tokens.get(rest_start).map_or(text.len(), |t| t.span.start as usize);
    let options = lex_options(dialect);
    // Re-lex the SQL when the dialect quotes or escapes differently from the default.
    let sql_tokens: Vec<Token> = if options.bracket_identifiers || options.backslash_escapes {
        tokenize_significant(&text[sql_start..], options)
            .into_iter()
            .map(|t| Token { kind: t.kind, span: t.span.shift(sql_start) })
            .collect()
    } else {
        tokens[rest_start.min(tokens.len())..].to_vec()
    };
    for token in &sql_tokens {
        if token.kind == TokenKind::Unterminated {
            diagnostics.push(Diagnostic::error("sql-syntax", token.span, "unterminated string, identifier or comment"));
        }
    }
    let masked = sql::mask(text, &sql_tokens);
    let parser = parser_dialect_of(dialect);
    file.statements = split_statements(text, &sql_tokens, &mut diagnostics);
    for statement in &file.statements {
        let range = token_range(&sql_tokens, statement.span);
        let stmt_tokens = &sql_tokens[range];
        if let Some(def) = read_def(text, stmt_tokens) {
            file.defs.push(def);
            continue;
        }
        if statement.jinja || starts_with_macro(stmt_tokens) {
            // Jinja and macro-generated SQL cannot be parsed before rendering: tokens only.
            let facts = sql::scan(text, stmt_tokens);
            match statement.role {
                StatementRole::Query if file.query.is_none() => file.query = Some(facts),
                _ => file.statement_tables.extend(facts.tables),
            }
            continue;
        }
        match statement.role {
            StatementRole::Query if file.query.is_none() => {
                file.query =
                    Some(sql::query_facts(text, &masked.text, statement.span, stmt_tokens, parser, &mut diagnostics));
            }
            _ => file.statement_tables.extend(sql::scan(text, stmt_tokens).tables),
        }
    }
    file.macros = masked.macros;
    file.diagnostics = diagnostics;
    file
}

fn token_range(tokens: &[Token], span: Span) -> std::ops::Range<usize> {
    let start = tokens.partition_point(|t| t.span.start < span.start);
    let end = tokens.partition_point(|t| t.span.end <= span.end);
    start..end.max(start)
}

fn starts_with_macro(tokens: &[Token]) -> bool {
    tokens.first().is_some_and(|t| t.kind == TokenKind::Macro)
}

/// `@DEF(name, value)` as a whole statement.
fn read_def(text: &str, tokens: &[Token]) -> Option<MacroDef> {
    let first = tokens.first()?;
    if first.kind != TokenKind::Macro || !first.text(text).eq_ignore_ascii_case("@def") {
        return None;
    }
    let name = tokens.get(2).filter(|t| t.kind == TokenKind::Ident)?;
    let last = tokens.last()?;
    let value = match tokens.get(4..tokens.len().saturating_sub(1)) {
        Some(value) if !value.is_empty() && tokens[3].kind == TokenKind::Comma => {
            Some(value[0].span.cover(value[value.len() - 1].span))
        }
        _ => None,
    };
    Some(MacroDef {
        name: Spanned::new(name.text(text).to_string(), name.span),
        span: first.span.cover(last.span),
        value,
    })
}

/// Markers that open and close special regions.
const JINJA_BEGIN: &[&str] = &["jinja_query_begin", "jinja_statement_begin"];
const JINJA_END: &str = "jinja_end";
const VIRTUAL_BEGIN: &str = "on_virtual_update_begin";
const VIRTUAL_END: &str = "on_virtual_update_end";

/// Splits the SQL after the MODEL block into statements and assigns their roles, as SQLMesh
/// does: markers (`JINJA_QUERY_BEGIN;`, `ON_VIRTUAL_UPDATE_BEGIN;`, ...) count only as a lone
/// word before `;`; a Jinja block is one statement however many `;` it holds; the first
/// query-like statement is the query, statements before it pre-statements, after it
/// post-statements.
fn split_statements(text: &str, tokens: &[Token], diagnostics: &mut Vec<Diagnostic>) -> Vec<Statement> {
    // Chunks of tokens between top-level semicolons.
    let mut chunks: Vec<&[Token]> = Vec::new();
    let mut start = 0;
    let mut depth = 0i32;
    for (i, token) in tokens.iter().enumerate() {
        match token.kind {
            TokenKind::LParen => depth += 1,
            TokenKind::RParen => depth -= 1,
            TokenKind::Semicolon if depth <= 0 => {
                depth = 0;
                chunks.push(&tokens[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    chunks.push(&tokens[start.min(tokens.len())..]);
    let only_statement = chunks.iter().filter(|c| !c.is_empty()).count() == 1;

    let mut statements = Vec::new();
    let mut seen_query = false;
    let mut jinja: Option<(bool, Span, Option<Span>)> = None; // (query block, marker, body so far)
    let mut virtual_update: Option<Span> = None;
    for body in chunks {
        let Some(first) = body.first() else { continue };
        let span = first.span.cover(body[body.len() - 1].span);
        let marker = (body.len() == 1 && first.kind == TokenKind::Ident).then(|| first.text(text).to_ascii_lowercase());
        if let Some((query, open, inner)) = &mut jinja {
            // `JINJA_END;` closes the block, also right after the block's last line.
            let last = body[body.len() - 1];
            if last.kind == TokenKind::Ident && last.text(text).eq_ignore_ascii_case(JINJA_END) {
                if body.len() > 1 {
                    let rest = first.span.cover(body[body.len() - 2].span);
                    *inner = Some(inner.map_or(rest, |s| s.cover(rest)));
                }
                let (query, open, inner) = (*query, *open, *inner);
                jinja = None;
                let role = role_of(&mut seen_query, virtual_update.is_some(), query);
                statements.push(Statement { span: inner.unwrap_or(Span::at(open.end as usize)), role, jinja: true });
            } else {
                *inner = Some(inner.map_or(span, |s| s.cover(span)));
            }
            continue;
        }
        match marker.as_deref() {
            Some(m) if JINJA_BEGIN.contains(&m) => {
                jinja = Some((m == "jinja_query_begin", span, None));
                continue;
            }
            Some(VIRTUAL_BEGIN) => {
                virtual_update = Some(span);
                continue;
            }
            Some(VIRTUAL_END) => {
                virtual_update = None;
                continue;
            }
            _ => {}
        }
        let query = is_query(text, body, only_statement);
        let role = role_of(&mut seen_query, virtual_update.is_some(), query);
        statements.push(Statement { span, role, jinja: false });
    }
    if let Some((_, span, _)) = jinja {
        diagnostics.push(Diagnostic::error("model-block", span, "Jinja block is not closed by `JINJA_END;`"));
    }
    if let Some(span) = virtual_update {
        diagnostics.push(Diagnostic::error(
            "model-block",
            span,
            "`ON_VIRTUAL_UPDATE_BEGIN;` is not closed by `ON_VIRTUAL_UPDATE_END;`",
        ));
    }
    statements
}

fn role_of(seen_query: &mut bool, virtual_update: bool, query: bool) -> StatementRole {
    if virtual_update {
        StatementRole::OnVirtualUpdate
    } else if query && !*seen_query {
        *seen_query = true;
        StatementRole::Query
    } else if *seen_query {
        StatementRole::Post
    } else {
        StatementRole::Pre
    }
}

/// Whether a statement is a query: SELECT, WITH, FROM-first, a parenthesized query, or a macro
/// call standing for one (`@UNION(...)`, `@INSERT_SEED()`, or any macro call that is the
/// model's only statement).
fn is_query(text: &str, body: &[Token], only_statement: bool) -> bool {
    let Some(first) = body.first() else { return false };
    match first.kind {
        TokenKind::LParen => body
            .iter()
            .find(|t| t.kind != TokenKind::LParen)
            .is_some_and(|t| is_query(text, std::slice::from_ref(t), false)),
        TokenKind::Ident => matches!(first.text(text).to_ascii_lowercase().as_str(), "select" | "with" | "from"),
        TokenKind::Macro => {
            let name = first.text(text).to_ascii_lowercase();
            name == "@union" || name == "@insert_seed" || (only_statement && name != "@def")
        }
        _ => false,
    }
}
