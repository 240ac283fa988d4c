//! Document highlight.
//!
//! // Feature: Document Highlight
//! With the cursor on a model name, a CTE, a column, a table alias or a macro, highlights
//! every occurrence of it in the file: where it is defined (the model's `name`, the CTE's
//! name, the select item, `AS alias`, `@DEF`) as a write, every use as a read.

use super::ParsedFile;
use super::lineage::ColumnTarget;
use super::navigation::{
    AliasKind, ColumnSite, Symbol, alias_kind, column_site, cte_read_by, qualified_relation, qualifiers, query_of,
    read_by_item, relation_of, symbol_at,
};
use super::references::{column_uses, local_column_uses, references};
use crate::project::facts::Syntax;
use crate::project::lineage::{QueryResolver, RefTarget};
use crate::project::{ModelName, Project};
use crate::syntax::Span;
use crate::syntax::sql::shape::{ScopeId, ScopeKind};

/// Whether an occurrence defines or uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HighlightKind {
    Read,
    Write,
}

/// One occurrence to highlight.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Highlight {
    pub span: Span,
    pub kind: HighlightKind,
}

/// The occurrences in `file` (whose text is `text`) of what is at `offset`, in text order.
pub fn highlight(project: &Project, file: &ParsedFile, text: &str, offset: usize) -> Vec<Highlight> {
    let Some(symbol) = symbol_at(project, file, offset) else { return Vec::new() };
    let mut out = occurrences(project, file, text, &symbol);
    if let Symbol::Column { .. } = symbol {
        out.extend(read_by_items(project, file, &out));
        out.sort_by_key(|h| (h.span, h.kind == HighlightKind::Read));
        out.dedup_by_key(|h| h.span);
    }
    out
}

/// An unaliased item (`m.member_id`) names an output column and reads a column: the other
/// reads of the column it reads.
fn read_by_items(project: &Project, file: &ParsedFile, found: &[Highlight]) -> Vec<Highlight> {
    let Some((model, _)) = query_of(file) else { return Vec::new() };
    let upstream = |n: &ModelName| project.schema(n);
    let Some(mut resolver) = QueryResolver::for_model(model, &project.settings, &upstream) else { return Vec::new() };
    let mut out = Vec::new();
    for item in found.iter().filter(|h| h.kind == HighlightKind::Write) {
        let uses = match read_by_item(&mut resolver, item.span) {
            Some(ColumnTarget::Model(node)) if node.0 != model.name => column_uses(project, model, &node),
            Some(ColumnTarget::Local { scope, column }) => local_column_uses(project, model, scope, &column),
            _ => continue,
        };
        out.extend(uses.into_iter().map(|span| Highlight { span, kind: HighlightKind::Read }));
    }
    out
}

/// The occurrences in `file` of `symbol`, in text order.
pub(crate) fn occurrences(project: &Project, file: &ParsedFile, text: &str, symbol: &Symbol) -> Vec<Highlight> {
    let read = |span: Span| Highlight { span, kind: HighlightKind::Read };
    let write = |span: Span| Highlight { span, kind: HighlightKind::Write };
    let mut out: Vec<Highlight> = match symbol {
        Symbol::Model(reference) => references(project, file)
            .into_iter()
            .filter(|r| r.name == reference.name)
            .map(|r| if r.definition { write(r.span) } else { read(r.span) })
            .collect(),
        Symbol::Cte { scope, .. } => cte_occurrences(project, file, text, *scope),
        Symbol::Alias { scope, relation, .. } => alias_occurrences(project, file, *scope, *relation),
        Symbol::Column { target, .. } => column_occurrences(project, file, target),
        Symbol::Macro { name, .. } => match &file.syntax {
            Syntax::Sql(sql) => sql
                .defs
                .iter()
                .filter(|d| d.name.value.eq_ignore_ascii_case(name))
                .map(|d| write(d.name.span))
                .chain(
                    sql.macros.iter().filter(|m| m.name == *name).map(|m| read(super::navigation::macro_name_span(m))),
                )
                .collect(),
            _ => Vec::new(),
        },
        Symbol::Audit { span, .. } | Symbol::SeedPath { span, .. } => vec![read(*span)],
    };
    out.sort_by_key(|h| (h.span, h.kind == HighlightKind::Read));
    out.dedup_by_key(|h| h.span);
    out
}

/// The span of the name written at `start`: a quoted identifier, or a run of identifier
/// characters.
pub(crate) fn name_at(text: &str, start: usize) -> Span {
    let rest = text.get(start..).unwrap_or("");
    let end = match rest.chars().next() {
        Some(open @ ('"' | '`' | '[')) => {
            let close = if open == '[' { ']' } else { open };
            let mut chars = rest.char_indices().skip(1).peekable();
            let mut end = rest.len();
            while let Some((i, c)) = chars.next() {
                if c == close {
                    // A doubled quote is an escaped one.
                    if chars.peek().is_some_and(|&(_, n)| n == close) {
                        chars.next();
                        continue;
                    }
                    end = i + c.len_utf8();
                    break;
                }
            }
            end
        }
        _ => rest.find(|c: char| !(c.is_alphanumeric() || c == '_' || c == '$')).unwrap_or(rest.len()),
    };
    Span::new(start, start + end)
}

