//! Go to definition, and what the cursor is on (the question every navigation feature asks
//! first).
//!
//! // Feature: Go to Definition
//! On a model reference (`FROM sushi.orders`, any case or quoting, a `depends_on` entry, a
//! Python model's `context.resolve_table("...")`), jumps to where the model is defined: the
//! `name` in its MODEL block, its entry in the external models YAML, or its `@model` decorator;
//! for a seed, also to its CSV file. On a CTE's name (in FROM or as a qualifier), jumps to
//! the CTE; on a table alias, to where it is given. On a column, jumps to the select item that
//! computes it (in a CTE or subquery of the file, or in the upstream model's file), or to its
//! declaration (`columns`, the external models YAML, the Python `columns=`, the seed's CSV
//! header). On `@name`, jumps to the `@DEF(name, ...)` of the file or the `def name` of the
//! project's macros; on an audit in `audits (...)`, to its `AUDIT` block; on a seed's `path`,
//! to the CSV file.

use super::ParsedFile;
use super::lineage::{ColumnNode, ColumnTarget, column_at};
use super::references::{Reference, reference_at};
use crate::project::facts::Syntax;
use crate::project::lineage::{QueryResolver, RefTarget};
use crate::project::{FileRole, Model, ModelName, Project, Source};
use crate::syntax::Span;
use crate::syntax::block::{NamePart, ValueKind};
use crate::syntax::sql::MacroUse;
use crate::syntax::sql::shape::{QueryShape, Relation, ScopeId, ScopeKind, SelectShape, Target as RelationTarget};
use std::path::{Path, PathBuf};

/// Where something is defined.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    pub path: PathBuf,
    pub span: Span,
}

/// What the cursor is on, with the span of the name there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Symbol {
    /// A model name: a table reference, a `depends_on` entry, a Python string, the model's
    /// own name, an external model's YAML entry.
    Model(Reference),
    /// A CTE: its name where it is defined, a FROM that reads it, or a qualifier naming it.
    Cte { scope: ScopeId, span: Span },
    /// A table alias (`FROM stage.orders AS o`, and `o` in `o.total`); an implicit one (the
    /// table's own last name part, used as a qualifier) too. `relation` indexes the sources of
    /// `scope`'s SELECT.
    Alias { scope: ScopeId, relation: usize, span: Span },
    /// A column anywhere in the query.
    Column { target: ColumnTarget, span: Span },
    /// `@name`: a macro call or a macro variable (lowercased, without `@`), or the name of a
    /// `@DEF`.
    Macro { name: String, span: Span },
    /// An audit named in the MODEL block's `audits` (lowercased).
    Audit { name: String, span: Span },
    /// A seed's `path '...'`: the CSV file.
    SeedPath { csv: PathBuf, span: Span },
}

impl Symbol {
    /// The span of the name under the cursor.
    pub fn span(&self) -> Span {
        match self {
            Symbol::Model(reference) => reference.span,
            Symbol::Cte { span, .. }
            | Symbol::Alias { span, .. }
            | Symbol::Column { span, .. }
            | Symbol::Macro { span, .. }
            | Symbol::Audit { span, .. }
            | Symbol::SeedPath { span, .. } => *span,
        }
    }
}

