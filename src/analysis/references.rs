//! The model names a file mentions, with where: table references in SQL, `depends_on`
//! entries, the model's own name, Python `depends_on`/`context.resolve_table` strings; and
//! Find References over the whole workspace.
//!
//! // Feature: Find References
//! On a model name (a reference or its definition), lists every place the model is named
//! across the project and the other projects of the workspace (table references, `depends_on`
//! entries, Python `context.resolve_table("...")` strings, external model entries, audit
//! queries). On a
//! column of a model, lists the column references and `*` items of the downstream models that
//! read it (through column lineage). On a CTE, a table alias or a CTE's column, lists its uses
//! in the file; on `@name`, the uses of the macro in the project's models; on an audit, the
//! models that run it.

use super::ParsedFile;
use super::highlight::{HighlightKind, occurrences};
use super::lineage::{ColumnNode, ColumnTarget};
use super::navigation::{
    ColumnSite, Symbol, Target, column_site, cte_read_by, model_column_definition, query_of, symbol_at,
};
use crate::project::facts::Syntax;
use crate::project::lineage::{QueryResolver, RefTarget};
use crate::project::{FileRole, Model, ModelName, Project};
use crate::syntax::Span;
use crate::syntax::audit::AuditFile;
use crate::syntax::block::{NamePart, ValueKind, Values};
use crate::syntax::lexer::{LexOptions, tokenize_significant};
use crate::syntax::sql::shape::{Relation, ScopeId, ScopeKind, SelectShape, Target as RelationTarget};
use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// One mention of a model name in a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reference {
    pub name: ModelName,
    pub span: Span,
    /// Whether this is the file's own model name (its definition), not a use.
    pub definition: bool,
}

/// How a mention is written, for rewriting it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Form {
    /// SQL identifiers: the parts as written, each with its span.
    Name(Vec<NamePart>),
    /// A string (a `depends_on` or `name` string, a Python string, a YAML value): the span
    /// holds its quotes, if it has any.
    Str,
    /// Written through a macro variable (`@{schema}.orders`): only rendering knows the name.
    Macro,
}

/// A mention with how it is written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Mention {
    pub reference: Reference,
    pub form: Form,
}

/// Every model name mentioned in a parsed file, in text order. Names that stay unresolved
/// macros (`@{schema}.t` without a literal variable, `@this_model`) are left out.
pub fn references(project: &Project, file: &ParsedFile) -> Vec<Reference> {
    mentions(project, file).into_iter().map(|m| m.reference).collect()
}

/// The reference under `offset`, if any.
pub fn reference_at(project: &Project, file: &ParsedFile, offset: usize) -> Option<Reference> {
    references(project, file).into_iter().find(|r| r.span.contains(offset))
}

/// Every model name mentioned in a parsed file, with how it is written, in text order.
pub(crate) fn mentions(project: &Project, file: &ParsedFile) -> Vec<Mention> {
    let mut out = Vec::new();
    let model = file.facts.models.first();
    let dialect = model.and_then(|m| m.dialect.as_deref());
    let mut push = |parts: &[NamePart], span: Span, definition: bool, form: Form| {
        if let Some(name) = crate::project::facts::table_name(&project.settings, parts, dialect) {
            let form = match form {
                Form::Name(_) if parts.iter().any(|p| !p.quoted && p.text.contains('@')) => Form::Macro,
                form => form,
            };
            out.push(Mention { reference: Reference { name, span, definition }, form });
        }
    };
    let block_form = |value: &Values, parts: &[NamePart]| match value.single().map(|v| &v.kind) {
        Some(ValueKind::Str(_)) => Form::Str,
        _ => Form::Name(parts.to_vec()),
    };
    match &file.syntax {
        Syntax::Sql(sql) => {
            if let Some(property) = sql.property("name")
                && let Some((parts, span)) = property.value.as_name()
            {
                push(&parts, span, true, block_form(&property.value, &parts));
            }
            if let Some(depends_on) = sql.property("depends_on") {
                for item in depends_on.value.items() {
                    if let Some((parts, span)) = item.as_name() {
                        push(&parts, span, false, block_form(item, &parts));
                    }
                }
            }
            for table in sql.query.iter().flat_map(|q| q.tables.iter()).chain(&sql.statement_tables) {
                push(&table.name, table.span, false, Form::Name(table.name.clone()));
            }
        }
        Syntax::Python(Some(python)) => {
            let strings = python
                .name
                .iter()
                .map(|n| (n, true))
                .chain(python.depends_on.iter().flatten().chain(&python.resolved_tables).map(|n| (n, false)));
            for (name, definition) in strings {
                push(&crate::project::names::split_dotted(&name.value), name.span, definition, Form::Str);
            }
        }
        Syntax::External(external) => {
            for entry in &external.models {
                push(&crate::project::names::split_dotted(&entry.name.value), entry.name.span, true, Form::Str);
            }
        }
        _ => {}
    }
    out.sort_by_key(|m| m.reference.span);
    out
}

