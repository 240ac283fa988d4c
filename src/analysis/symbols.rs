//! Document symbols and workspace symbols.
//!
//! // Feature: Document Symbols
//! The outline of a file: a SQL model (its name, with its kind) holding its CTEs (each with
//! its columns) and its output columns (with their types where known); a Python model with
//! its `columns=`; each external model of a YAML file with its columns; each audit of an
//! audit file; each macro of a macros file.
//!
//! // Feature: Workspace Symbols
//! Every model of the workspace's projects, matched on a query as a subsequence of its name
//! (ignoring case) and ranked: an exact name first (the whole name, or its last part: `orders`
//! finds `sushi.orders`), then prefixes, then substrings, then other subsequences; shorter
//! names first within a rank. At most 100 results.

use super::ParsedFile;
use crate::project::facts::Syntax;
use crate::project::lineage::QueryResolver;
use crate::project::{ModelName, Project, Source};
use crate::syntax::Span;
use crate::syntax::block::ValueKind;
use crate::syntax::model_file::ModelFile;
use crate::syntax::sql::shape::{QueryShape, ScopeId, ScopeKind};
use std::path::PathBuf;
use std::sync::Arc;

/// What a symbol is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SymbolKind {
    Model,
    /// A seed model.
    Seed,
    ExternalModel,
    Cte,
    Column,
    Audit,
    Macro,
}

/// One entry of a file's outline.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocumentSymbol {
    pub name: String,
    /// The model's kind, a column's type, a macro's parameters.
    pub detail: Option<String>,
    pub kind: SymbolKind,
    /// All of it (a model's block and statements, a CTE's body).
    pub span: Span,
    /// Its name, within `span`.
    pub selection: Span,
    pub children: Vec<DocumentSymbol>,
}

/// The outline of a parsed file. Each symbol's span covers its children's: a Python model's
/// `columns=` may name a dict written anywhere in the module.
pub fn document_symbols(project: &Project, file: &ParsedFile) -> Vec<DocumentSymbol> {
    let mut symbols = outline(project, file);
    symbols.iter_mut().for_each(cover_children);
    symbols
}

fn cover_children(symbol: &mut DocumentSymbol) {
    for child in &mut symbol.children {
        cover_children(child);
        symbol.span = symbol.span.cover(child.span);
    }
}

fn outline(project: &Project, file: &ParsedFile) -> Vec<DocumentSymbol> {
    match &file.syntax {
        Syntax::Sql(sql) => sql_model_symbols(project, file, sql).into_iter().collect(),
        Syntax::Python(Some(python)) => {
            let Some(model) = file.facts.models.first() else { return Vec::new() };
            let columns = python
                .columns
                .iter()
                .flatten()
                .map(|(name, ty)| leaf(name.value.clone(), ty.clone(), SymbolKind::Column, name.span))
                .collect();
            let span = python.entrypoint.as_ref().map_or(python.decorator, |e| python.decorator.cover(e.span));
            vec![DocumentSymbol {
                name: model.name.to_string(),
                detail: Some(model.kind.clone()),
                kind: SymbolKind::Model,
                span: span.cover(model.name_span),
                selection: model.name_span,
                children: columns,
            }]
        }
        Syntax::External(external) => external
            .models
            .iter()
            .map(|entry| DocumentSymbol {
                name: entry.name.value.clone(),
                detail: Some("EXTERNAL".to_string()),
                kind: SymbolKind::ExternalModel,
                span: entry.entry.cover(entry.name.span),
                selection: entry.name.span,
                children: entry
                    .columns
                    .iter()
                    .map(|c| leaf(c.name.value.clone(), c.data_type.clone(), SymbolKind::Column, c.name.span))
                    .collect(),
            })
            .collect(),
        Syntax::Audit(audits) => audits
            .audits
            .iter()
            .filter_map(|audit| {
                let name = audit.name.as_ref()?;
                let span = audit.query.map_or(audit.block.span, |q| audit.block.span.cover(q));
                Some(DocumentSymbol {
                    name: name.value.clone(),
                    detail: None,
                    kind: SymbolKind::Audit,
                    span,
                    selection: name.span,
                    children: Vec::new(),
                })
            })
            .collect(),
        Syntax::Macros(macros) => macros
            .iter()
            .map(|m| {
                let params: Vec<&str> = m.params.iter().map(|p| p.name.as_str()).collect();
                DocumentSymbol {
                    name: m.name.value.clone(),
                    detail: Some(format!("({})", params.join(", "))),
                    kind: SymbolKind::Macro,
                    span: m.def_span.cover(m.name.span),
                    selection: m.name.span,
                    children: Vec::new(),
                }
            })
            .collect(),
        _ => Vec::new(),
    }
}