/// The definitions of what is at `offset` (none when the cursor is on nothing known, or on
/// something defined nowhere in the project, like a built-in macro or audit).
pub fn definition(project: &Project, file: &ParsedFile, offset: usize) -> Vec<Target> {
    let Some(symbol) = symbol_at(project, file, offset) else { return Vec::new() };
    let here = |span: Span| vec![Target { path: file.facts.path.clone(), span }];
    match symbol {
        Symbol::Model(reference) => model_definitions(project, &reference.name),
        Symbol::Cte { scope, .. } => {
            let Some((_, shape)) = query_of(file) else { return Vec::new() };
            shape.scopes[scope as usize].name.as_ref().map(|n| here(n.span)).unwrap_or_default()
        }
        Symbol::Alias { scope, relation, .. } => {
            let Some((model, shape)) = query_of(file) else { return Vec::new() };
            let Some(relation) = relation_of(shape, scope, relation) else { return Vec::new() };
            match alias_kind(shape, relation) {
                AliasKind::Explicit(span) => here(span),
                AliasKind::Cte(cte) => {
                    shape.scopes[cte as usize].name.as_ref().map(|n| here(n.span)).unwrap_or_default()
                }
                AliasKind::Table(parts) => {
                    let upstream = |n: &ModelName| project.schema(n);
                    QueryResolver::for_model(model, &project.settings, &upstream)
                        .and_then(|resolver| resolver.table(&parts))
                        .map(|name| model_definitions(project, &name))
                        .unwrap_or_default()
                }
            }
        }
        Symbol::Column { target, span } => column_definition(project, file, &target, span).into_iter().collect(),
        Symbol::Macro { name, .. } => definition_of_macro(project, file, &name),
        Symbol::Audit { name, .. } => project
            .files()
            .iter()
            .filter(|f| f.role == FileRole::Audit)
            .flat_map(|f| {
                f.audits
                    .iter()
                    .filter(|a| a.value.eq_ignore_ascii_case(&name))
                    .map(|a| Target { path: f.path.clone(), span: a.span })
                    .collect::<Vec<_>>()
            })
            .collect(),
        Symbol::SeedPath { csv, .. } => vec![Target { span: csv_header(&csv), path: clean_path(&csv) }],
    }
}

/// As [`definition`], and for a model reference, also where the other projects of the
/// workspace define that model (a monorepo project reading another's table declares it as an
/// external model; the definition that matters is the other project's model).
pub fn definition_in_workspace(
    projects: &[std::sync::Arc<Project>],
    project: &Project,
    file: &ParsedFile,
    offset: usize,
) -> Vec<Target> {
    let mut targets = definition(project, file, offset);
    if let Some(reference) = super::references::reference_at(project, file, offset) {
        for other in projects.iter().filter(|p| !std::ptr::eq(p.as_ref(), project)) {
            targets.extend(model_definitions(other, &reference.name));
        }
    }
    targets
}

/// Where a model is defined: its name in each defining file, and a seed's CSV file.
pub fn model_definitions(project: &Project, name: &ModelName) -> Vec<Target> {
    let graph = project.graph();
    let Some(definers) = graph.definers(name) else { return Vec::new() };
    let mut out = Vec::new();
    for facts in definers.iter().filter_map(|&id| project.file(id)) {
        let Some(model) = facts.models.iter().find(|m| &m.name == name) else { continue };
        out.push(Target { path: facts.path.clone(), span: model.name_span });
        if model.source == Source::Seed
            && let Some(csv) = &facts.seed_csv
        {
            out.push(Target { path: clean_path(csv), span: csv_header(csv) });
        }
    }
    out
}