/// Where the analysis finds the workspace and the text of files other than the one asked
/// about.
pub struct Sources<'a> {
    /// Every project of the workspace (for references across projects); may be empty, then
    /// only the file's own project is searched.
    pub projects: &'a [Arc<Project>],
    /// A file's text: the editor's buffer when the file is open, else the disk's; None when it
    /// cannot be read, or when the request was cancelled (the search then stops reading files).
    pub text: &'a dyn Fn(&Path) -> Option<String>,
}

/// Reads a file from disk, for [`Sources::text`] outside an editor.
pub fn disk_text(path: &Path) -> Option<String> {
    std::fs::read_to_string(path).ok()
}

/// One place Find References reports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    pub path: PathBuf,
    pub span: Span,
    /// Whether this is the definition (the model's name, the CTE's name, the select item).
    pub definition: bool,
}

/// The definition and uses of what is at `offset` of `file` (whose text is `text`), sorted
/// by path and position.
pub fn find_references(
    project: &Project,
    file: &ParsedFile,
    text: &str,
    offset: usize,
    sources: &Sources,
) -> Vec<Location> {
    let Some(symbol) = symbol_at(project, file, offset) else { return Vec::new() };
    let here = |span: Span, definition: bool| Location { path: file.facts.path.clone(), span, definition };
    let mut out: Vec<Location> = match &symbol {
        Symbol::Model(reference) => model_mentions(project, file, text, &reference.name, sources)
            .into_iter()
            .flat_map(|f| {
                f.mentions
                    .iter()
                    .map(|m| Location {
                        path: f.path.clone(),
                        // A string's name, without its quotes.
                        span: match m.form {
                            Form::Str => string_inner(&f.text, m.reference.span),
                            _ => m.reference.span,
                        },
                        definition: m.reference.definition,
                    })
                    .collect::<Vec<_>>()
            })
            .collect(),
        Symbol::Column { target: ColumnTarget::Model(node), .. } => column_references(project, file, node, sources),
        Symbol::Macro { name, .. } => macro_references(project, file, name, sources),
        Symbol::Audit { name, .. } => audit_references(project, file, text, name, sources),
        Symbol::Cte { .. } | Symbol::Alias { .. } | Symbol::Column { .. } => occurrences(project, file, text, &symbol)
            .into_iter()
            .map(|h| here(h.span, h.kind == HighlightKind::Write))
            .collect(),
        Symbol::SeedPath { .. } => Vec::new(),
    };
    out.sort_by(|a, b| (&a.path, a.span).cmp(&(&b.path, b.span)));
    out.dedup();
    out
}

/// The mentions of a model in one file, with the file's text.
pub(crate) struct FileMentions {
    pub path: PathBuf,
    pub text: String,
    /// The file's parse, for checks that need more than the mentions.
    pub parsed: std::sync::Arc<ParsedFile>,
    pub mentions: Vec<Mention>,
}

/// Every project to search: `project` first, then the workspace's others.
pub(crate) fn all_projects<'a>(project: &'a Project, sources: &'a Sources) -> Vec<&'a Project> {
    let mut all = vec![project];
    all.extend(sources.projects.iter().map(Arc::as_ref).filter(|p| p.root != project.root));
    all
}