fn leaf(name: String, detail: Option<String>, kind: SymbolKind, span: Span) -> DocumentSymbol {
    DocumentSymbol { name, detail, kind, span, selection: span, children: Vec::new() }
}

fn sql_model_symbols(project: &Project, file: &ParsedFile, sql: &ModelFile) -> Option<DocumentSymbol> {
    let block = sql.block.as_ref()?;
    let model = file.facts.models.first();
    let mut span = block.span;
    for statement in &sql.statements {
        span = span.cover(statement.span);
    }
    let mut children = Vec::new();
    let shape = model.and_then(|m| m.query.as_deref()).filter(|s| !s.rendered);
    match (model, shape) {
        (Some(model), Some(shape)) => {
            let upstream = |n: &ModelName| project.schema(n);
            if let Some(mut resolver) = QueryResolver::for_model(model, &project.settings, &upstream) {
                for &cte in shape.scopes.iter().flat_map(|s| &s.ctes) {
                    let scope = &shape.scopes[cte as usize];
                    let Some(name) = &scope.name else { continue };
                    children.push(DocumentSymbol {
                        name: name.text.clone(),
                        detail: None,
                        kind: SymbolKind::Cte,
                        span: name.span.cover(scope.span),
                        selection: name.span,
                        children: scope_columns(&mut resolver, shape, cte),
                    });
                }
                children.extend(scope_columns(&mut resolver, shape, 0));
            }
        }
        _ => {
            if let Some(columns) = sql.property("columns") {
                for item in columns.value.items() {
                    let Some(first) = item.atoms.first() else { continue };
                    let ValueKind::Name(parts) = &first.kind else { continue };
                    let Some(part) = parts.last() else { continue };
                    let strategy = crate::project::names::normalization(model.and_then(|m| m.dialect.as_deref()));
                    let column = crate::project::names::normalize_ident(&part.text, part.quoted, strategy, false);
                    let declared = model.and_then(|m| m.columns.as_ref()?.iter().find(|c| c.name == column));
                    let detail = declared.and_then(|c| c.data_type.clone());
                    children.push(DocumentSymbol {
                        name: part.text.clone(),
                        detail,
                        kind: SymbolKind::Column,
                        span: item.span,
                        selection: part.span,
                        children: Vec::new(),
                    });
                }
            }
        }
    }
    children.sort_by_key(|c| c.span.start);
    let (name, selection, kind, detail) = match model {
        Some(model) => {
            let kind = if model.source == Source::Seed { SymbolKind::Seed } else { SymbolKind::Model };
            (model.name.to_string(), model.name_span, kind, Some(model.kind.clone()))
        }
        None => ("MODEL".to_string(), block.keyword.span, SymbolKind::Model, None),
    };
    Some(DocumentSymbol { name, detail, kind, span: span.cover(selection), selection, children })
}

/// The named output columns of a scope (a set operation's first branch), with their types.
fn scope_columns(resolver: &mut QueryResolver, shape: &QueryShape, scope: ScopeId) -> Vec<DocumentSymbol> {
    let mut id = scope;
    while let ScopeKind::SetOp(branches) = &shape.scopes[id as usize].kind {
        let Some(&first) = branches.first() else { return Vec::new() };
        id = first;
    }
    let ScopeKind::Select(select) = &shape.scopes[id as usize].kind else { return Vec::new() };
    let outputs = resolver.output(id);
    select
        .items
        .iter()
        .enumerate()
        .filter_map(|(index, item)| {
            let name = item.name.as_ref()?;
            let ty = outputs.as_ref().and_then(|o| o.iter().find(|c| c.item == Some(index))).and_then(|c| c.ty.clone());
            Some(DocumentSymbol {
                name: name.text.clone(),
                detail: ty,
                kind: SymbolKind::Column,
                span: item.span.cover(name.span),
                selection: name.span,
                children: Vec::new(),
            })
        })
        .collect()
}

/// How many models [`workspace_symbols`] returns at most.
pub const MAX_WORKSPACE_SYMBOLS: usize = 100;

