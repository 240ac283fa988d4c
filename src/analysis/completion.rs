//! Completion.
//!
//! // Feature: Completion
//! Completions that know the query, ranked best first:
//! - after `FROM`/`JOIN`, and in the MODEL block's `depends_on`: the CTEs in scope, then the
//!   project's models, seeds and external models, those of the current model's schema first,
//!   each with its kind and its model card; `FROM sushi.` narrows to that schema's models;
//! - in SELECT, WHERE, JOIN ON, GROUP BY, HAVING, QUALIFY and ORDER BY: the columns of the
//!   relations in scope with their types (written `alias.col` when two relations share a
//!   name), then the relations' aliases; after `alias.` that relation's columns only;
//! - after `@`: the file's `@DEF`s, the project's macros (their parameters as a snippet,
//!   their docstring as documentation), config variables, SQLMesh's macro variables and
//!   built-in macros;
//! - inside `MODEL (...)`: the properties not yet written (the kind's own inside
//!   `kind NAME (...)`), kind names, dialects, cron aliases, audits, enum values, and the
//!   model's own columns for `time_column`, `grain`, `unique_key`, `partitioned_by`.
//!
//! It works on SQL that does not parse. The relations in scope come from the query's shape
//! when sqlparser reads the query, else from the shape of the query with a placeholder word
//! at the cursor (`SELECT o.| FROM ...` reads as `SELECT o.meshls_cursor FROM ...`), else
//! from a token-level pass over the statement (FROM/JOIN names and aliases, CTE names).
//! Editors trigger it on `.` and `@` as well as on typing a word.

use super::ParsedFile;
use super::hover::model_card;
use crate::project::facts::{Syntax, table_name};
use crate::project::lineage::{QueryResolver, model_schema};
use crate::project::names::{normalization, normalize_ident};
use crate::project::{FileFacts, FileId, FileRole, Model, ModelName, Project, Source};
use crate::syntax::Span;
use crate::syntax::block::{NamePart, unquote_ident};
use crate::syntax::config::ConfigValue;
use crate::syntax::lexer::{LexOptions, Token, TokenKind, tokenize};
use crate::syntax::line_index::line_around;
use crate::syntax::model_file::{ModelFile, lex_options, parse_model_file};
use crate::syntax::sql::matching_paren;
use crate::syntax::sql::shape::{QueryShape, Relation, ScopeKind, Target};
use crate::syntax::sqlmesh::{self, Normalization, PropertySpec, ValueShape};
use serde::Serialize;
use std::collections::{HashMap, HashSet};
use std::ops::Range;
use std::path::Path;
use std::sync::Arc;

/// One completion: plain data the server converts to LSP's `CompletionItem`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CompletionItem {
    /// What the list shows, and what is inserted unless `insert_text` says otherwise.
    pub label: String,
    pub kind: CompletionKind,
    /// One line beside the label: a column's type and relation, a model's kind.
    pub detail: Option<String>,
    /// Markdown.
    pub documentation: Option<String>,
    /// What to insert when it is not the label; a snippet (`${1:name}`) when `snippet`.
    pub insert_text: Option<String>,
    /// Whether `insert_text` is a snippet (LSP's `InsertTextFormat::Snippet`).
    pub snippet: bool,
    /// Orders the items, best first; the list is returned in this order.
    pub sort_text: String,
    /// The text the item replaces: the partial word at the cursor (after a dot, only the
    /// part after it; after `@`, the `@` too). Always on the cursor's line and around it.
    pub replace: Span,
}

/// What a completion item stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum CompletionKind {
    /// A model, seed or external model.
    Model,
    /// A CTE of the query.
    Cte,
    /// A column of a relation in scope, or of the model itself.
    Column,
    /// A relation's alias in the FROM clause.
    Alias,
    /// A macro function: built-in (`@EACH`) or the project's.
    Macro,
    /// `@start_ds`, a config variable, an `@DEF` of the file.
    MacroVariable,
    /// A MODEL block property (`cron`) or a kind's (`time_column`).
    Property,
    /// A model kind name.
    Kind,
    /// A SQL dialect name.
    Dialect,
    /// A SQL keyword.
    Keyword,
    /// A built-in or project audit.
    Audit,
    /// Any other property value: a cron alias, an enum word, a name.
    Value,
}

/// Models listed at most after FROM: the best matches for what was typed. A list this long
/// may be incomplete: [`completion_list`] marks it so, to be asked again as the user types.
pub const MAX_MODELS: usize = 200;
/// How many model items carry the model card: the card walks the graph, so the rest go
/// without it.
const DOCUMENTED_MODELS: usize = 10;
/// The word put at the cursor so that sqlparser reads a half-typed query.
const PLACEHOLDER: &str = "meshls_cursor";
/// Nesting of CTEs and subqueries the token pass follows to name their columns.
const MAX_TOKEN_DEPTH: u8 = 4;

/// The completions at `offset` of a parsed file whose text is `text`, best first.
pub fn completions(project: &Project, file: &ParsedFile, text: &str, offset: usize) -> Vec<CompletionItem> {
    if offset > text.len() || !text.is_char_boundary(offset) {
        return Vec::new();
    }
    let Syntax::Sql(model_file) = &file.syntax else { return Vec::new() };
    let model = file.facts.models.first();
    let default_dialect = project.settings.config.model_defaults.dialect.as_ref().map(|d| d.value.clone());
    let dialect = match model {
        Some(model) => model.dialect.clone(),
        None => model_file.property("dialect").and_then(|p| p.value.as_text()).map(|d| d.value).or(default_dialect),
    };
    let context = Context {
        project,
        text,
        offset,
        model,
        file: model_file,
        path: &file.facts.path,
        strategy: normalization(dialect.as_deref()),
        dialect,
    };
    let mut items = context.complete();
    // LSP requires an edit on the cursor's line that contains the cursor; what an item replaces
    // may run further (an unclosed string runs to the end of the file).
    let line = line_around(text, offset);
    for item in &mut items {
        let start = (item.replace.start as usize).clamp(line.start.min(offset), offset);
        let end = (item.replace.end as usize).clamp(offset, line.end.max(offset));
        item.replace = Span::new(start, end);
    }
    items
}

/// The completions at a cursor as the editor's list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CompletionList {
    /// Best first.
    pub items: Vec<CompletionItem>,
    /// The model items were capped at [`MAX_MODELS`]: the editor asks again as the user types.
    pub incomplete: bool,
}

/// [`completions`] as a list, incomplete when it holds [`MAX_MODELS`] models.
pub fn completion_list(project: &Project, file: &ParsedFile, text: &str, offset: usize) -> CompletionList {
    let items = completions(project, file, text, offset);
    let incomplete = items.iter().filter(|i| i.kind == CompletionKind::Model).count() >= MAX_MODELS;
    CompletionList { items, incomplete }
}

/// The completions at `offset` of the file at `path` holding `text`: parses it and answers,
/// without changing the project (one call from text to answer, for benchmarks).
pub fn completions_at(project: &Project, path: &Path, text: &str, offset: usize) -> Vec<CompletionItem> {
    match super::parse(project, path, text) {
        Some(file) => completions(project, &file, text, offset),
        None => Vec::new(),
    }
}

// ---------------------------------------------------------------------------------------
// Ranking

/// Gathers items, keeps those matching the typed prefix and orders them: exact-prefix
/// matches before fuzzy ones, then by group, then in the order they were added.
struct Collector {
    prefix: String,
    replace: Span,
    items: Vec<(u8, u8, CompletionItem)>,
    seen: HashSet<(String, CompletionKind)>,
}

impl Collector {
    fn new(prefix: &str, replace: Span) -> Collector {
        Collector { prefix: prefix.to_string(), replace, items: Vec::new(), seen: HashSet::new() }
    }

    fn push(&mut self, group: u8, item: CompletionItem) {
        let Some(tier) = match_tier(&item.label, &self.prefix) else { return };
        if self.seen.insert((item.label.clone(), item.kind)) {
            self.items.push((tier, group, item));
        }
    }

    fn finish(self) -> Vec<CompletionItem> {
        let mut items = self.items;
        // Stable: within a group, the order of insertion.
        items.sort_by_key(|(tier, group, _)| (*tier, *group));
        let replace = self.replace;
        items
            .into_iter()
            .enumerate()
            .map(|(seq, (tier, group, mut item))| {
                item.sort_text = format!("{tier}{group:02}{seq:05}");
                item.replace = replace;
                item
            })
            .collect()
    }
}

fn item(label: impl Into<String>, kind: CompletionKind) -> CompletionItem {
    CompletionItem {
        label: label.into(),
        kind,
        detail: None,
        documentation: None,
        insert_text: None,
        snippet: false,
        sort_text: String::new(),
        replace: Span::default(),
    }
}

impl CompletionItem {
    fn detail(mut self, detail: impl Into<String>) -> Self {
        self.detail = Some(detail.into());
        self
    }

    fn docs(mut self, documentation: Option<String>) -> Self {
        self.documentation = documentation;
        self
    }

    fn insert(mut self, text: impl Into<String>, snippet: bool) -> Self {
        self.insert_text = Some(text.into());
        self.snippet = snippet;
        self
    }
}