/// The files mentioning model `name` across the workspace, each with its mentions. `file` (with
/// `text`) stands for its path, whatever the project holds. Files the graph does not connect
/// to the model (a post-statement's table, another project) are found by a text search for
/// the name's last part before they are parsed.
pub(crate) fn model_mentions(
    project: &Project,
    file: &ParsedFile,
    text: &str,
    name: &ModelName,
    sources: &Sources,
) -> Vec<FileMentions> {
    let needle = crate::project::names::split_dotted(name.as_str()).pop().map(|p| p.text.to_lowercase());
    let mut out = Vec::new();
    for current in all_projects(project, sources) {
        let linked: HashSet<PathBuf> = {
            let graph = current.graph();
            let mut models = graph.children(name);
            models.push(name.clone());
            models
                .iter()
                .flat_map(|m| graph.definers(m).unwrap_or(&[]).to_vec())
                .filter_map(|id| current.file(id).map(|f| f.path.clone()))
                .collect()
        };
        for facts in current.files() {
            if facts.role == FileRole::Macros {
                continue;
            }
            if facts.path == file.facts.path {
                let mut mentions = mentions(current, file);
                if let Syntax::Audit(audits) = &file.syntax {
                    mentions = audit_mentions(current, audits, text);
                }
                mentions.retain(|m| &m.reference.name == name);
                if !mentions.is_empty() {
                    let parsed =
                        std::sync::Arc::new(ParsedFile { facts: file.facts.clone(), syntax: file.syntax.clone() });
                    out.push(FileMentions { path: facts.path.clone(), text: text.to_string(), parsed, mentions });
                }
                continue;
            }
            let linked = linked.contains(&facts.path);
            // Most files do not mention the model: known from their words, without reading them.
            if !linked
                && let Some(word) = needle.as_deref().filter(|n| crate::project::words::is_word(n))
                && current.may_mention(&facts, word, || (sources.text)(&facts.path)) != Some(true)
            {
                continue;
            }
            let Some(content) = (sources.text)(&facts.path) else { continue };
            if !linked && needle.as_ref().is_some_and(|n| !contains_ignore_case(&content, n)) {
                continue;
            }
            let Some(parsed) = super::parse(current, &facts.path, &content) else { continue };
            let mut mentions = match &parsed.syntax {
                Syntax::Audit(audits) => audit_mentions(current, audits, &content),
                _ => mentions(current, &parsed),
            };
            mentions.retain(|m| &m.reference.name == name);
            if !mentions.is_empty() {
                out.push(FileMentions { path: facts.path.clone(), text: content, parsed, mentions });
            }
        }
    }
    out.sort_by(|a, b| a.path.cmp(&b.path));
    out
}

/// The tables an audit file's queries name (`@this_model` names none): read from tokens, as
/// an audit's SQL is not parsed when the file is indexed.
fn audit_mentions(project: &Project, audits: &AuditFile, text: &str) -> Vec<Mention> {
    let dialect = project.settings.config.model_defaults.dialect.as_ref().map(|d| d.value.as_str());
    let tokens = tokenize_significant(text, LexOptions::default());
    let mut out = Vec::new();
    for query in audits.audits.iter().filter_map(|a| a.query) {
        let start = tokens.partition_point(|t| t.span.start < query.start);
        let end = tokens.partition_point(|t| t.span.end <= query.end).max(start);
        for table in crate::syntax::sql::scan(text, &tokens[start..end]).tables {
            let Some(name) = crate::project::facts::table_name(&project.settings, &table.name, dialect) else {
                continue;
            };
            let macro_written = table.name.iter().any(|p| !p.quoted && p.text.contains('@'));
            let form = if macro_written { Form::Macro } else { Form::Name(table.name.clone()) };
            out.push(Mention { reference: Reference { name, span: table.span, definition: false }, form });
        }
    }
    out
}

/// The inside of a string literal's span (`'a.b'` → `a.b`); the span itself when it holds no
/// quotes (a plain YAML scalar).
pub(crate) fn string_inner(text: &str, span: Span) -> Span {
    let written = span.text(text);
    let Some(open) = written.find(['\'', '"']).filter(|&i| i <= 2) else { return span };
    let quote = &written[open..open + 1];
    let triple = written[open..].starts_with(&quote.repeat(3)) && written.len() >= open + 6;
    let width = if triple { 3 } else { 1 };
    if !written.ends_with(quote) || written.len() < open + 2 * width {
        return span;
    }
    Span::new(span.start as usize + open + width, span.end as usize - width)
}

/// Whether `haystack` holds `needle` (lowercase ASCII), ignoring ASCII case.
pub(crate) fn contains_ignore_case(haystack: &str, needle: &str) -> bool {
    let (h, n) = (haystack.as_bytes(), needle.as_bytes());
    n.is_empty() || h.windows(n.len()).any(|w| w.eq_ignore_ascii_case(n))
}