/// A model found by [`workspace_symbols`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkspaceSymbol {
    pub name: ModelName,
    pub kind: SymbolKind,
    /// The model's kind (`FULL`, `SEED`, `EXTERNAL`).
    pub detail: String,
    pub path: PathBuf,
    /// The name where it is defined.
    pub span: Span,
}

/// How well a name matches a query; lower is better.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Rank {
    Exact,
    Prefix,
    Substring,
    Subsequence,
}

/// The models of `projects` matching `query`, best first, at most [`MAX_WORKSPACE_SYMBOLS`].
/// Walks the model names only; the files of the models returned are looked up afterwards.
pub fn workspace_symbols(projects: &[Arc<Project>], query: &str) -> Vec<WorkspaceSymbol> {
    let query: Vec<u8> = query.trim().bytes().map(|b| b.to_ascii_lowercase()).collect();
    let mut found: Vec<(Rank, usize, ModelName, usize)> = Vec::new();
    for (index, project) in projects.iter().enumerate() {
        let graph = project.graph();
        for name in graph.models() {
            if let Some(rank) = rank(name.as_str().as_bytes(), &query) {
                found.push((rank, name.as_str().len(), name.clone(), index));
            }
        }
    }
    let by_rank = |a: &(Rank, usize, ModelName, usize), b: &(Rank, usize, ModelName, usize)| {
        (a.0, a.1, &a.2, a.3).cmp(&(b.0, b.1, &b.2, b.3))
    };
    if found.len() > MAX_WORKSPACE_SYMBOLS {
        found.select_nth_unstable_by(MAX_WORKSPACE_SYMBOLS - 1, by_rank);
        found.truncate(MAX_WORKSPACE_SYMBOLS);
    }
    found.sort_unstable_by(by_rank);
    found
        .into_iter()
        .filter_map(|(_, _, name, index)| {
            let project = &projects[index];
            let id = *project.graph().definers(&name)?.first()?;
            let facts = project.file(id)?;
            let model = facts.models.iter().find(|m| m.name == name)?;
            let kind = match model.source {
                Source::Seed => SymbolKind::Seed,
                Source::External => SymbolKind::ExternalModel,
                Source::Sql | Source::Python => SymbolKind::Model,
            };
            Some(WorkspaceSymbol {
                kind,
                detail: model.kind.clone(),
                path: facts.path.clone(),
                span: model.name_span,
                name,
            })
        })
        .collect()
}

/// How `name` matches `query` (lowercase), ignoring ASCII case; None when it does not. The
/// name's last part counts as the name for exact and prefix matches.
fn rank(name: &[u8], query: &[u8]) -> Option<Rank> {
    let last = name.iter().rposition(|&b| b == b'.').map_or(name, |dot| &name[dot + 1..]);
    let starts = |text: &[u8]| text.len() >= query.len() && text[..query.len()].eq_ignore_ascii_case(query);
    if name.eq_ignore_ascii_case(query) || last.eq_ignore_ascii_case(query) {
        return Some(Rank::Exact);
    }
    if starts(name) || starts(last) {
        return Some(Rank::Prefix);
    }
    if name.windows(query.len().max(1)).any(|w| w.eq_ignore_ascii_case(query)) {
        return Some(Rank::Substring);
    }
    let mut rest = query.iter().peekable();
    for &b in name {
        if rest.peek().is_some_and(|&&q| q == b.to_ascii_lowercase()) {
            rest.next();
        }
    }
    rest.peek().is_none().then_some(Rank::Subsequence)
}

#[cfg(test)]
mod tests {
    use super::{Rank, rank};

    #[test]
    fn ranks() {
        assert_eq!(rank(b"sushi.orders", b"orders"), Some(Rank::Exact));
        assert_eq!(rank(b"sushi.orders", b"sushi.orders"), Some(Rank::Exact));
        assert_eq!(rank(b"sushi.orders", b"ord"), Some(Rank::Prefix));
        assert_eq!(rank(b"sushi.orders", b"sus"), Some(Rank::Prefix));
        assert_eq!(rank(b"sushi.orders", b"i.or"), Some(Rank::Substring));
        assert_eq!(rank(b"sushi.orders", b"sor"), Some(Rank::Subsequence));
        assert_eq!(rank(b"SUSHI.ORDERS", b"sor"), Some(Rank::Subsequence));
        assert_eq!(rank(b"sushi.orders", b"xyz"), None);
        assert_eq!(rank(b"sushi.orders", b""), Some(Rank::Prefix));
    }
}