/// 0 when `label` starts with `prefix` (ASCII case-insensitive; quotes and `@` ignored), 1
/// when a later dotted part of it does (`ord` in `o.order_id`), 2 when the prefix's
/// characters appear in it in order, None otherwise.
fn match_tier(label: &str, prefix: &str) -> Option<u8> {
    if prefix.is_empty() {
        return Some(0);
    }
    fn bare(s: &str) -> &str {
        s.trim_start_matches(['"', '`', '\''])
    }
    let prefix = bare(prefix);
    if starts_with_ignore_case(bare(label), prefix) {
        return Some(0);
    }
    if label.match_indices('.').any(|(i, _)| starts_with_ignore_case(bare(&label[i + 1..]), prefix)) {
        return Some(1);
    }
    is_subsequence(prefix, label).then_some(2)
}

fn starts_with_ignore_case(text: &str, prefix: &str) -> bool {
    text.len() >= prefix.len()
        && text.as_bytes()[..prefix.len()].eq_ignore_ascii_case(prefix.as_bytes())
        && text.is_char_boundary(prefix.len())
}

fn is_subsequence(needle: &str, haystack: &str) -> bool {
    let mut chars = haystack.chars();
    needle.chars().all(|n| chars.any(|h| h.eq_ignore_ascii_case(&n)))
}

// ---------------------------------------------------------------------------------------
// The cursor

/// Whether a character continues a bare identifier.
fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_' || c == '$' || !c.is_ascii()
}

/// The word around `offset`: `start..end` of the identifier characters on both sides.
fn word_at(text: &str, offset: usize) -> (usize, usize) {
    let start =
        text[..offset].char_indices().rev().take_while(|(_, c)| is_word_char(*c)).last().map_or(offset, |(i, _)| i);
    let end = offset + text[offset..].chars().take_while(|c| is_word_char(*c)).map(char::len_utf8).sum::<usize>();
    (start, end)
}

/// A token as a name part (unquoted).
fn name_part(text: &str, token: Token) -> NamePart {
    let raw = token.text(text);
    match token.kind {
        TokenKind::QuotedIdent => NamePart { text: unquote_ident(raw), quoted: true, span: token.span },
        _ => NamePart { text: raw.to_string(), quoted: false, span: token.span },
    }
}

fn is_name(token: &Token) -> bool {
    matches!(token.kind, TokenKind::Ident | TokenKind::QuotedIdent | TokenKind::Macro)
}

/// The dotted name written right before the word at `start` (`o.` of `o.col`, `sushi.` of
/// `sushi.or`), and the index of its first token; `before` is the index of the first token
/// at or after the word.
fn qualifier(text: &str, tokens: &[Token], before: usize, start: usize) -> (Vec<NamePart>, usize) {
    let mut parts = Vec::new();
    let mut i = before;
    let mut edge = start;
    while i >= 2
        && tokens[i - 1].kind == TokenKind::Dot
        && tokens[i - 1].span.end as usize == edge
        && is_name(&tokens[i - 2])
        && tokens[i - 2].span.end == tokens[i - 1].span.start
    {
        parts.insert(0, name_part(text, tokens[i - 2]));
        edge = tokens[i - 2].span.start as usize;
        i -= 2;
    }
    (parts, i)
}

/// The token the cursor is strictly inside of (a comment, a string, a quoted name).
fn enclosing(tokens: &[Token], text: &str, offset: usize) -> Option<Token> {
    let at = tokens.partition_point(|t| (t.span.end as usize) < offset);
    tokens[at..].iter().take(2).copied().find(|t| {
        let opaque = matches!(
            t.kind,
            TokenKind::Comment
                | TokenKind::String
                | TokenKind::QuotedIdent
                | TokenKind::Unterminated
                | TokenKind::JinjaExpr
                | TokenKind::JinjaStmt
                | TokenKind::JinjaComment
        );
        let (start, end) = (t.span.start as usize, t.span.end as usize);
        let open_ended =
            t.kind == TokenKind::Unterminated || (t.kind == TokenKind::Comment && t.text(text).starts_with("--"));
        opaque && start < offset && (offset < end || (open_ended && offset == end))
    })
}

// ---------------------------------------------------------------------------------------
// The context

struct Context<'a> {
    project: &'a Project,
    text: &'a str,
    offset: usize,
    model: Option<&'a Model>,
    file: &'a ModelFile,
    path: &'a Path,
    dialect: Option<String>,
    strategy: Normalization,
}

/// How a relation in scope is seen from the cursor: what qualifies its columns, what it is,
/// and its columns when known.
#[derive(Debug, Default)]
struct RelationView {
    /// The alias (else the table's name) as written, for `alias.col` labels.
    qualifier: Option<String>,
    /// The same, normalized, to match a typed `alias.`.
    key: Option<String>,
    /// The model's name, `CTE name`, `subquery`, ...
    source: String,
    columns: Option<Vec<ColumnInfo>>,
}

#[derive(Debug, Clone)]
struct ColumnInfo {
    name: String,
    data_type: Option<String>,
    description: Option<String>,
}

/// The relations a SELECT reads, those of its enclosing queries (a correlated subquery), and
/// its own output names.
#[derive(Debug, Default)]
struct ScopeView {
    relations: Vec<RelationView>,
    outer: Vec<RelationView>,
    outputs: Vec<String>,
}

/// Where in a SQL statement the cursor is, at its query level.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Clause {
    Start,
    With,
    Select,
    From,
    Join,
    On,
    Using,
    Where,
    GroupBy,
    Having,
    Qualify,
    OrderBy,
    Window,
    Limit,
    /// Arguments of a table function, a DDL statement: nothing to offer.
    Other,
}

impl Clause {
    fn reads_columns(self) -> bool {
        matches!(
            self,
            Clause::Select
                | Clause::On
                | Clause::Using
                | Clause::Where
                | Clause::GroupBy
                | Clause::Having
                | Clause::Qualify
                | Clause::OrderBy
                | Clause::Window
        )
    }

    fn reads_outputs(self) -> bool {
        matches!(self, Clause::GroupBy | Clause::Having | Clause::Qualify | Clause::OrderBy)
    }
}

/// The clause at the cursor and the innermost parenthesized query holding it.
struct Position {
    clause: Clause,
    /// The `(` opening the query the cursor is in; None at the statement's top level.
    frame: Option<usize>,
}

/// Words that end a FROM item: what follows a table name is an alias unless it is one.
const NOT_ALIAS: &[&str] = &[
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
    "minus",
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
    "outer",
    "anti",
    "semi",
    "asof",
    "positional",
    "pivot",
    "unpivot",
    "sample",
    "tablesample",
    "offset",
    "fetch",
    "as",
    "for",
];

/// Keywords after which no FROM list goes on: the first of [`NOT_ALIAS`], up to `join`.
const FROM_END: &[&str] = NOT_ALIAS.split_at(15).0;

/// Keywords offered after a complete FROM item.
const AFTER_FROM_ITEM: &[&str] =
    &["AS", "JOIN", "LEFT JOIN", "INNER JOIN", "FULL JOIN", "CROSS JOIN", "WHERE", "GROUP BY", "ORDER BY", "LIMIT"];
/// Keywords offered after a complete JOIN item.
const AFTER_JOIN_ITEM: &[&str] = &["ON", "USING", "AS"];

fn word_is(token: Option<&Token>, text: &str, words: &[&str]) -> bool {
    token.is_some_and(|t| t.kind == TokenKind::Ident && words.iter().any(|w| t.text(text).eq_ignore_ascii_case(w)))
}

impl<'a> Context<'a> {
    fn complete(&self) -> Vec<CompletionItem> {
        let all = tokenize(self.text, LexOptions::default());
        let inside = enclosing(&all, self.text, self.offset);
        let in_string = match inside {
            None => None,
            Some(t) if t.kind == TokenKind::String || t.text(self.text).starts_with('\'') => Some(t),
            Some(_) => return Vec::new(),
        };
        let tokens: Vec<Token> = all.into_iter().filter(|t| !t.kind.is_trivia()).collect();
        let mut sql_from = 0;
        if tokens.first().is_some_and(|t| t.is_word(self.text, "model"))
            && tokens.get(1).is_some_and(|t| t.kind == TokenKind::LParen)
        {
            let close = matching_paren(&tokens, 1);
            if self.offset > tokens[1].span.start as usize
                && close.is_none_or(|c| self.offset <= tokens[c].span.start as usize)
            {
                return self.block(&tokens, in_string);
            }
            let Some(close) = close else { return Vec::new() };
            sql_from = close + 1;
        }
        if in_string.is_some() || tokens.get(sql_from..).is_none() {
            return Vec::new();
        }
        let sql_start = tokens.get(sql_from).map_or(self.text.len(), |t| t.span.start as usize);
        let options = lex_options(self.dialect.as_deref());
        // The dialect may quote or escape differently from the block's lexing.
        let sql_tokens: Vec<Token> = if options.bracket_identifiers || options.backslash_escapes {
            tokenize(&self.text[sql_start..], options)
                .into_iter()
                .filter(|t| !t.kind.is_trivia())
                .map(|t| Token { kind: t.kind, span: t.span.shift(sql_start) })
                .collect()
        } else {
            tokens[sql_from..].to_vec()
        };
        self.sql(&sql_tokens, sql_start)
    }