/// A model column's definition and its uses in the downstream models of every project.
fn column_references(project: &Project, file: &ParsedFile, node: &ColumnNode, sources: &Sources) -> Vec<Location> {
    let mut out = Vec::new();
    let own = query_of(file).map(|(model, _)| model).filter(|m| m.name == node.0);
    let definition = match own {
        Some(model) => {
            let upstream = |n: &ModelName| project.schema(n);
            QueryResolver::for_model(model, &project.settings, &upstream)
                .and_then(|mut resolver| column_site(&mut resolver, 0, &node.1, 0))
                .and_then(|site| match site {
                    ColumnSite::Here(span) => Some(Target { path: file.facts.path.clone(), span }),
                    ColumnSite::Upstream(up) => model_column_definition(project, &up),
                })
        }
        None => model_column_definition(project, node),
    };
    out.extend(definition.map(|t| Location { path: t.path, span: t.span, definition: true }));
    for current in all_projects(project, sources) {
        let children = current.graph().children(&node.0);
        for child in children {
            let (model, path) = match query_of(file) {
                Some((model, _)) if model.name == child && std::ptr::eq(current, project) => {
                    (model.clone(), file.facts.path.clone())
                }
                _ => {
                    let Some(model) = current.model(&child) else { continue };
                    let graph = current.graph();
                    let Some(path) = graph.definers(&child).and_then(|d| d.first()).and_then(|&id| current.file(id))
                    else {
                        continue;
                    };
                    (model, path.path.clone())
                }
            };
            for span in column_uses(current, &model, node) {
                out.push(Location { path: path.clone(), span, definition: false });
            }
        }
    }
    out
}

/// What a resolved column reference reads: the SELECT that owns the relation, and each
/// (relation, column) it reads.
fn read_columns<'s>(
    resolver: &mut QueryResolver<'s>,
    scope: ScopeId,
    select: &'s SelectShape,
    reference: &crate::syntax::sql::shape::ColumnRef,
) -> Option<(&'s SelectShape, Vec<(usize, String)>)> {
    let shape = resolver.shape;
    let (select, target) = match resolver.resolve(scope, select, reference) {
        RefTarget::Outer { scope, target } => match &shape.scopes[scope as usize].kind {
            ScopeKind::Select(outer) => (outer.as_ref(), *target),
            _ => return None,
        },
        target => (select, target),
    };
    let read = match target {
        RefTarget::Column { relation, name } => vec![(relation, name)],
        RefTarget::Using { relations, name } => relations.into_iter().map(|r| (r, name.clone())).collect(),
        _ => return None,
    };
    Some((select, read))
}

/// Where a model's query reads an upstream model's column: the column name of each reference
/// that resolves to it, and each `*` that passes it through.
pub(crate) fn column_uses(project: &Project, model: &Model, node: &ColumnNode) -> Vec<Span> {
    relation_column_uses(project, model, &node.1, &mut |resolver, relation| match &relation.target {
        RelationTarget::Table(parts) => resolver.table(parts).as_ref() == Some(&node.0),
        _ => false,
    })
}

/// Where a query reads a column of its CTE or subquery `scope`.
pub(crate) fn local_column_uses(project: &Project, model: &Model, scope: ScopeId, column: &str) -> Vec<Span> {
    relation_column_uses(project, model, column, &mut |resolver, relation| {
        relation.target == RelationTarget::Scope(scope) || cte_read_by(resolver.shape, relation) == Some(scope)
    })
}

type RelationTest<'t> = dyn FnMut(&QueryResolver, &Relation) -> bool + 't;

fn relation_column_uses(project: &Project, model: &Model, column: &str, reads: &mut RelationTest) -> Vec<Span> {
    let Some(shape) = model.query.as_deref().filter(|s| !s.rendered) else { return Vec::new() };
    let upstream = |n: &ModelName| project.schema(n);
    let Some(mut resolver) = QueryResolver::for_model(model, &project.settings, &upstream) else { return Vec::new() };
    let mut out = Vec::new();
    for (id, scope) in shape.scopes.iter().enumerate() {
        let ScopeKind::Select(select) = &scope.kind else { continue };
        for reference in select.all_refs() {
            let Some((owner, read)) = read_columns(&mut resolver, id as ScopeId, select, reference) else { continue };
            let hit = read
                .iter()
                .any(|(r, name)| name == column && owner.sources.get(*r).is_some_and(|rel| reads(&resolver, rel)));
            // The part naming the column: `title` of `t.title`, `info` of `t.info.title`.
            let part = reference.parts.iter().find(|p| resolver.normalize(p) == column).or(reference.parts.last());
            if hit && let Some(part) = part {
                out.push(part.span);
            }
        }
        for item in &select.items {
            let Some(star) = &item.star else { continue };
            if star.except.iter().any(|e| resolver.normalize(e) == column) {
                continue;
            }
            let relations: Vec<&Relation> = match star.qualifier.as_ref().and_then(|q| q.last()) {
                Some(q) => {
                    let q = resolver.normalize(q);
                    select
                        .sources
                        .iter()
                        .filter(|r| r.alias.as_ref().is_some_and(|a| resolver.normalize(a) == q))
                        .collect()
                }
                None => select.sources.iter().collect(),
            };
            let passes = relations.into_iter().any(|relation| {
                reads(&resolver, relation)
                    && resolver.relation_columns(relation).is_some_and(|c| c.iter().any(|(n, _)| n == column))
            });
            if passes {
                out.push(item.span);
            }
        }
    }
    out.sort();
    out.dedup();
    out
}