/// `path` without `.` and `..` components (a seed's `path` is relative to its model's folder).
fn clean_path(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for component in path.components() {
        match component {
            std::path::Component::CurDir => {}
            std::path::Component::ParentDir if out.file_name().is_some() => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

/// The span of a CSV file's header row (empty at 0 when it cannot be read).
fn csv_header(csv: &Path) -> Span {
    let Ok(text) = std::fs::read_to_string(csv) else { return Span::at(0) };
    Span::new(0, text.find(['\r', '\n']).unwrap_or(text.len()))
}

/// What is at `offset` of a parsed file.
pub fn symbol_at(project: &Project, file: &ParsedFile, offset: usize) -> Option<Symbol> {
    if let Some(reference) = reference_at(project, file, offset) {
        return Some(Symbol::Model(reference));
    }
    let sql = match &file.syntax {
        Syntax::Sql(sql) => sql,
        syntax => return declaration_at(project, file, syntax, offset),
    };
    if let Some(columns) = sql.property("columns")
        && let Some(model) = file.facts.models.first()
    {
        for item in columns.value.items() {
            let Some(ValueKind::Name(parts)) = item.atoms.first().map(|a| &a.kind) else { continue };
            let Some(part) = parts.last().filter(|p| p.span.contains(offset)) else { continue };
            let strategy = crate::project::names::normalization(model.dialect.as_deref());
            let column = crate::project::names::normalize_ident(&part.text, part.quoted, strategy, false);
            return Some(Symbol::Column { target: ColumnTarget::Model((model.name.clone(), column)), span: part.span });
        }
    }
    if let Some(audits) = sql.property("audits") {
        for item in audits.value.items() {
            let Some(first) = item.atoms.first() else { continue };
            let (name, span) = match &first.kind {
                ValueKind::Call { name, .. } | ValueKind::Name(name) => {
                    (NamePart::join(name), name[0].span.cover(name[name.len() - 1].span))
                }
                ValueKind::Str(s) => (s.clone(), item.atoms[0].span),
                _ => continue,
            };
            if span.contains(offset) {
                return Some(Symbol::Audit { name: name.to_lowercase(), span });
            }
        }
    }
    if let (Some(kind), Some(csv)) = (sql.kind(), &file.facts.seed_csv)
        && let Some(path) = kind.properties.iter().find(|p| p.key.value.eq_ignore_ascii_case("path"))
        && path.value.span.contains(offset)
    {
        return Some(Symbol::SeedPath { csv: csv.clone(), span: path.value.span });
    }
    for def in &sql.defs {
        if def.name.span.contains(offset) {
            return Some(Symbol::Macro { name: def.name.value.to_lowercase(), span: def.name.span });
        }
    }
    for use_ in &sql.macros {
        let span = macro_name_span(use_);
        if span.contains(offset) {
            return Some(Symbol::Macro { name: use_.name.clone(), span });
        }
    }
    let (model, shape) = query_of(file)?;
    query_symbol_at(project, model, shape, offset)
}

/// A name declared outside SQL: an external model's or a Python model's column, a macro's
/// `def`, an audit's name.
fn declaration_at(project: &Project, file: &ParsedFile, syntax: &Syntax, offset: usize) -> Option<Symbol> {
    let column = |model: &Model, name: &str, span: Span| {
        let quoted = name.len() >= 2 && name.starts_with('"') && name.ends_with('"');
        let text = if quoted { &name[1..name.len() - 1] } else { name };
        let strategy = crate::project::names::normalization(model.dialect.as_deref());
        let column = crate::project::names::normalize_ident(text, quoted, strategy, false);
        Symbol::Column { target: ColumnTarget::Model((model.name.clone(), column)), span }
    };
    match syntax {
        Syntax::External(external) => {
            for entry in &external.models {
                let Some(found) = entry.columns.iter().find(|c| c.name.span.contains(offset)) else { continue };
                let dialect = entry
                    .dialect
                    .clone()
                    .or_else(|| project.settings.config.model_defaults.dialect.as_ref().map(|d| d.value.clone()));
                let name = project.settings.names.normalize_text(&entry.name.value, dialect.as_deref())?;
                let model = file.facts.models.iter().find(|m| m.name == name)?;
                return Some(column(model, &found.name.value, found.name.span));
            }
            None
        }
        Syntax::Python(Some(python)) => {
            let (name, _) = python.columns.as_ref()?.iter().find(|(n, _)| n.span.contains(offset))?;
            Some(column(file.facts.models.first()?, &name.value, name.span))
        }
        Syntax::Macros(macros) => {
            let found = macros.iter().find(|m| m.name.span.contains(offset))?;
            Some(Symbol::Macro { name: found.name.value.clone(), span: found.name.span })
        }
        Syntax::Audit(audits) => {
            let name = audits.audits.iter().filter_map(|a| a.name.as_ref()).find(|n| n.span.contains(offset))?;
            Some(Symbol::Audit { name: name.value.to_lowercase(), span: name.span })
        }
        _ => None,
    }
}

/// The name part of a macro use: `name` of `@name`, `@name(...)` or `@{name}`.
pub(crate) fn macro_name_span(use_: &MacroUse) -> Span {
    let start = use_.span.start as usize + 1;
    // `@{name}` is no call and one brace longer on each side than `@name`.
    let braced = !use_.call && use_.span.len() == use_.name.len() + 3;
    let start = if braced { start + 1 } else { start };
    Span::new(start, (start + use_.name.len()).min(use_.span.end as usize))
}

/// The file's model and its query shape, when its spans are the file's (not a rendered Jinja
/// query).
pub(crate) fn query_of(file: &ParsedFile) -> Option<(&Model, &QueryShape)> {
    let model = file.facts.models.first()?;
    let shape = model.query.as_deref().filter(|s| !s.rendered)?;
    Some((model, shape))
}

/// The scopes that are CTEs.
pub(crate) fn cte_scopes(shape: &QueryShape) -> Vec<ScopeId> {
    shape.scopes.iter().flat_map(|s| s.ctes.iter().copied()).collect()
}

/// The CTE a relation reads, if it reads one by name (`FROM cte`, `FROM cte AS c`, also a
/// renaming `FROM cte AS c(x, y)`, which the shape keeps as a copy of the CTE).
pub(crate) fn cte_read_by(shape: &QueryShape, relation: &Relation) -> Option<ScopeId> {
    let RelationTarget::Scope(target) = relation.target else { return None };
    let ctes = cte_scopes(shape);
    if ctes.contains(&target) {
        return Some(target);
    }
    // A renaming copy has no span of its own; a derived table's scope has its subquery's.
    let copy = &shape.scopes[target as usize];
    if copy.span != Span::default() {
        return None;
    }
    ctes.into_iter()
        .filter(|&c| shape.scopes[c as usize].kind == copy.kind)
        .filter(|&c| shape.scopes[c as usize].name.as_ref().is_some_and(|n| n.span.start < relation.span.start))
        .max_by_key(|&c| shape.scopes[c as usize].name.as_ref().map(|n| n.span.start))
}

/// How a relation is named where columns qualify it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum AliasKind {
    /// `AS o`: the alias's span.
    Explicit(Span),
    /// No alias, a table: qualifiers repeat its last name part.
    Table(Vec<NamePart>),
    /// No alias, a CTE: qualifiers repeat the CTE's name.
    Cte(ScopeId),
}

pub(crate) fn alias_kind(shape: &QueryShape, relation: &Relation) -> AliasKind {
    let alias = relation.alias.as_ref().map(|a| a.span);
    match &relation.target {
        RelationTarget::Table(parts) if alias.is_none() || alias == parts.last().map(|p| p.span) => {
            AliasKind::Table(parts.clone())
        }
        _ => match cte_read_by(shape, relation) {
            Some(cte) if alias.is_none_or(|a| a.start == relation.span.start) => AliasKind::Cte(cte),
            _ => AliasKind::Explicit(alias.unwrap_or(Span::at(relation.span.start as usize))),
        },
    }
}

pub(crate) fn relation_of(shape: &QueryShape, scope: ScopeId, relation: usize) -> Option<&Relation> {
    match &shape.scopes.get(scope as usize)?.kind {
        ScopeKind::Select(select) => select.sources.get(relation),
        _ => None,
    }
}

/// The relation a qualifier names, looked up from `scope` outwards (a correlated subquery
/// reads its enclosing query's relations).
pub(crate) fn qualified_relation(
    resolver: &QueryResolver,
    shape: &QueryShape,
    scope: ScopeId,
    qualifier: &NamePart,
) -> Option<(ScopeId, usize)> {
    let name = resolver.normalize(qualifier);
    let mut current = Some(scope);
    while let Some(id) = current {
        let scope = &shape.scopes[id as usize];
        if let ScopeKind::Select(select) = &scope.kind
            && let Some(at) =
                select.sources.iter().position(|r| r.alias.as_ref().is_some_and(|a| resolver.normalize(a) == name))
        {
            return Some((id, at));
        }
        current = scope.parent;
    }
    None
}

/// The qualifiers written in a SELECT: the relation-naming part of each column reference
/// (`o` of `o.total`, `t` of `s.t.c`) and of each `o.*`.
pub(crate) fn qualifiers(select: &SelectShape) -> impl Iterator<Item = &NamePart> {
    let of_refs = select.all_refs().filter(|r| r.parts.len() >= 2).map(|r| &r.parts[r.parts.len() - 2]);
    let of_stars = select.items.iter().filter_map(|i| i.star.as_ref()?.qualifier.as_ref()?.last());
    of_refs.chain(of_stars)
}

fn query_symbol_at(project: &Project, model: &Model, shape: &QueryShape, offset: usize) -> Option<Symbol> {
    let upstream = |n: &ModelName| project.schema(n);
    let resolver = QueryResolver::for_model(model, &project.settings, &upstream)?;
    for &cte in &cte_scopes(shape) {
        if let Some(name) = shape.scopes[cte as usize].name.as_ref().filter(|n| n.span.contains(offset)) {
            return Some(Symbol::Cte { scope: cte, span: name.span });
        }
    }
    for (id, scope) in shape.scopes.iter().enumerate() {
        let ScopeKind::Select(select) = &scope.kind else { continue };
        let id = id as ScopeId;
        for (index, relation) in select.sources.iter().enumerate() {
            if !relation.span.contains(offset) {
                continue;
            }
            match (alias_kind(shape, relation), cte_read_by(shape, relation)) {
                (AliasKind::Explicit(span), _) if span.contains(offset) => {
                    return Some(Symbol::Alias { scope: id, relation: index, span });
                }
                // Before the alias: the CTE's name (the exact end needs the text; this is the
                // cursor's test only).
                (AliasKind::Explicit(span), Some(cte)) if offset < span.start as usize => {
                    let name = Span::new(relation.span.start as usize, offset.max(relation.span.start as usize));
                    return Some(Symbol::Cte { scope: cte, span: name });
                }
                (AliasKind::Cte(cte), _) => {
                    let span = relation.alias.as_ref().map_or(relation.span, |a| a.span);
                    return Some(Symbol::Cte { scope: cte, span });
                }
                _ => {}
            }
        }
        for qualifier in qualifiers(select).filter(|q| q.span.contains(offset)) {
            let Some((scope, index)) = qualified_relation(&resolver, shape, id, qualifier) else { continue };
            let relation = relation_of(shape, scope, index)?;
            return Some(match alias_kind(shape, relation) {
                AliasKind::Cte(cte) => Symbol::Cte { scope: cte, span: qualifier.span },
                _ => Symbol::Alias { scope, relation: index, span: qualifier.span },
            });
        }
    }
    let (target, span) = column_at(project, model, offset)?;
    Some(Symbol::Column { target, span })
}

/// Where a column is produced within a query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum ColumnSite {
    /// A name (or an unnamed expression) in this query.
    Here(Span),
    /// Passed through from an upstream model (`SELECT * FROM upstream`).
    Upstream(ColumnNode),
}

/// The select item (or column alias) of `scope` that produces `column`, following `*`
/// through CTEs, subqueries and set operations.
pub(crate) fn column_site(
    resolver: &mut QueryResolver,
    scope: ScopeId,
    column: &str,
    depth: usize,
) -> Option<ColumnSite> {
    let shape = resolver.shape;
    let node = shape.scopes.get(scope as usize)?;
    if depth > 32 {
        return None;
    }
    if let Some(alias) = node.column_aliases.iter().find(|a| resolver.normalize(a) == column) {
        return Some(ColumnSite::Here(alias.span));
    }
    let outputs = resolver.output(scope)?;
    let position = outputs.iter().position(|c| c.name == column)?;
    match &node.kind {
        ScopeKind::Select(select) => {
            let output = &outputs[position];
            let Some(index) = output.item else {
                return star_site(resolver, select, column, depth);
            };
            let item = select.items.get(index)?;
            match &item.star {
                Some(star) => {
                    let replaced =
                        star.replace.iter().find(|r| r.name.as_ref().is_some_and(|n| resolver.normalize(n) == column));
                    let renamed = star.rename.iter().find(|(_, to)| resolver.normalize(to) == column);
                    match (replaced, renamed) {
                        (Some(r), _) => Some(ColumnSite::Here(r.name.as_ref().map_or(r.span, |n| n.span))),
                        (None, Some((_, to))) => Some(ColumnSite::Here(to.span)),
                        (None, None) => star_site(resolver, select, column, depth),
                    }
                }
                None => Some(ColumnSite::Here(item.name.as_ref().map_or(item.span, |n| n.span))),
            }
        }
        ScopeKind::SetOp(branches) => {
            let first = *branches.first()?;
            let name = resolver.output(first)?.get(position)?.name.clone();
            column_site(resolver, first, &name, depth + 1)
        }
        _ => None,
    }
}

/// Where a column a `*` passes through comes from: the relation that has it.
fn star_site(resolver: &mut QueryResolver, select: &SelectShape, column: &str, depth: usize) -> Option<ColumnSite> {
    for relation in &select.sources {
        let has = resolver.relation_columns(relation).is_some_and(|c| c.iter().any(|(n, _)| n == column));
        if !has {
            continue;
        }
        return match &relation.target {
            RelationTarget::Scope(inner) => column_site(resolver, *inner, column, depth + 1),
            RelationTarget::Table(parts) => Some(ColumnSite::Upstream((resolver.table(parts)?, column.to_string()))),
            RelationTarget::Columns(names) => {
                names.iter().find(|n| resolver.normalize(n) == column).map(|n| ColumnSite::Here(n.span))
            }
            RelationTarget::Unknown => None,
        };
    }
    None
}

/// Where the column under the cursor is produced. On an unaliased select item (`r.book_id`),
/// which names the column it reads, that is where the column read is produced.
fn column_definition(project: &Project, file: &ParsedFile, target: &ColumnTarget, at: Span) -> Option<Target> {
    let Some((model, _)) = query_of(file) else {
        // A declared column (`columns`, the YAML, `columns=`): its own declaration.
        let ColumnTarget::Model(node) = target else { return None };
        return model_column_definition(project, node);
    };
    let upstream = |n: &ModelName| project.schema(n);
    let mut resolver = QueryResolver::for_model(model, &project.settings, &upstream)?;
    let site = match target {
        ColumnTarget::Local { scope, column } => column_site(&mut resolver, *scope, column, 0)?,
        ColumnTarget::Model(node) if node.0 == model.name => match column_site(&mut resolver, 0, &node.1, 0) {
            Some(site) => site,
            None => return Some(Target { path: file.facts.path.clone(), span: model.name_span }),
        },
        ColumnTarget::Model(node) => ColumnSite::Upstream(node.clone()),
    };
    let site = match site {
        ColumnSite::Here(span) if span == at => match read_by_item(&mut resolver, span) {
            Some(ColumnTarget::Local { scope, column }) => column_site(&mut resolver, scope, &column, 0)?,
            Some(ColumnTarget::Model(node)) => ColumnSite::Upstream(node),
            None => ColumnSite::Here(span),
        },
        site => site,
    };
    match site {
        ColumnSite::Here(span) => Some(Target { path: file.facts.path.clone(), span }),
        ColumnSite::Upstream(node) => model_column_definition(project, &node),
    }
}

/// The column an unaliased select item reads, when `span` is the item's name: `r.book_id`
/// names the output column `book_id` and reads `book_id` of `r`.
pub(crate) fn read_by_item(resolver: &mut QueryResolver, span: Span) -> Option<ColumnTarget> {
    let shape = resolver.shape;
    for (id, scope) in shape.scopes.iter().enumerate() {
        let ScopeKind::Select(select) = &scope.kind else { continue };
        for item in select.all_items().filter(|i| i.name.as_ref().is_some_and(|n| n.span == span)) {
            let Some(reference) = item.refs.iter().find(|r| r.parts.last().is_some_and(|p| p.span == span)) else {
                continue;
            };
            let (owner, target) = match resolver.resolve(id as ScopeId, select, reference) {
                RefTarget::Outer { scope, target } => match &shape.scopes[scope as usize].kind {
                    ScopeKind::Select(outer) => (outer.as_ref(), *target),
                    _ => return None,
                },
                target => (select.as_ref(), target),
            };
            let (relation, column) = match target {
                RefTarget::Column { relation, name } => (relation, name),
                RefTarget::Using { relations, name } => (*relations.first()?, name),
                _ => return None,
            };
            return match &owner.sources.get(relation)?.target {
                RelationTarget::Table(parts) => Some(ColumnTarget::Model((resolver.table(parts)?, column))),
                RelationTarget::Scope(inner) => Some(ColumnTarget::Local { scope: *inner, column }),
                _ => None,
            };
        }
    }
    None
}

/// Where a model's column is produced or declared: the select item in the model's file (or
/// further up, for a column a `*` passes through), the `columns` declaration, the YAML entry,
/// the Python `columns=`, the seed's CSV header; else the model's name.
pub fn model_column_definition(project: &Project, node: &ColumnNode) -> Option<Target> {
    let mut node = node.clone();
    for _ in 0..32 {
        let model = project.model(&node.0)?;
        let path = {
            let graph = project.graph();
            let id = *graph.definers(&node.0)?.first()?;
            project.file(id)?.path.clone()
        };
        let fallback = Target { path: path.clone(), span: model.name_span };
        if model.columns_declared {
            return Some(declared_column(project, &path, &model, &node.1).unwrap_or(fallback));
        }
        let upstream = |n: &ModelName| project.schema(n);
        let Some(mut resolver) = QueryResolver::for_model(&model, &project.settings, &upstream) else {
            return Some(fallback);
        };
        if resolver.shape.rendered {
            return Some(fallback);
        }
        match column_site(&mut resolver, 0, &node.1, 0) {
            Some(ColumnSite::Here(span)) => return Some(Target { path, span }),
            Some(ColumnSite::Upstream(next)) if next != node => node = next,
            _ => return Some(fallback),
        }
    }
    None
}

/// A declared column's name: in the `columns` property, the YAML entry, the Python
/// `columns=`, or the seed's CSV header. The declaring file is read from disk.
fn declared_column(project: &Project, path: &Path, model: &Model, column: &str) -> Option<Target> {
    let text = project.text(path)?;
    let parsed = super::parse(project, path, &text)?;
    let strategy = crate::project::names::normalization(model.dialect.as_deref());
    let normalize = |text: &str, quoted: bool| crate::project::names::normalize_ident(text, quoted, strategy, false);
    let here = |span: Span| Some(Target { path: path.to_path_buf(), span });
    match &parsed.syntax {
        Syntax::Sql(sql) => match sql.property("columns") {
            Some(columns) => columns.value.items().into_iter().find_map(|item| {
                let ValueKind::Name(parts) = &item.atoms.first()?.kind else { return None };
                let part = parts.last()?;
                (normalize(&part.text, part.quoted) == column).then_some(part.span)
            }),
            None => {
                let csv = parsed.facts.seed_csv.as_ref()?;
                let span = csv_column(csv, column)?;
                return Some(Target { path: clean_path(csv), span });
            }
        }
        .and_then(here),
        Syntax::External(external) => {
            let entry = external.models.iter().find(|e| {
                project.settings.names.normalize_text(&e.name.value, model.dialect.as_deref()).as_ref()
                    == Some(&model.name)
            })?;
            let column = entry.columns.iter().find(|c| {
                let name = &c.name.value;
                let quoted = name.len() >= 2 && name.starts_with('"') && name.ends_with('"');
                let text = if quoted { &name[1..name.len() - 1] } else { name.as_str() };
                normalize(text, quoted) == column
            })?;
            here(column.name.span)
        }
        Syntax::Python(Some(python)) => {
            let (name, _) =
                python.columns.as_ref()?.iter().find(|(name, _)| normalize(&name.value, false) == column)?;
            here(name.span)
        }
        _ => None,
    }
}

/// The header cell of a CSV file naming `column`.
fn csv_column(csv: &Path, column: &str) -> Option<Span> {
    let text = std::fs::read_to_string(csv).ok()?;
    let header = &text[..text.find(['\r', '\n']).unwrap_or(text.len())];
    let mut start = 0;
    for cell in header.split(',') {
        let name = cell.trim().trim_matches('"');
        if name.eq_ignore_ascii_case(column) {
            let lead = cell.len() - cell.trim_start().len();
            return Some(Span::new(start + lead, start + cell.trim_end().len()));
        }
        start += cell.len() + 1;
    }
    None
}

/// A macro's definitions: the file's `@DEF(name, ...)`, else the project's `@macro()`
/// functions of that name.
pub(crate) fn definition_of_macro(project: &Project, file: &ParsedFile, name: &str) -> Vec<Target> {
    if let Syntax::Sql(sql) = &file.syntax {
        let defs: Vec<Target> = sql
            .defs
            .iter()
            .filter(|d| d.name.value.eq_ignore_ascii_case(name))
            .map(|d| Target { path: file.facts.path.clone(), span: d.name.span })
            .collect();
        if !defs.is_empty() {
            return defs;
        }
    }
    project
        .files()
        .iter()
        .filter(|f| f.role == FileRole::Macros)
        .flat_map(|f| {
            f.macros.iter().filter(|m| m.name.value == name).map(|m| Target { path: f.path.clone(), span: m.name.span })
        })
        .collect()
}