    fn default_dialect(&self) -> Option<&'a str> {
        self.project.settings.config.model_defaults.dialect.as_ref().map(|d| d.value.as_str())
    }

    /// A column or alias name as SQL: bare when it reads back as itself, else quoted.
    fn ident(&self, name: &str) -> String {
        let bare = name.chars().next().is_some_and(|c| c.is_alphabetic() || c == '_')
            && name.chars().all(|c| c.is_alphanumeric() || c == '_')
            && normalize_ident(name, false, self.strategy, false) == name;
        if bare {
            return name.to_string();
        }
        let backtick = matches!(
            self.dialect.as_deref().map(str::to_ascii_lowercase).as_deref(),
            Some(
                "bigquery"
                    | "mysql"
                    | "spark"
                    | "spark2"
                    | "databricks"
                    | "hive"
                    | "doris"
                    | "starrocks"
                    | "singlestore"
            )
        );
        if backtick { format!("`{}`", name.replace('`', "``")) } else { format!("\"{}\"", name.replace('"', "\"\"")) }
    }

    fn normalize(&self, part: &NamePart) -> String {
        normalize_ident(&part.text, part.quoted, self.strategy, false)
    }

    // -----------------------------------------------------------------------------------
    // SQL

    fn sql(&self, tokens: &[Token], sql_start: usize) -> Vec<CompletionItem> {
        let (chunk, chunk_start) = statement_at(tokens, sql_start, self.offset);
        let (start, end) = word_at(self.text, self.offset);
        if start > 0 && self.text.as_bytes()[start - 1] == b'@' {
            let replace = Span::new(start - 1, end);
            let mut out = Collector::new(&self.text[start - 1..self.offset], replace);
            self.macros(&mut out);
            return out.finish();
        }
        let mut out = Collector::new(&self.text[start..self.offset], Span::new(start, end));
        let before = chunk.partition_point(|t| (t.span.end as usize) <= start);
        let (qualifier, first) = qualifier(self.text, chunk, before, start);
        let position = position(self.text, chunk, first);
        let prev = first.checked_sub(1).map(|i| &chunk[i]);
        if word_is(prev, self.text, &["as"]) {
            // Naming an alias, or a type in CAST(x AS ...).
            return Vec::new();
        }
        match position.clause {
            Clause::From | Clause::Join => {
                let table_position = word_is(prev, self.text, &["from", "join"])
                    || (position.clause == Clause::From && prev.is_some_and(|t| t.kind == TokenKind::Comma));
                if table_position {
                    if qualifier.is_empty() {
                        self.ctes(&mut out, chunk, first);
                    }
                    self.models(&mut out, &qualifier, 1);
                } else if qualifier.is_empty() && prev.is_some_and(|t| is_name(t) || t.kind == TokenKind::RParen) {
                    let keywords = if position.clause == Clause::Join { AFTER_JOIN_ITEM } else { AFTER_FROM_ITEM };
                    for keyword in keywords {
                        out.push(0, item(*keyword, CompletionKind::Keyword));
                    }
                }
            }
            clause if clause.reads_columns() => {
                let frame_start = position.frame.map_or(chunk_start, |open| chunk[open].span.end as usize);
                let view = self.scope_view(chunk, chunk_start, first, position, frame_start, start == end);
                self.columns(&mut out, &view, &qualifier, clause);
            }
            Clause::Start if prev.is_none() && qualifier.is_empty() => {
                for keyword in ["SELECT", "WITH", "FROM"] {
                    out.push(0, item(keyword, CompletionKind::Keyword));
                }
            }
            _ => {}
        }
        out.finish()
    }

    /// The relations in scope at the cursor: from the query's shape, the shape of the query
    /// with a placeholder at the cursor, or the token pass, the first that finds any.
    fn scope_view(
        &self,
        chunk: &[Token],
        chunk_start: usize,
        cursor: usize,
        position: Position,
        frame_start: usize,
        empty_word: bool,
    ) -> ScopeView {
        let statement = self.file.query_statement().filter(|s| !s.jinja);
        let is_query = statement.is_some_and(|s| {
            let end = chunk.last().map_or(self.text.len(), |t| t.span.end as usize);
            chunk_start <= s.span.start as usize && s.span.start as usize <= end.max(chunk_start)
        });
        if is_query {
            let shape = self.file.query.as_ref().and_then(|q| q.shape.clone());
            if let Some(view) = shape.and_then(|s| self.shape_view(&s, frame_start)).filter(|v| !v.relations.is_empty())
            {
                return view;
            }
            if empty_word && let Some(view) = self.patched_view(frame_start).filter(|v| !v.relations.is_empty()) {
                return view;
            }
        }
        self.token_view(chunk, cursor, position.frame)
    }

    /// The shape of the query with [`PLACEHOLDER`] typed at the cursor.
    fn patched_view(&self, frame_start: usize) -> Option<ScopeView> {
        let patched = format!("{}{PLACEHOLDER}{}", &self.text[..self.offset], &self.text[self.offset..]);
        let parsed = parse_model_file(&patched, self.default_dialect());
        let shape = parsed.query?.shape?;
        self.shape_view(&shape, frame_start)
    }

    fn shape_view(&self, shape: &QueryShape, frame_start: usize) -> Option<ScopeView> {
        if shape.rendered {
            return None;
        }
        let upstream = |n: &ModelName| self.project.schema(n);
        let mut resolver = QueryResolver::new(shape, &self.project.settings, self.dialect.as_deref(), &upstream);
        if let Some(model) = self.model {
            resolver.defs = &model.defs;
        }
        let scope = pick_scope(shape, self.offset, frame_start)?;
        let ScopeKind::Select(select) = &shape.scopes[scope].kind else { return None };
        let mut view = ScopeView::default();
        for relation in &select.sources {
            view.relations.push(self.shape_relation(&mut resolver, shape, relation));
        }
        let mut parent = shape.scopes[scope].parent;
        while let Some(id) = parent {
            if let Some(ScopeKind::Select(outer)) = shape.scopes.get(id as usize).map(|s| &s.kind) {
                for relation in &outer.sources {
                    view.outer.push(self.shape_relation(&mut resolver, shape, relation));
                }
            }
            parent = shape.scopes.get(id as usize).and_then(|s| s.parent);
        }
        view.outputs = select
            .items
            .iter()
            .filter(|i| i.star.is_none())
            .filter_map(|i| i.name.as_ref())
            .map(|n| resolver.normalize(n))
            .filter(|n| n != PLACEHOLDER)
            .collect();
        Some(view)
    }

    fn shape_relation(&self, resolver: &mut QueryResolver, shape: &QueryShape, relation: &Relation) -> RelationView {
        let mut view = RelationView {
            qualifier: relation.alias.as_ref().map(|a| NamePart::join(std::slice::from_ref(a))),
            key: relation.alias.as_ref().map(|a| resolver.normalize(a)),
            ..RelationView::default()
        };
        match &relation.target {
            Target::Table(parts) => match resolver.table(parts) {
                Some(name) => (view.source, view.columns) = self.model_columns(&name),
                None => view.source = NamePart::join(parts),
            },
            Target::Scope(id) => {
                let cte = shape.scopes.iter().any(|s| s.ctes.contains(id));
                let name = shape.scopes.get(*id as usize).and_then(|s| s.name.as_ref()).map(|n| n.text.clone());
                view.source = match (cte, name) {
                    (true, Some(name)) => format!("CTE {name}"),
                    _ => "subquery".to_string(),
                };
                view.columns = resolver.output(*id).map(|columns| {
                    columns
                        .iter()
                        .map(|c| ColumnInfo { name: c.name.clone(), data_type: c.ty.clone(), description: None })
                        .collect()
                });
            }
            Target::Columns(names) => {
                view.source = "table function".to_string();
                view.columns = Some(
                    names
                        .iter()
                        .map(|n| ColumnInfo { name: resolver.normalize(n), data_type: None, description: None })
                        .collect(),
                );
            }
            Target::Unknown => view.source = "table function".to_string(),
        }
        view
    }

    /// A model's name for display and its resolved columns (None when unknown).
    fn model_columns(&self, name: &ModelName) -> (String, Option<Vec<ColumnInfo>>) {
        let Some(schema) = self.project.schema(name) else {
            return (format!("{name} (not a model of this project)"), None);
        };
        let columns = match &schema.columns {
            Some(columns) => Some(
                columns
                    .iter()
                    .map(|c| ColumnInfo {
                        name: c.name.clone(),
                        data_type: c.data_type.clone(),
                        description: c.description.clone(),
                    })
                    .collect(),
            ),
            None if !schema.partial.is_empty() => Some(
                schema
                    .partial
                    .iter()
                    .map(|(n, _)| ColumnInfo { name: n.clone(), data_type: None, description: None })
                    .collect(),
            ),
            None => None,
        };
        (name.to_string(), columns)
    }

    /// Column items for `view`: after `alias.` that relation's columns, else every
    /// relation's columns, the aliases, the SELECT's output names where they can be read,
    /// and an enclosing query's columns.
    fn columns(&self, out: &mut Collector, view: &ScopeView, qualifier: &[NamePart], clause: Clause) {
        if let Some(last) = qualifier.last() {
            let key = self.normalize(last);
            let relation = view.relations.iter().chain(&view.outer).find(|r| r.key.as_deref() == Some(key.as_str()));
            if let Some(relation) = relation {
                for column in relation.columns.iter().flatten() {
                    out.push(0, self.column_item(self.ident(&column.name), column, relation));
                }
            }
            return;
        }
        let mut counts: HashMap<&str, usize> = HashMap::new();
        for relation in &view.relations {
            for column in relation.columns.iter().flatten() {
                *counts.entry(column.name.as_str()).or_default() += 1;
            }
        }
        for relation in &view.relations {
            for column in relation.columns.iter().flatten() {
                let name = self.ident(&column.name);
                let label = match &relation.qualifier {
                    Some(q) if counts.get(column.name.as_str()).copied().unwrap_or(0) > 1 => format!("{q}.{name}"),
                    _ => name,
                };
                out.push(0, self.column_item(label, column, relation));
            }
        }
        for relation in &view.relations {
            if let Some(qualifier) = &relation.qualifier {
                out.push(1, item(qualifier.clone(), CompletionKind::Alias).detail(relation.source.clone()));
            }
        }
        if clause.reads_outputs() {
            for name in &view.outputs {
                out.push(2, item(self.ident(name), CompletionKind::Column).detail("output column of this SELECT"));
            }
        }
        for relation in &view.outer {
            let Some(qualifier) = &relation.qualifier else { continue };
            for column in relation.columns.iter().flatten() {
                let label = format!("{qualifier}.{}", self.ident(&column.name));
                out.push(3, self.column_item(label, column, relation));
            }
        }
    }

    fn column_item(&self, label: String, column: &ColumnInfo, relation: &RelationView) -> CompletionItem {
        let detail = match &column.data_type {
            Some(ty) => format!("{ty} · {}", relation.source),
            None => relation.source.clone(),
        };
        let documentation = column.description.as_ref().map(|d| format!("`{}`: {d}", column.name));
        item(label, CompletionKind::Column).detail(detail).docs(documentation)
    }

    // -----------------------------------------------------------------------------------
    // Models and CTEs

    /// The CTEs visible at token `cursor`: those whose body closes before it.
    fn ctes(&self, out: &mut Collector, chunk: &[Token], cursor: usize) {
        for cte in token_ctes(self.text, chunk) {
            if cte.close < cursor {
                out.push(0, item(NamePart::join(std::slice::from_ref(&cte.name)), CompletionKind::Cte).detail("CTE"));
            }
        }
    }

    /// The project's models, seeds and external models whose name continues `qualifier`
    /// (`sushi.` lists `sushi`'s models, labelled by the rest of their name), those of the
    /// current model's schema first; at most [`MAX_MODELS`], the best matches.
    fn models(&self, out: &mut Collector, qualifier: &[NamePart], group: u8) {
        let own = self.model.map(|m| &m.name);
        let own_schema = own.and_then(|n| n.as_str().rsplit_once('.')).map(|(schema, _)| format!("{schema}."));
        let typed = self.typed_qualifier(qualifier);
        if !qualifier.is_empty() && typed.is_none() {
            return;
        }
        let typed = typed.unwrap_or_default();
        let mut candidates: Vec<(u8, u8, ModelName)> = Vec::new();
        {
            let graph = self.project.graph();
            for name in graph.models() {
                let full = name.as_str();
                if Some(name) == own || !starts_with_ignore_case(full, &typed) {
                    continue;
                }
                let Some(tier) = match_tier(&full[typed.len()..], &out.prefix) else { continue };
                let elsewhere = own_schema.as_deref().is_none_or(|s| !starts_with_ignore_case(full, s));
                candidates.push((tier, elsewhere as u8, name.clone()));
            }
        }
        let order = |a: &(u8, u8, ModelName), b: &(u8, u8, ModelName)| (a.0, a.1, &a.2).cmp(&(b.0, b.1, &b.2));
        if candidates.len() > MAX_MODELS {
            candidates.select_nth_unstable_by(MAX_MODELS, order);
            candidates.truncate(MAX_MODELS);
        }
        candidates.sort_unstable_by(order);
        let definers: Vec<Option<FileId>> = {
            let graph = self.project.graph();
            candidates.iter().map(|(_, _, name)| graph.definers(name).and_then(|d| d.first().copied())).collect()
        };
        for (index, ((_, elsewhere, name), definer)) in candidates.iter().zip(definers).enumerate() {
            let facts: Option<Arc<FileFacts>> = definer.and_then(|id| self.project.file(id));
            let model = facts.as_ref().and_then(|f| f.models.iter().find(|m| &m.name == name));
            let label = name.as_str()[typed.len()..].to_string();
            let mut entry = item(label, CompletionKind::Model);
            if let Some(model) = model {
                entry = entry.detail(model_detail(model));
                if index < DOCUMENTED_MODELS {
                    entry = entry.docs(Some(model_card(self.project, model)));
                }
            }
            out.push(group + elsewhere, entry);
        }
    }

    /// A typed schema (or catalog.schema) as the start of canonical model names: `sushi.`;
    /// "" when nothing was typed; None when it names nothing (a macro).
    fn typed_qualifier(&self, qualifier: &[NamePart]) -> Option<String> {
        if qualifier.is_empty() {
            return Some(String::new());
        }
        let name = table_name(&self.project.settings, qualifier, self.dialect.as_deref())?;
        let mut text = name.as_str().to_string();
        // `memory.sushi.` where memory is the default catalog: canonical names leave it out.
        if qualifier.len() >= 2
            && let Some(catalog) = &self.project.settings.names.default_catalog
            && let Some((first, rest)) = text.split_once('.')
            && first.eq_ignore_ascii_case(catalog)
        {
            text = rest.to_string();
        }
        text.push('.');
        Some(text)
    }

    // -----------------------------------------------------------------------------------
    // Macros

    fn macros(&self, out: &mut Collector) {
        for def in &self.file.defs {
            let value = def.value.map(|v| one_line(v.text(self.text), 60)).unwrap_or_default();
            out.push(0, item(format!("@{}", def.name.value), CompletionKind::MacroVariable).detail(value));
        }
        for facts in self.project_files("macros", FileRole::Macros) {
            for m in &facts.macros {
                let required: Vec<&str> = m
                    .params
                    .iter()
                    .filter(|p| p.default.is_none() && !p.name.starts_with("**"))
                    .map(|p| p.name.trim_start_matches('*'))
                    .collect();
                let signature: Vec<String> = m
                    .params
                    .iter()
                    .map(|p| match &p.default {
                        Some(default) => format!("{} := {default}", p.name),
                        None => p.name.clone(),
                    })
                    .collect();
                let signature = format!("@{}({})", m.name.value, signature.join(", "));
                let mut documentation = format!("```\n{signature}\n```");
                if let Some(doc) = &m.doc {
                    documentation.push_str("\n\n");
                    documentation.push_str(doc);
                }
                let entry = item(format!("@{}", m.name.value), CompletionKind::Macro)
                    .detail(signature)
                    .docs(Some(documentation))
                    .insert(call_snippet(&m.name.value, &required), true);
                out.push(1, entry);
            }
        }
        for (name, value) in &self.project.settings.variables {
            out.push(
                2,
                item(format!("@{name}"), CompletionKind::MacroVariable)
                    .detail(format!("config variable = {}", config_value(value))),
            );
        }
        let kind = self.model.map(|m| m.kind.clone()).or_else(|| self.file.kind().map(|k| k.name.value));
        let time_range = kind.as_deref().and_then(sqlmesh::kind).is_none_or(|k| k.time_range_variables);
        for variable in sqlmesh::MACRO_VARIABLES {
            let deprecated = variable.name.starts_with("latest_");
            let (group, detail) = match variable.bound {
                Some(_) if !time_range => (6, format!("undefined for {} models", kind.as_deref().unwrap_or("these"))),
                Some(_) => (3, variable.doc.to_string()),
                None if deprecated => (7, variable.doc.to_string()),
                None => (4, variable.doc.to_string()),
            };
            out.push(
                group,
                item(format!("@{}", variable.name), CompletionKind::MacroVariable)
                    .detail(detail)
                    .docs(Some(variable.doc.to_string())),
            );
        }
        for spec in sqlmesh::BUILTIN_MACROS {
            let required: Vec<&str> =
                spec.params.iter().filter(|p| !p.contains(":=")).map(|p| p.trim_start_matches('*')).collect();
            let signature = format!("@{}({})", spec.name, spec.params.join(", "));
            out.push(
                5,
                item(format!("@{}", spec.name), CompletionKind::Macro)
                    .detail(signature.clone())
                    .docs(Some(format!("```\n{signature}\n```\n\n{}", spec.doc)))
                    .insert(call_snippet(spec.name, &required), true),
            );
        }
    }

    /// The facts of the project's files under `folder` with `role`, in path order. Walks
    /// that folder only, so a request costs nothing per model of the project.
    fn project_files(&self, folder: &str, role: FileRole) -> Vec<Arc<FileFacts>> {
        let root = &self.project.root;
        walkdir::WalkDir::new(root.join(folder))
            .follow_links(true)
            .sort_by_file_name()
            .into_iter()
            .filter_map(Result::ok)
            .filter(|e| e.file_type().is_file() && self.project.role_of(e.path()) == Some(role))
            .filter_map(|e| self.project.file(self.project.file_id(e.path())?))
            .collect()
    }

    // -----------------------------------------------------------------------------------
    // The MODEL block

    fn block(&self, tokens: &[Token], in_string: Option<Token>) -> Vec<CompletionItem> {
        let (start, end) = word_at(self.text, self.offset);
        let macro_word = start > 0 && self.text.as_bytes()[start - 1] == b'@';
        let word_start = if macro_word { start - 1 } else { start };
        let before = tokens.partition_point(|t| (t.span.end as usize) <= word_start);
        let (qualifier, first) = qualifier(self.text, tokens, before, start);
        let Some(frame) = block_frame(self.text, &tokens[..first], word_start) else { return Vec::new() };
        let (prefix, replace) = match in_string {
            Some(string) => {
                let inner_start = string.span.start as usize + 1;
                let closed = string.kind == TokenKind::String && string.span.len() >= 2;
                let inner_end = if closed { string.span.end as usize - 1 } else { string.span.end as usize };
                (inner_start..self.offset, Span::new(inner_start, inner_end.max(inner_start)))
            }
            None => (word_start..self.offset, Span::new(word_start, end)),
        };
        let mut out = Collector::new(&self.text[prefix], replace);
        let key = frame.key.as_deref().unwrap_or("");
        let shape = frame.spec.map(|s| s.shape);
        let at_value = frame.value_tokens == 0 && frame.owner != (Owner::Value { call: true });
        if in_string.is_some() {
            if shape == Some(ValueShape::Cron) && at_value {
                self.crons(&mut out, false);
            }
            return out.finish();
        }
        if macro_word && !(shape == Some(ValueShape::Cron) && at_value) {
            self.macros(&mut out);
            return out.finish();
        }
        let Some(spec) = frame.spec.filter(|_| !frame.new_line) else {
            let key_position = frame.key.is_none() || frame.new_line;
            if key_position && !matches!(frame.owner, Owner::Value { .. }) && qualifier.is_empty() {
                self.properties(&mut out, &frame);
            }
            return out.finish();
        };
        match frame.owner {
            Owner::Block | Owner::Kind if frame.value_tokens == 0 => self.values(&mut out, key, spec, &qualifier),
            Owner::Value { call: true } if spec.shape == ValueShape::Audits => self.own_columns(&mut out, false),
            // `column_descriptions (name = 'text', ...)`: a column before `=`, text after.
            Owner::Value { .. } if spec.shape == ValueShape::ColumnDescriptions && frame.value_tokens == 0 => {
                self.own_columns(&mut out, false)
            }
            Owner::Value { .. } if spec.shape == ValueShape::ColumnDescriptions => {}
            Owner::Value { .. } => self.values(&mut out, key, spec, &qualifier),
            _ => {}
        }
        out.finish()
    }

    /// The properties not yet written at this level of the block, in SQLMesh's order.
    fn properties(&self, out: &mut Collector, frame: &BlockFrame) {
        let specs: &[PropertySpec] = match frame.kind {
            Some(kind) => kind.properties,
            None => sqlmesh::MODEL_PROPERTIES,
        };
        for spec in specs {
            let written = |name: &str| frame.keys.iter().any(|k| k.eq_ignore_ascii_case(name));
            if written(spec.name) || spec.aliases.iter().any(|a| written(a)) {
                continue;
            }
            let detail = if spec.required { "required".to_string() } else { shape_words(spec.shape).to_string() };
            out.push(
                if spec.required { 0 } else { 1 },
                item(spec.name, CompletionKind::Property).detail(detail).docs(Some(spec.doc.to_string())),
            );
        }
    }

    /// What may follow the property `key`.
    fn values(&self, out: &mut Collector, key: &str, spec: &PropertySpec, qualifier: &[NamePart]) {
        match spec.shape {
            ValueShape::Kind if qualifier.is_empty() => {
                for kind in sqlmesh::MODEL_KINDS {
                    let required: Vec<String> = kind
                        .properties
                        .iter()
                        .filter(|p| p.required)
                        .enumerate()
                        .map(|(i, p)| match p.shape {
                            ValueShape::String => format!("{} '${}'", p.name, i + 1),
                            _ => format!("{} ${}", p.name, i + 1),
                        })
                        .collect();
                    let mut entry = item(kind.name, CompletionKind::Kind).docs(Some(kind.doc.to_string()));
                    entry = entry.detail(match kind.alias_of {
                        Some(of) => format!("alias of {of}"),
                        None if kind.incremental => "incremental".to_string(),
                        None => "model kind".to_string(),
                    });
                    if !required.is_empty() {
                        entry = entry.insert(format!("{} ({})", kind.name, required.join(", ")), true);
                    }
                    out.push(if kind.alias_of.is_some() || kind.name == "DBT_CUSTOM" { 1 } else { 0 }, entry);
                }
            }
            ValueShape::Dialect if qualifier.is_empty() => {
                let default = self.default_dialect();
                for dialect in sqlmesh::DIALECTS {
                    let is_default = default.is_some_and(|d| d.eq_ignore_ascii_case(dialect.name));
                    let entry = item(dialect.name, CompletionKind::Dialect);
                    let entry = if is_default { entry.detail("the project's default dialect") } else { entry };
                    out.push(if is_default { 0 } else { 1 }, entry);
                }
            }
            ValueShape::Cron if qualifier.is_empty() => self.crons(out, true),
            ValueShape::ModelNames => self.models(out, qualifier, 0),
            ValueShape::ModelName if key == "name" && qualifier.is_empty() => {
                if let Some(name) = self.inferred_name() {
                    out.push(0, item(name, CompletionKind::Value).detail("from the file's path"));
                }
            }
            ValueShape::Audits if qualifier.is_empty() => self.audits(out),
            ValueShape::TimeColumn | ValueShape::Columns if qualifier.is_empty() => {
                self.own_columns(out, spec.shape == ValueShape::TimeColumn)
            }
            ValueShape::Expressions
                if qualifier.is_empty()
                    && matches!(key, "grain" | "grains" | "references" | "partitioned_by" | "clustered_by") =>
            {
                self.own_columns(out, false)
            }
            ValueShape::IntervalUnit => {
                for unit in sqlmesh::INTERVAL_UNITS {
                    out.push(0, item(*unit, CompletionKind::Value));
                }
            }
            ValueShape::Bool => {
                for word in ["true", "false"] {
                    out.push(0, item(word, CompletionKind::Value));
                }
            }
            ValueShape::Enum(words) => {
                for word in words {
                    out.push(0, item(*word, CompletionKind::Value));
                }
            }
            _ => {}
        }
    }

    /// Cron aliases; quoted when typed outside a string (SQLMesh reads `@daily` bare as a
    /// macro variable).
    fn crons(&self, out: &mut Collector, quote: bool) {
        for (alias, cron) in sqlmesh::CRON_ALIASES {
            let mut entry =
                item(*alias, CompletionKind::Value).detail(format!("{cron}: {}", super::hover::cron_words(alias)));
            if quote {
                entry = entry.insert(format!("'{alias}'"), false);
            }
            out.push(0, entry);
        }
    }

    /// The project's audits, then SQLMesh's built-in ones (their required arguments as a
    /// snippet), then the built-ins' non-blocking variants.
    fn audits(&self, out: &mut Collector) {
        for facts in self.project_files("audits", FileRole::Audit) {
            for audit in &facts.audits {
                let path = facts.path.strip_prefix(&self.project.root).unwrap_or(&facts.path);
                out.push(0, item(audit.value.clone(), CompletionKind::Audit).detail(format!("{}", path.display())));
            }
        }
        for (group, suffix) in [(1, ""), (2, "_non_blocking")] {
            for audit in sqlmesh::BUILTIN_AUDITS {
                let name = format!("{}{suffix}", audit.name);
                let arguments: Vec<String> = audit
                    .params
                    .iter()
                    .filter(|p| !p.contains(":="))
                    .enumerate()
                    .map(|(i, p)| match *p {
                        "columns" => format!("columns := (${{{}:{p}}})", i + 1),
                        _ => format!("{p} := ${{{}:{p}}}", i + 1),
                    })
                    .collect();
                let signature = format!("{name}({})", audit.params.join(", "));
                out.push(
                    group,
                    item(name.clone(), CompletionKind::Audit)
                        .detail(signature)
                        .docs(Some(audit.doc.to_string()))
                        .insert(format!("{name}({})", arguments.join(", ")), true),
                );
            }
        }
    }

    /// The model's own output columns, resolved through its upstream schemas (read from the
    /// query's tokens when it does not parse); for a time column, dates and timestamps first.
    fn own_columns(&self, out: &mut Collector, time_column: bool) {
        let Some(model) = self.model else { return };
        let upstream = |n: &ModelName| self.project.schema(n);
        let schema = model_schema(model, &self.project.settings, &upstream);
        let mut columns: Vec<ColumnInfo> = match schema.columns {
            Some(columns) => columns
                .into_iter()
                .map(|c| ColumnInfo { name: c.name, data_type: c.data_type, description: c.description })
                .collect(),
            None => schema
                .partial
                .into_iter()
                .map(|(name, _)| ColumnInfo { name, data_type: None, description: None })
                .collect(),
        };
        if columns.is_empty() {
            columns = self.query_outputs_from_tokens().unwrap_or_default();
        }
        let relation = RelationView { source: model.name.to_string(), ..RelationView::default() };
        for column in &columns {
            let timely = column.data_type.as_deref().is_some_and(|t| {
                let t = t.to_ascii_uppercase();
                t.starts_with("DATE") || t.starts_with("TIMESTAMP")
            });
            let group = if time_column && !timely { 1 } else { 0 };
            out.push(group, self.column_item(self.ident(&column.name), column, &relation));
        }
    }

    /// The query's output columns read by the token pass.
    fn query_outputs_from_tokens(&self) -> Option<Vec<ColumnInfo>> {
        let statement = self.file.query_statement().filter(|s| !s.jinja)?;
        let start = statement.span.start as usize;
        let sql = self.text.get(start..statement.span.end as usize)?;
        let tokens: Vec<Token> = tokenize(sql, lex_options(self.dialect.as_deref()))
            .into_iter()
            .filter(|t| !t.kind.is_trivia())
            .map(|t| Token { kind: t.kind, span: t.span.shift(start) })
            .collect();
        let ctes = token_ctes(self.text, &tokens);
        let visible: Vec<&TokenCte> = ctes.iter().collect();
        self.frame_outputs(&tokens, 0..tokens.len(), &visible, 0)
    }

    /// The name SQLMesh would infer from the file's path: `models/sushi/orders.sql` →
    /// `sushi.orders`.
    fn inferred_name(&self) -> Option<String> {
        let stem = self.path.file_stem()?.to_str()?;
        let schema = self.path.parent()?.file_name()?.to_str()?;
        let name = self.project.settings.names.normalize_text(&format!("{schema}.{stem}"), self.dialect.as_deref())?;
        Some(name.to_string())
    }

    // -----------------------------------------------------------------------------------
    // The token pass

    /// The relations in scope from tokens alone: the FROM and JOIN items of the query level
    /// holding the cursor (the branch of a set operation it is in).
    fn token_view(&self, chunk: &[Token], cursor: usize, frame: Option<usize>) -> ScopeView {
        let ctes = token_ctes(self.text, chunk);
        let visible: Vec<&TokenCte> = ctes.iter().filter(|c| c.close < cursor).collect();
        let range = match frame {
            Some(open) => open + 1..matching_paren(chunk, open).unwrap_or(chunk.len()),
            None => 0..chunk.len(),
        };
        let segment = branch_at(self.text, chunk, range, cursor);
        let mut view = ScopeView::default();
        for relation in scan_relations(self.text, chunk, segment.clone()) {
            view.relations.push(self.token_relation(chunk, &relation, &visible, 0));
        }
        if let Some(columns) = self.frame_outputs(chunk, segment, &visible, 0) {
            view.outputs = columns.into_iter().map(|c| c.name).collect();
        }
        view
    }

    fn token_relation(&self, chunk: &[Token], relation: &TokenRelation, ctes: &[&TokenCte], depth: u8) -> RelationView {
        let written = relation.written();
        let mut view = RelationView {
            qualifier: written.as_ref().map(|p| NamePart::join(std::slice::from_ref(p))),
            key: written.as_ref().map(|p| self.normalize(p)),
            ..RelationView::default()
        };
        match &relation.target {
            TokenTarget::Subquery(body) => {
                view.source = "subquery".to_string();
                view.columns = self.frame_outputs(chunk, body.clone(), ctes, depth + 1);
            }
            TokenTarget::Unknown => view.source = "table function".to_string(),
            TokenTarget::Table(parts) => {
                let cte = match parts.as_slice() {
                    [one] => ctes.iter().find(|c| self.normalize(&c.name) == self.normalize(one)),
                    _ => None,
                };
                match cte {
                    Some(cte) => {
                        view.source = format!("CTE {}", cte.name.text);
                        view.columns = if cte.columns.is_empty() {
                            let earlier: Vec<&TokenCte> =
                                ctes.iter().copied().filter(|c| c.close < cte.body.start).collect();
                            self.frame_outputs(chunk, cte.body.clone(), &earlier, depth + 1)
                        } else {
                            Some(
                                cte.columns
                                    .iter()
                                    .map(|c| ColumnInfo { name: self.normalize(c), data_type: None, description: None })
                                    .collect(),
                            )
                        };
                    }
                    None => match table_name(&self.project.settings, parts, self.dialect.as_deref()) {
                        Some(name) => (view.source, view.columns) = self.model_columns(&name),
                        None => view.source = NamePart::join(parts),
                    },
                }
            }
        }
        view
    }

    /// The output columns of the first SELECT in `range`, read from tokens: `*` expanded
    /// through the relations it reads, `x AS name`, `t.col`, `col`; expressions without a
    /// name are skipped.
    fn frame_outputs(
        &self,
        chunk: &[Token],
        range: Range<usize>,
        ctes: &[&TokenCte],
        depth: u8,
    ) -> Option<Vec<ColumnInfo>> {
        if depth > MAX_TOKEN_DEPTH {
            return None;
        }
        let text = self.text;
        let mut i = range.start;
        let select = loop {
            let token = chunk.get(i).filter(|_| i < range.end)?;
            match token.kind {
                TokenKind::LParen if i > range.start => i = matching_paren(chunk, i).map_or(range.end, |c| c + 1),
                TokenKind::Ident if token.is_word(text, "select") => break i,
                _ => i += 1,
            }
        };
        let segment = select..branch_end(text, chunk, select, range.end);
        let relations = scan_relations(text, chunk, segment.clone());
        let mut known: Vec<Option<RelationView>> = (0..relations.len()).map(|_| None).collect();
        let view_of = |index: usize, known: &mut Vec<Option<RelationView>>| -> Option<Vec<ColumnInfo>> {
            if known[index].is_none() {
                known[index] = Some(self.token_relation(chunk, &relations[index], ctes, depth));
            }
            known[index].as_ref().and_then(|v| v.columns.clone())
        };
        let mut out = Vec::new();
        for item in select_items(text, chunk, segment.clone()) {
            let tokens = &chunk[item];
            let Some(last) = tokens.last() else { continue };
            if last.kind == TokenKind::Op && last.text(text) == "*" {
                let qualifier = tokens.len().checked_sub(3).map(|i| tokens[i]).filter(|_| tokens.len() >= 3);
                for (index, relation) in relations.iter().enumerate() {
                    if let Some(q) = qualifier {
                        let key = self.normalize(&name_part(text, q));
                        let matches = relation.written().is_some_and(|w| self.normalize(&w) == key);
                        if !matches {
                            continue;
                        }
                    }
                    out.extend(view_of(index, &mut known).unwrap_or_default());
                }
                continue;
            }
            let Some(name) = item_name(text, tokens) else { continue };
            let name = self.normalize(&name);
            // A plain column reference keeps the type it has in its relation (`t.col`: in t).
            let plain = tokens.iter().all(|t| is_name(t) || t.kind == TokenKind::Dot);
            let qualifier =
                (plain && tokens.len() >= 3).then(|| self.normalize(&name_part(text, tokens[tokens.len() - 3])));
            let data_type = if plain {
                (0..relations.len())
                    .filter(|&index| match &qualifier {
                        Some(q) => relations[index].written().is_some_and(|w| self.normalize(&w) == *q),
                        None => true,
                    })
                    .find_map(|index| {
                        view_of(index, &mut known)?.into_iter().find(|c| c.name == name).and_then(|c| c.data_type)
                    })
            } else {
                None
            };
            out.push(ColumnInfo { name, data_type, description: None });
        }
        Some(out)
    }
}