/// A CTE's name where it is defined (a write) and every place that names it: the FROMs that
/// read it and the qualifiers that name it.
pub(crate) fn cte_occurrences(project: &Project, file: &ParsedFile, text: &str, cte: ScopeId) -> Vec<Highlight> {
    let Some((model, shape)) = query_of(file) else { return Vec::new() };
    let mut out = Vec::new();
    if let Some(name) = &shape.scopes[cte as usize].name {
        out.push(Highlight { span: name.span, kind: HighlightKind::Write });
    }
    let upstream = |n: &ModelName| project.schema(n);
    let Some(resolver) = QueryResolver::for_model(model, &project.settings, &upstream) else { return out };
    for (id, scope) in shape.scopes.iter().enumerate() {
        let ScopeKind::Select(select) = &scope.kind else { continue };
        for relation in &select.sources {
            if cte_read_by(shape, relation) != Some(cte) {
                continue;
            }
            let span = match alias_kind(shape, relation) {
                AliasKind::Cte(_) => relation.alias.as_ref().map_or(relation.span, |a| a.span),
                _ => name_at(text, relation.span.start as usize),
            };
            out.push(Highlight { span, kind: HighlightKind::Read });
        }
        for qualifier in qualifiers(select) {
            let Some((owner, index)) = qualified_relation(&resolver, shape, id as ScopeId, qualifier) else { continue };
            let Some(relation) = relation_of(shape, owner, index) else { continue };
            if alias_kind(shape, relation) == AliasKind::Cte(cte) {
                out.push(Highlight { span: qualifier.span, kind: HighlightKind::Read });
            }
        }
    }
    out
}

/// A table alias where it is given (a write; for an implicit alias, the table's or CTE's
/// name, a read) and the qualifiers that name it.
fn alias_occurrences(project: &Project, file: &ParsedFile, scope: ScopeId, index: usize) -> Vec<Highlight> {
    let Some((model, shape)) = query_of(file) else { return Vec::new() };
    let Some(relation) = relation_of(shape, scope, index) else { return Vec::new() };
    let mut out = Vec::new();
    match alias_kind(shape, relation) {
        AliasKind::Explicit(span) => out.push(Highlight { span, kind: HighlightKind::Write }),
        AliasKind::Table(parts) => {
            out.extend(parts.last().map(|p| Highlight { span: p.span, kind: HighlightKind::Read }))
        }
        AliasKind::Cte(_) => {
            out.extend(relation.alias.as_ref().map(|a| Highlight { span: a.span, kind: HighlightKind::Read }))
        }
    }
    let upstream = |n: &ModelName| project.schema(n);
    let Some(resolver) = QueryResolver::for_model(model, &project.settings, &upstream) else { return out };
    for (id, current) in shape.scopes.iter().enumerate() {
        let ScopeKind::Select(select) = &current.kind else { continue };
        for qualifier in qualifiers(select) {
            if qualified_relation(&resolver, shape, id as ScopeId, qualifier) == Some((scope, index)) {
                out.push(Highlight { span: qualifier.span, kind: HighlightKind::Read });
            }
        }
    }
    out
}

/// A column's select item (a write) and the references to it in this file.
fn column_occurrences(project: &Project, file: &ParsedFile, target: &ColumnTarget) -> Vec<Highlight> {
    let Some((model, shape)) = query_of(file) else { return Vec::new() };
    let upstream = |n: &ModelName| project.schema(n);
    let Some(mut resolver) = QueryResolver::for_model(model, &project.settings, &upstream) else { return Vec::new() };
    let mut out = Vec::new();
    let reads: Vec<Span> = match target {
        ColumnTarget::Model(node) if node.0 == model.name => {
            if let Some(ColumnSite::Here(span)) = column_site(&mut resolver, 0, &node.1, 0) {
                out.push(Highlight { span, kind: HighlightKind::Write });
            }
            // The output name read back (`ORDER BY total`, `GROUP BY total`).
            let mut reads = Vec::new();
            for (id, scope) in shape.scopes.iter().enumerate() {
                let ScopeKind::Select(select) = &scope.kind else { continue };
                let root = id == 0
                    || matches!(&shape.scopes[0].kind, ScopeKind::SetOp(b) if b.first() == Some(&(id as ScopeId)));
                if !root {
                    continue;
                }
                for reference in select.all_refs() {
                    if let RefTarget::Alias(item) = resolver.resolve(id as ScopeId, select, reference)
                        && select
                            .items
                            .get(item)
                            .and_then(|i| i.name.as_ref())
                            .is_some_and(|n| resolver.normalize(n) == node.1)
                        && let Some(last) = reference.parts.last()
                    {
                        reads.push(last.span);
                    }
                }
            }
            reads
        }
        ColumnTarget::Model(node) => column_uses(project, model, node),
        ColumnTarget::Local { scope, column } => {
            if let Some(ColumnSite::Here(span)) = column_site(&mut resolver, *scope, column, 0) {
                out.push(Highlight { span, kind: HighlightKind::Write });
            }
            local_column_uses(project, model, *scope, column)
        }
    };
    out.extend(reads.into_iter().map(|span| Highlight { span, kind: HighlightKind::Read }));
    out
}
