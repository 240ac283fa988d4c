//! A model that depends on itself through other models: `a` reads `b`, which reads `a`.
//!
//! **Why:** SQLMesh builds a DAG of the models and refuses a cycle in it, so the project
//! fails to load. Only the query (and `depends_on`) count as dependencies; tables read in pre-
//! and post-statements do not, and a model may read itself (`@this_model`, an incremental
//! model reading its own table).
//!
//! **Example:** `shop.orders` selects from `shop.customers`, whose query selects from
//! `shop.orders`.
//!
//! **Fix:** remove one of the references, for example by reading the source table both models
//! are built from.

use super::{Context, Rule};
use crate::analysis::references::references;
use crate::project::facts::Syntax;
use crate::project::{ModelGraph, ModelName, Project};
use crate::syntax::{Diagnostic, Related, Severity, Span};
use std::collections::{HashMap, VecDeque};

pub const RULE: Rule = Rule {
    code: "dependency-cycle",
    summary: "a model that depends on itself through other models",
    default: Some(Severity::Error),
    sqlmesh: None,
    check,
};

fn check(cx: &Context, out: &mut Vec<Diagnostic>) {
    let Some(model) = cx.model() else { return };
    let (path, locations) = {
        let graph = cx.project.graph();
        let Some(cycle) = graph.cycle_of(&model.name) else { return };
        let Some(path) = shortest_cycle(&graph, &model.name, &cycle) else { return };
        let locations: Vec<Option<(std::path::PathBuf, Span)>> =
            path[1..path.len() - 1].iter().map(|name| definition(cx.project, &graph, name)).collect();
        (path, locations)
    };
    let next = &path[1];
    let span = reference_to(cx, next).unwrap_or(model.name_span);
    let chain: Vec<String> = path.iter().map(ModelName::to_string).collect();
    let message = format!("dependency cycle: {} (each model reads the next)", chain.join(" → "));
    let mut diagnostic = Diagnostic::error(RULE.code, span, message);
    for (i, location) in locations.into_iter().enumerate() {
        let Some((file, name_span)) = location else { continue };
        let (member, reads) = (&path[i + 1], &path[i + 2]);
        diagnostic.related.push(Related {
            path: file,
            span: name_span,
            message: format!("`{member}` reads `{reads}`"),
        });
    }
    out.push(diagnostic);
}

/// The shortest cycle through `start` within its strongly connected component:
/// `[start, a, b, start]` where each model reads the next.
fn shortest_cycle(graph: &ModelGraph, start: &ModelName, members: &[ModelName]) -> Option<Vec<ModelName>> {
    let mut came_from: HashMap<ModelName, ModelName> = HashMap::new();
    let mut queue = VecDeque::from([start.clone()]);
    while let Some(current) = queue.pop_front() {
        for parent in graph.parents(&current) {
            if &parent == start {
                let mut path = vec![start.clone()];
                let mut at = current.clone();
                let mut back = vec![];
                while &at != start {
                    back.push(at.clone());
                    at = came_from.get(&at)?.clone();
                }
                path.extend(back.into_iter().rev());
                path.push(start.clone());
                return Some(path);
            }
            if members.contains(&parent) && !came_from.contains_key(&parent) {
                came_from.insert(parent.clone(), current.clone());
                queue.push_back(parent);
            }
        }
    }
    None
}

/// Where a model's name is written in the first file defining it.
fn definition(project: &Project, graph: &ModelGraph, name: &ModelName) -> Option<(std::path::PathBuf, Span)> {
    let id = *graph.definers(name)?.first()?;
    let facts = project.file(id)?;
    let model = facts.models.iter().find(|m| &m.name == name)?;
    Some((facts.path.clone(), model.name_span))
}

/// This file's reference to `name` in its query or `depends_on` (pre- and post-statements
/// are not dependencies).
fn reference_to(cx: &Context, name: &ModelName) -> Option<Span> {
    let statements: Vec<Span> = match &cx.file.syntax {
        Syntax::Sql(file) => file.statement_tables.iter().map(|t| t.span).collect(),
        _ => Vec::new(),
    };
    references(cx.project, cx.file)
        .into_iter()
        .find(|r| !r.definition && &r.name == name && !statements.contains(&r.span))
        .map(|r| r.span)
}