/// The model's kind and the start of its description, for a model item's detail.
fn model_detail(model: &Model) -> String {
    let kind = match model.source {
        Source::Seed => "SEED".to_string(),
        Source::External => "EXTERNAL".to_string(),
        _ => model.kind.clone(),
    };
    match &model.description {
        Some(description) if !description.trim().is_empty() => format!("{kind} · {}", one_line(description, 60)),
        _ => kind,
    }
}

/// The first line of `text`, cut to about `max` bytes.
fn one_line(text: &str, max: usize) -> String {
    let line = text.trim().lines().next().unwrap_or("").trim();
    if line.len() <= max {
        return line.to_string();
    }
    let mut end = max;
    while !line.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}…", &line[..end])
}

fn config_value(value: &ConfigValue) -> String {
    match value {
        ConfigValue::Str(s) => format!("'{}'", one_line(s, 40)),
        ConfigValue::Number(n) => n.clone(),
        ConfigValue::Bool(b) => b.to_string(),
        ConfigValue::Null => "NULL".to_string(),
        ConfigValue::List(items) => format!("[{} items]", items.len()),
        ConfigValue::Map(items) => format!("{{{} keys}}", items.len()),
    }
}

/// `@name(${1:a}, ${2:b})`.
fn call_snippet(name: &str, params: &[&str]) -> String {
    let args: Vec<String> = params.iter().enumerate().map(|(i, p)| format!("${{{}:{p}}}", i + 1)).collect();
    format!("@{name}({})", args.join(", "))
}

