//! Inlay hints.
//!
//! // Feature: Inlay Hints
//! After each output column of a model's query that has no explicit cast, the type meshls
//! infers for it (`: BIGINT`), from the upstream models' schemas, as SQLMesh spells it in the
//! model's dialect. Columns whose type cannot be known get no hint.

use super::ParsedFile;
use super::navigation::query_of;
use crate::project::facts::Syntax;
use crate::project::lineage::QueryResolver;
use crate::project::{ModelName, Project};
use crate::syntax::sql::shape::{ScopeId, ScopeKind};
use crate::syntax::sqlmesh::canonical_type;

/// A hint shown at `offset` (just after the column).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InlayHint {
    pub offset: usize,
    /// `: BIGINT`.
    pub label: String,
}

/// The type hints of a parsed file's query, in text order.
pub fn inlay_hints(project: &Project, file: &ParsedFile) -> Vec<InlayHint> {
    let Some((model, shape)) = query_of(file) else { return Vec::new() };
    let mut id: ScopeId = 0;
    while let Some(ScopeKind::SetOp(branches)) = shape.scopes.get(id as usize).map(|s| &s.kind) {
        let Some(&first) = branches.first() else { return Vec::new() };
        id = first;
    }
    let Some(ScopeKind::Select(select)) = shape.scopes.get(id as usize).map(|s| &s.kind) else { return Vec::new() };
    let upstream = |n: &ModelName| project.schema(n);
    let Some(mut resolver) = QueryResolver::for_model(model, &project.settings, &upstream) else { return Vec::new() };
    let Some(outputs) = resolver.output(id) else { return Vec::new() };
    // The parsed select list says which items are explicit casts; it lists the same items.
    let projections = match &file.syntax {
        Syntax::Sql(sql) => sql.query.as_ref().map(|q| q.projections.as_slice()).unwrap_or_default(),
        _ => &[],
    };
    let casts = |index: usize| -> bool {
        match projections.get(index).filter(|_| projections.len() == select.items.len()) {
            Some(projection) => projection.cast.is_some(),
            None => false,
        }
    };
    let mut out = Vec::new();
    for (index, item) in select.items.iter().enumerate() {
        if item.star.is_some() || casts(index) {
            continue;
        }
        let Some(ty) = outputs.iter().find(|c| c.item == Some(index)).and_then(|c| c.ty.as_deref()) else { continue };
        let end = item.name.as_ref().map_or(item.span.end, |n| n.span.end.max(item.span.end));
        out.push(InlayHint {
            offset: end as usize,
            label: format!(": {}", canonical_type(ty, model.dialect.as_deref())),
        });
    }
    out
}