/// The uses of macro `name` in the project's SQL models, and its definitions.
fn macro_references(project: &Project, file: &ParsedFile, name: &str, sources: &Sources) -> Vec<Location> {
    let targets = super::navigation::definition_of_macro(project, file, name);
    let local =
        matches!(&file.syntax, Syntax::Sql(sql) if sql.defs.iter().any(|d| d.name.value.eq_ignore_ascii_case(name)));
    let mut out: Vec<Location> =
        targets.into_iter().map(|t| Location { path: t.path, span: t.span, definition: true }).collect();
    let uses = |path: &Path, parsed: &ParsedFile| -> Vec<Location> {
        let Syntax::Sql(sql) = &parsed.syntax else { return Vec::new() };
        sql.macros
            .iter()
            .filter(|m| m.name == name)
            .map(|m| Location {
                path: path.to_path_buf(),
                span: super::navigation::macro_name_span(m),
                definition: false,
            })
            .collect()
    };
    out.extend(uses(&file.facts.path, file));
    // A `@DEF` is the file's own: its uses are in the file alone.
    if local {
        return out;
    }
    let needle = format!("@{name}");
    for facts in project.files() {
        if facts.role != FileRole::SqlModel || facts.path == file.facts.path {
            continue;
        }
        let Some(content) = (sources.text)(&facts.path) else { continue };
        if !contains_ignore_case(&content, &needle) && !contains_ignore_case(&content, &format!("@{{{name}}}")) {
            continue;
        }
        if let Some(parsed) = super::parse(project, &facts.path, &content) {
            let defined_here = matches!(&parsed.syntax, Syntax::Sql(sql) if sql.defs.iter().any(|d| d.name.value.eq_ignore_ascii_case(name)));
            if !defined_here {
                out.extend(uses(&facts.path, &parsed));
            }
        }
    }
    out
}

/// The audit's definitions, and the `audits (...)` entries of the models that run it.
fn audit_references(project: &Project, file: &ParsedFile, text: &str, name: &str, sources: &Sources) -> Vec<Location> {
    let mut out = Vec::new();
    for facts in project.files() {
        if facts.role == FileRole::Audit {
            for audit in facts.audits.iter().filter(|a| a.value.eq_ignore_ascii_case(name)) {
                out.push(Location { path: facts.path.clone(), span: audit.span, definition: true });
            }
            continue;
        }
        if facts.role != FileRole::SqlModel || !facts.models.iter().any(|m| m.audits.iter().any(|a| a == name)) {
            continue;
        }
        let content = if facts.path == file.facts.path { Some(text.to_string()) } else { (sources.text)(&facts.path) };
        let Some(content) = content else { continue };
        let Some(parsed) = super::parse(project, &facts.path, &content) else { continue };
        let Syntax::Sql(sql) = &parsed.syntax else { continue };
        let Some(audits) = sql.property("audits") else { continue };
        for item in audits.value.items() {
            let span = match item.atoms.first().map(|a| &a.kind) {
                Some(ValueKind::Call { name: parts, .. } | ValueKind::Name(parts))
                    if NamePart::join(parts).eq_ignore_ascii_case(name) =>
                {
                    parts[0].span.cover(parts[parts.len() - 1].span)
                }
                Some(ValueKind::Str(s)) if s.eq_ignore_ascii_case(name) => item.atoms[0].span,
                _ => continue,
            };
            out.push(Location { path: facts.path.clone(), span, definition: false });
        }
    }
    out
}