fn shape_words(shape: ValueShape) -> &'static str {
    match shape {
        ValueShape::String => "text",
        ValueShape::Identifier => "name",
        ValueShape::Bool => "true or false",
        ValueShape::Integer => "integer",
        ValueShape::Date => "date",
        ValueShape::Cron => "cron",
        ValueShape::Timezone => "time zone",
        ValueShape::Dialect => "dialect",
        ValueShape::Kind => "model kind",
        ValueShape::ModelName => "model name",
        ValueShape::ModelNames => "model names",
        ValueShape::Column => "column",
        ValueShape::Columns => "columns",
        ValueShape::ColumnTypes => "columns and types",
        ValueShape::ColumnDescriptions => "column descriptions",
        ValueShape::Expression => "expression",
        ValueShape::Expressions => "expressions",
        ValueShape::KeyValues => "key = value pairs",
        ValueShape::Audits => "audits",
        ValueShape::Strings => "strings",
        ValueShape::IntervalUnit => "interval unit",
        ValueShape::Enum(_) => "one of a set",
        ValueShape::Any => "any",
        ValueShape::TimeColumn => "time column",
        ValueShape::DataType => "data type",
        ValueShape::Signals => "signals",
    }
}

// ---------------------------------------------------------------------------------------
// Statements and clauses

/// The tokens of the statement holding `offset` (split at top-level `;`), and where it starts.
fn statement_at(tokens: &[Token], sql_start: usize, offset: usize) -> (&[Token], usize) {
    let mut depth = 0i32;
    let mut start = 0;
    let mut start_byte = sql_start;
    for (i, token) in tokens.iter().enumerate() {
        match token.kind {
            TokenKind::LParen => depth += 1,
            TokenKind::RParen => depth -= 1,
            TokenKind::Semicolon if depth <= 0 => {
                if offset <= token.span.start as usize {
                    return (&tokens[start..i], start_byte);
                }
                depth = 0;
                start = i + 1;
                start_byte = token.span.end as usize;
            }
            _ => {}
        }
    }
    (&tokens[start..], start_byte)
}

/// The clause at token `cursor` and the parenthesized query holding it, read from the
/// statement's tokens before it.
fn position(text: &str, tokens: &[Token], cursor: usize) -> Position {
    struct Frame {
        open: Option<usize>,
        query: bool,
        clause: Clause,
    }
    let mut frames = vec![Frame { open: None, query: true, clause: Clause::Start }];
    for i in 0..cursor.min(tokens.len()) {
        let token = tokens[i];
        match token.kind {
            TokenKind::LParen => {
                let query = word_is(tokens.get(i + 1), text, &["select", "with"]);
                let parent = frames.last().map_or(Clause::Start, |f| f.clause);
                let clause = match (query, parent) {
                    (true, _) => Clause::Start,
                    // `FROM read_csv(...)`, `JOIN t USING (...)` stay what they are.
                    (false, Clause::From | Clause::Join) => Clause::Other,
                    (false, clause) => clause,
                };
                frames.push(Frame { open: Some(i), query, clause });
            }
            TokenKind::RParen if frames.len() > 1 => {
                frames.pop();
            }
            TokenKind::Ident => {
                let Some(frame) = frames.last_mut() else { continue };
                let word = token.text(text).to_ascii_lowercase();
                if !frame.query {
                    if word == "select" {
                        frame.query = true;
                        frame.clause = Clause::Select;
                    }
                    continue;
                }
                let star_before = i > 0 && tokens[i - 1].kind == TokenKind::Op;
                frame.clause = match word.as_str() {
                    "select" => Clause::Select,
                    "from" => Clause::From,
                    "join" => Clause::Join,
                    "on" => Clause::On,
                    "using" => Clause::Using,
                    "where" | "prewhere" => Clause::Where,
                    "group" => Clause::GroupBy,
                    "having" => Clause::Having,
                    "qualify" => Clause::Qualify,
                    "order" => Clause::OrderBy,
                    "window" => Clause::Window,
                    "limit" | "offset" | "fetch" => Clause::Limit,
                    // `* EXCEPT (a)` is DuckDB's and BigQuery's column exclusion.
                    "except" if star_before => frame.clause,
                    "union" | "intersect" | "except" | "minus" => Clause::Start,
                    "with" => Clause::With,
                    "insert" | "create" | "update" | "delete" | "merge" | "set" | "values" => Clause::Other,
                    _ => frame.clause,
                };
            }
            _ => {}
        }
    }
    let frame = frames.iter().rev().find(|f| f.query).and_then(|f| f.open);
    let clause = frames.last().map_or(Clause::Start, |f| f.clause);
    Position { clause, frame }
}

/// The SELECT whose scope the cursor is in: the innermost one whose span holds it, else (in
/// an ORDER BY, which lies outside the SELECT's span) the last one to end before it within
/// the cursor's query level.
fn pick_scope(shape: &QueryShape, offset: usize, frame_start: usize) -> Option<usize> {
    let selects = || shape.scopes.iter().enumerate().filter(|(_, s)| matches!(s.kind, ScopeKind::Select(_)));
    if let Some((i, _)) = selects().filter(|(_, s)| s.span.contains(offset)).min_by_key(|(_, s)| s.span.len()) {
        return Some(i);
    }
    selects()
        .filter(|(_, s)| s.span.start as usize >= frame_start && s.span.end as usize <= offset)
        .max_by_key(|(_, s)| (s.span.end, std::cmp::Reverse(s.span.start)))
        .map(|(i, _)| i)
}

/// The branch of a set operation within `range` that holds token `cursor`.
fn branch_at(text: &str, tokens: &[Token], range: Range<usize>, cursor: usize) -> Range<usize> {
    let mut start = range.start;
    loop {
        let end = branch_end(text, tokens, start, range.end);
        if cursor <= end || end >= range.end {
            return start..end;
        }
        start = end + 1;
    }
}

/// Where the branch starting at `start` ends: the next top-level UNION, INTERSECT or EXCEPT.
fn branch_end(text: &str, tokens: &[Token], start: usize, end: usize) -> usize {
    let mut i = start;
    while i < end {
        let token = tokens[i];
        match token.kind {
            TokenKind::LParen => {
                i = matching_paren(tokens, i).map_or(end, |c| c + 1);
                continue;
            }
            TokenKind::Ident
                if word_is(Some(&token), text, &["union", "intersect", "except", "minus"])
                    && !(i > 0 && tokens[i - 1].kind == TokenKind::Op) =>
            {
                return i;
            }
            _ => {}
        }
        i += 1;
    }
    end
}

// ---------------------------------------------------------------------------------------
// Relations and CTEs from tokens

#[derive(Debug)]
struct TokenRelation {
    alias: Option<NamePart>,
    target: TokenTarget,
}

#[derive(Debug)]
enum TokenTarget {
    Table(Vec<NamePart>),
    /// A derived table: the token range of its query.
    Subquery(Range<usize>),
    /// A table function.
    Unknown,
}

impl TokenRelation {
    /// How its columns are qualified: the alias, else the table's last name part.
    fn written(&self) -> Option<NamePart> {
        match (&self.alias, &self.target) {
            (Some(alias), _) => Some(alias.clone()),
            (None, TokenTarget::Table(parts)) => parts.last().cloned(),
            _ => None,
        }
    }
}

/// `WITH name [(columns)] AS (body)`.
#[derive(Debug)]
struct TokenCte {
    name: NamePart,
    columns: Vec<NamePart>,
    body: Range<usize>,
    /// The index of the `)` closing the body (the statement's end when unclosed).
    close: usize,
}

/// The FROM and JOIN items at the top level of `range` (subqueries skipped).
fn scan_relations(text: &str, tokens: &[Token], range: Range<usize>) -> Vec<TokenRelation> {
    let mut out = Vec::new();
    let mut in_from = false;
    let mut i = range.start;
    while i < range.end {
        let token = tokens[i];
        match token.kind {
            TokenKind::LParen => {
                i = matching_paren(tokens, i).map_or(range.end, |c| c + 1);
                continue;
            }
            TokenKind::Comma if in_from => {
                if let Some((relation, next)) = read_relation(text, tokens, i + 1, range.end) {
                    out.push(relation);
                    i = next;
                    continue;
                }
            }
            TokenKind::Ident => {
                let word = token.text(text).to_ascii_lowercase();
                if word == "from" || word == "join" {
                    in_from = word == "from";
                    if let Some((relation, next)) = read_relation(text, tokens, i + 1, range.end) {
                        out.push(relation);
                        i = next;
                        continue;
                    }
                } else if FROM_END.contains(&word.as_str()) {
                    in_from = false;
                }
            }
            _ => {}
        }
        i += 1;
    }
    out
}

/// A FROM item at `tokens[at]`: a dotted name or a parenthesized query, with its alias.
fn read_relation(text: &str, tokens: &[Token], at: usize, end: usize) -> Option<(TokenRelation, usize)> {
    let first = tokens.get(at).filter(|_| at < end)?;
    let (target, mut i) = if first.kind == TokenKind::LParen {
        let close = matching_paren(tokens, at).unwrap_or(end).min(end);
        (TokenTarget::Subquery(at + 1..close), close + 1)
    } else {
        let mut parts = Vec::new();
        let mut i = at;
        while i < end && is_name(&tokens[i]) {
            if parts.is_empty() && word_is(Some(&tokens[i]), text, &["select", "with", "lateral", "unnest", "values"]) {
                return None;
            }
            parts.push(name_part(text, tokens[i]));
            i += 1;
            if i + 1 < end && tokens[i].kind == TokenKind::Dot && is_name(&tokens[i + 1]) {
                i += 1;
            } else {
                break;
            }
        }
        if parts.is_empty() {
            return None;
        }
        if i < end && tokens[i].kind == TokenKind::LParen {
            i = matching_paren(tokens, i).map_or(end, |c| c + 1);
            (TokenTarget::Unknown, i)
        } else {
            (TokenTarget::Table(parts), i)
        }
    };
    let mut alias = None;
    let after_as = if word_is(tokens.get(i), text, &["as"]) && i + 1 < end { i + 1 } else { i };
    if let Some(token) = tokens.get(after_as).filter(|_| after_as < end)
        && matches!(token.kind, TokenKind::Ident | TokenKind::QuotedIdent)
        && !word_is(Some(token), text, NOT_ALIAS)
    {
        alias = Some(name_part(text, *token));
        i = after_as + 1;
    }
    Some((TokenRelation { alias, target }, i))
}

/// Every `WITH` list of the statement.
fn token_ctes(text: &str, tokens: &[Token]) -> Vec<TokenCte> {
    let mut out = Vec::new();
    for (w, token) in tokens.iter().enumerate() {
        if !token.is_word(text, "with") {
            continue;
        }
        let mut j = if tokens.get(w + 1).is_some_and(|t| t.is_word(text, "recursive")) { w + 2 } else { w + 1 };
        while let Some(name) = tokens.get(j).filter(|t| matches!(t.kind, TokenKind::Ident | TokenKind::QuotedIdent)) {
            let name = name_part(text, *name);
            j += 1;
            let mut columns = Vec::new();
            if tokens.get(j).is_some_and(|t| t.kind == TokenKind::LParen) {
                let close = matching_paren(tokens, j).unwrap_or(tokens.len());
                columns = tokens[j + 1..close.min(tokens.len())]
                    .iter()
                    .filter(|t| matches!(t.kind, TokenKind::Ident | TokenKind::QuotedIdent))
                    .map(|t| name_part(text, *t))
                    .collect();
                j = close + 1;
            }
            if !tokens.get(j).is_some_and(|t| t.is_word(text, "as")) {
                break;
            }
            j += 1;
            while word_is(tokens.get(j), text, &["not", "materialized"]) {
                j += 1;
            }
            if !tokens.get(j).is_some_and(|t| t.kind == TokenKind::LParen) {
                break;
            }
            let close = matching_paren(tokens, j).unwrap_or(tokens.len());
            out.push(TokenCte { name, columns, body: j + 1..close, close });
            j = close + 1;
            if tokens.get(j).is_some_and(|t| t.kind == TokenKind::Comma) {
                j += 1;
            } else {
                break;
            }
        }
    }
    out
}

/// The items of the select list starting at the `SELECT` token `range.start`, as token ranges.
fn select_items(text: &str, tokens: &[Token], range: Range<usize>) -> Vec<Range<usize>> {
    const ENDS: &[&str] =
        &["from", "where", "group", "having", "qualify", "order", "limit", "window", "into", "union", "intersect"];
    let mut start = range.start + 1;
    while word_is(tokens.get(start), text, &["distinct", "all"]) {
        start += 1;
    }
    let mut items = Vec::new();
    let mut i = start;
    while i < range.end {
        let token = tokens[i];
        match token.kind {
            TokenKind::LParen => {
                i = matching_paren(tokens, i).map_or(range.end, |c| c + 1);
                continue;
            }
            TokenKind::Comma => {
                items.push(start..i);
                start = i + 1;
            }
            TokenKind::Ident if word_is(Some(&token), text, ENDS) => break,
            _ => {}
        }
        i += 1;
    }
    items.push(start..i.min(range.end));
    items
}

/// The output name of a select item read from tokens: `expr AS name`, `expr name` after a
/// call, `t.col`, `col`.
fn item_name(text: &str, tokens: &[Token]) -> Option<NamePart> {
    let last = *tokens.last()?;
    if !matches!(last.kind, TokenKind::Ident | TokenKind::QuotedIdent) {
        return None;
    }
    let plain_ref =
        tokens.iter().enumerate().all(|(i, t)| if i % 2 == 0 { is_name(t) } else { t.kind == TokenKind::Dot });
    let named = match tokens.len() {
        1 => true,
        _ if plain_ref => true,
        n => {
            let before = tokens[n - 2];
            before.is_word(text, "as")
                || before.kind == TokenKind::RParen
                || (n == 2 && is_name(&before))
                || (n >= 4
                    && tokens[..n - 1]
                        .iter()
                        .enumerate()
                        .all(|(i, t)| if i % 2 == 0 { is_name(t) } else { t.kind == TokenKind::Dot }))
        }
    };
    named.then(|| name_part(text, last))
}

// ---------------------------------------------------------------------------------------
// The MODEL block from tokens

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Owner {
    /// `MODEL (...)` itself.
    Block,
    /// `kind NAME (...)`.
    Kind,
    /// A value's parentheses or brackets: `grain (...)`, `audits (...)`; `call` inside an
    /// audit call's arguments.
    Value { call: bool },
}

/// Where the cursor is in the MODEL block.
#[derive(Debug)]
struct BlockFrame {
    owner: Owner,
    /// The kind whose properties the level holds (inside `kind NAME (...)`).
    kind: Option<&'static sqlmesh::KindSpec>,
    /// The property whose value the cursor is in, lowercased; None at a key position.
    key: Option<String>,
    /// Its spec, when SQLMesh knows it.
    spec: Option<&'static PropertySpec>,
    /// Tokens of that value before the cursor.
    value_tokens: usize,
    /// Whether a complete value ends on an earlier line than the cursor (a missing comma).
    new_line: bool,
    /// The keys written at this level.
    keys: Vec<String>,
}

/// Reads the block's tokens before the cursor (`tokens[0]` is `MODEL`, `tokens[1]` its `(`;
/// the cursor's word starts at `cursor`) and says where the cursor is; None when the block
/// closed before it.
fn block_frame(text: &str, tokens: &[Token], cursor: usize) -> Option<BlockFrame> {
    struct Level {
        owner: Owner,
        kind: Option<&'static sqlmesh::KindSpec>,
        key: Option<String>,
        value_tokens: usize,
        last: Option<Token>,
        keys: Vec<String>,
    }
    let new = |owner, kind, key| Level { owner, kind, key, value_tokens: 0, last: None, keys: Vec::new() };
    let mut levels: Vec<Level> = vec![new(Owner::Block, None, None)];
    for (i, token) in tokens.iter().enumerate().skip(2) {
        let top = levels.last_mut()?;
        match token.kind {
            TokenKind::LParen | TokenKind::LBracket => {
                let kind = (top.owner == Owner::Block && top.key.as_deref() == Some("kind"))
                    .then(|| top.last.filter(|t| t.kind == TokenKind::Ident).and_then(|t| sqlmesh::kind(t.text(text))))
                    .flatten();
                top.value_tokens += 1;
                let level = match (kind, top.owner) {
                    (Some(kind), _) => new(Owner::Kind, Some(kind), None),
                    (None, Owner::Value { call }) => {
                        let call = call || tokens[i - 1].kind == TokenKind::Ident;
                        new(Owner::Value { call }, top.kind, top.key.clone())
                    }
                    (None, _) => new(Owner::Value { call: false }, top.kind, top.key.clone()),
                };
                levels.push(level);
            }
            TokenKind::RParen | TokenKind::RBracket => {
                levels.pop();
                let top = levels.last_mut()?;
                top.last = Some(*token);
            }
            TokenKind::Comma => {
                if !matches!(top.owner, Owner::Value { .. }) {
                    top.key = None;
                }
                top.value_tokens = 0;
                top.last = Some(*token);
            }
            _ => {
                if top.key.is_none() && !matches!(top.owner, Owner::Value { .. }) {
                    let key = token.text(text).to_ascii_lowercase();
                    top.keys.push(key.clone());
                    top.key = Some(key);
                } else {
                    top.value_tokens += 1;
                }
                top.last = Some(*token);
            }
        }
    }
    let top = levels.pop()?;
    let spec = top.key.as_deref().and_then(|key| match top.kind {
        Some(kind) => kind.property(key),
        None => sqlmesh::model_property(key),
    });
    let new_line = top.value_tokens > 0
        && top.last.is_some_and(|t| text.get(t.span.end as usize..cursor).is_some_and(|gap| gap.contains('\n')));
    Some(BlockFrame {
        owner: top.owner,
        kind: top.kind,
        key: top.key,
        spec,
        value_tokens: top.value_tokens,
        new_line,
        keys: top.keys,
    })
}
