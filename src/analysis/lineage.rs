//! Column lineage for the editor and the CLI: which column is under the cursor, where a
//! column comes from and what it feeds, as a tree for hover and as a graph for
//! `meshls/columnLineage` and `meshls lineage`.
//!
//! // Feature: Column lineage
//! Hover on a column anywhere in a query (select list, WHERE, GROUP BY, JOIN ON; qualified,
//! unqualified, aliased, quoted) shows its type and description, the expression that
//! computes it, the upstream columns it is built from up to the sources, and the downstream
//! columns that consume it. A CTE's column shows the same within its file.

use crate::project::lineage::{QueryResolver, RefTarget};
use crate::project::names::{normalization, normalize_ident, split_dotted};
use crate::project::{ColumnKey, Model, ModelName, Project};
use crate::syntax::Span;
use crate::syntax::block::NamePart;
use crate::syntax::sql::shape::{ColumnRef, QueryShape, ScopeId, ScopeKind, Target};
use serde::Serialize;
use std::collections::{BTreeSet, HashSet, VecDeque};
use std::fmt::Write as _;
use std::sync::Arc;

/// A model's column.
pub type ColumnNode = ColumnKey;

/// Which way to walk.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    Upstream,
    Downstream,
    Both,
}

impl Direction {
    pub fn parse(text: &str) -> Option<Direction> {
        match text {
            "upstream" | "up" => Some(Direction::Upstream),
            "downstream" | "down" => Some(Direction::Downstream),
            "both" => Some(Direction::Both),
            _ => None,
        }
    }
}

/// The columns a model column is computed from (its direct upstream).
pub fn upstream_of(project: &Project, node: &ColumnNode) -> Vec<ColumnNode> {
    project.schema(&node.0).map(|s| s.lineage_of(&node.1).to_vec()).unwrap_or_default()
}

/// The columns of direct child models computed from a model column.
pub fn downstream_of(project: &Project, node: &ColumnNode) -> Vec<ColumnNode> {
    let children = project.graph().children(&node.0);
    let mut out = Vec::new();
    for child in children {
        let Some(schema) = project.schema(&child) else { continue };
        for (column, deps) in schema.columns.iter().flatten().zip(&schema.lineage) {
            if deps.binary_search(node).is_ok() {
                out.push((child.clone(), column.name.clone()));
            }
        }
    }
    out.sort();
    out
}

/// A lineage graph for editor views and the CLI.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct LineageGraph {
    pub nodes: Vec<GraphNode>,
    /// From an upstream column to the column computed from it (indexes into `nodes`).
    pub edges: Vec<GraphEdge>,
    /// Whether the depth limit cut the walk short.
    pub truncated: bool,
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct GraphNode {
    /// `model.column`.
    pub id: String,
    pub model: String,
    pub column: String,
    #[serde(rename = "type")]
    pub data_type: Option<String>,
    /// Steps from the start: negative upstream, positive downstream, 0 for a start column.
    pub depth: i32,
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct GraphEdge {
    pub from: usize,
    pub to: usize,
}

/// The lineage graph around `starts`, `depth` steps each way at most (None: no limit).
pub fn column_graph(
    project: &Project,
    starts: &[ColumnNode],
    direction: Direction,
    depth: Option<usize>,
) -> LineageGraph {
    let mut graph = LineageGraph { nodes: Vec::new(), edges: Vec::new(), truncated: false };
    let mut index: std::collections::HashMap<ColumnNode, usize> = Default::default();
    let mut add = |graph: &mut LineageGraph, node: &ColumnNode, d: i32| -> (usize, bool) {
        if let Some(&i) = index.get(node) {
            return (i, false);
        }
        let data_type = project.schema(&node.0).and_then(|s| s.column(&node.1).and_then(|(_, c)| c.data_type.clone()));
        graph.nodes.push(GraphNode {
            id: format!("{}.{}", node.0, node.1),
            model: node.0.as_str().to_string(),
            column: node.1.clone(),
            data_type,
            depth: d,
        });
        index.insert(node.clone(), graph.nodes.len() - 1);
        (graph.nodes.len() - 1, true)
    };
    let mut edges = BTreeSet::new();
    for start in starts {
        add(&mut graph, start, 0);
    }
    for (up, sign) in [(true, -1), (false, 1)] {
        if (up && direction == Direction::Downstream) || (!up && direction == Direction::Upstream) {
            continue;
        }
        let mut queue: VecDeque<(ColumnNode, usize)> = starts.iter().map(|s| (s.clone(), 0)).collect();
        let mut seen: HashSet<ColumnNode> = starts.iter().cloned().collect();
        while let Some((node, d)) = queue.pop_front() {
            let next = if up { upstream_of(project, &node) } else { downstream_of(project, &node) };
            if depth.is_some_and(|limit| d >= limit) {
                graph.truncated |= !next.is_empty();
                continue;
            }
            let (from, _) = add(&mut graph, &node, sign * d as i32);
            for other in next {
                let (to, _) = add(&mut graph, &other, sign * (d as i32 + 1));
                edges.insert(if up { (to, from) } else { (from, to) });
                if seen.insert(other.clone()) {
                    queue.push_back((other, d + 1));
                }
            }
        }
    }
    graph.edges = edges.into_iter().map(|(from, to)| GraphEdge { from, to }).collect();
    graph
}

/// A column under the cursor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ColumnTarget {
    /// A model's output column (an upstream model's, or this model's own).
    Model(ColumnNode),
    /// A column of a CTE or subquery of this file.
    Local { scope: ScopeId, column: String },
}

/// The column at `offset` of a model's query, and the span of the name there.
pub fn column_at(project: &Project, model: &Model, offset: usize) -> Option<(ColumnTarget, Span)> {
    // A rendered (Jinja) query's spans are not the file's.
    let shape = model.query.as_ref().filter(|s| !s.rendered)?;
    let upstream = |n: &ModelName| project.schema(n);
    let mut resolver = QueryResolver::for_model(model, &project.settings, &upstream)?;
    let covers = |span: Span| (span.start as usize) <= offset && offset <= span.end as usize;
    for (id, scope) in shape.scopes.iter().enumerate() {
        let id = id as ScopeId;
        let ScopeKind::Select(select) = &scope.kind else { continue };
        for (index, item) in select.all_items().enumerate() {
            if let Some(name) = item.name.as_ref().filter(|n| covers(n.span) && !n.span.is_empty()) {
                let column = resolver.normalize(name);
                return Some((own_column(&mut resolver, shape, model, id, index, column), name.span));
            }
        }
        for reference in select.all_refs() {
            let name = reference.parts.last()?;
            if !reference.parts.iter().any(|p| covers(p.span)) {
                continue;
            }
            let target = reference_target(&mut resolver, shape, model, id, reference)?;
            return Some((target, reference.span().cover(name.span)));
        }
    }
    None
}

/// The column item `index` of a scope's select list names: the model's column at the root
/// (in a later branch of a set operation, the one at the same position), else the scope's.
fn own_column(
    resolver: &mut QueryResolver,
    shape: &QueryShape,
    model: &Model,
    scope: ScopeId,
    index: usize,
    column: String,
) -> ColumnTarget {
    if scope == 0 {
        return ColumnTarget::Model((model.name.clone(), column));
    }
    if let ScopeKind::SetOp(branches) = &shape.scopes[0].kind
        && let Some(branch) = branches.iter().position(|b| *b == scope)
    {
        if branch == 0 {
            return ColumnTarget::Model((model.name.clone(), column));
        }
        if let Some(outputs) = resolver.output(0)
            && let Some(output) = outputs.get(index)
        {
            return ColumnTarget::Model((model.name.clone(), output.name.clone()));
        }
    }
    ColumnTarget::Local { scope, column }
}

fn reference_target(
    resolver: &mut QueryResolver,
    shape: &QueryShape,
    model: &Model,
    scope: ScopeId,
    reference: &ColumnRef,
) -> Option<ColumnTarget> {
    let ScopeKind::Select(select) = &shape.scopes[scope as usize].kind else { return None };
    let target = resolver.resolve(scope, select, reference);
    let (scope, select, target) = match target {
        RefTarget::Outer { scope, target } => match &shape.scopes[scope as usize].kind {
            ScopeKind::Select(select) => (scope, select.as_ref(), *target),
            _ => return None,
        },
        target => (scope, select.as_ref(), target),
    };
    let (relation, name) = match target {
        RefTarget::Column { relation, name } => (relation, name),
        RefTarget::Using { relations, name } => (relations[0], name),
        RefTarget::Alias(item) => {
            let column = resolver.normalize(select.items[item].name.as_ref()?);
            return Some(own_column(resolver, shape, model, scope, item, column));
        }
        _ => return None,
    };
    match &select.sources.get(relation)?.target {
        Target::Table(parts) => Some(ColumnTarget::Model((resolver.table(parts)?, name))),
        Target::Scope(inner) => Some(ColumnTarget::Local { scope: *inner, column: name }),
        _ => None,
    }
}

/// How many levels of the upstream and downstream trees a hover shows, unless the editor's
/// `meshls.hover.lineageDepth` says otherwise.
pub const HOVER_DEPTH: usize = 3;
/// How many children of one node a hover lists.
const HOVER_WIDTH: usize = 8;

/// The hover card of the column at `offset` of a model's query, its lineage trees `depth`
/// levels deep (at least one).
pub fn column_hover(project: &Project, model: &Model, offset: usize, depth: usize) -> Option<(String, Span)> {
    let (target, span) = column_at(project, model, offset)?;
    let markdown = match target {
        ColumnTarget::Model(node) => model_column_card(project, &node, depth),
        ColumnTarget::Local { scope, column } => local_column_card(project, model, scope, &column, depth)?,
    };
    Some((markdown, span))
}

/// The card of a model's column: type, description, expression, upstream and downstream
/// (`depth` levels of each).
pub fn model_column_card(project: &Project, node: &ColumnNode, depth: usize) -> String {
    let schema = project.schema(&node.0);
    let column = schema.as_ref().and_then(|s| s.column(&node.1).map(|(_, c)| c.clone()));
    let mut out = format!("### `{}`.`{}`", node.0, node.1);
    if let Some(ty) = column.as_ref().and_then(|c| c.data_type.as_deref()) {
        let _ = write!(out, " · `{ty}`");
    }
    out.push_str("\n\n");
    if let Some(description) = column.as_ref().and_then(|c| c.description.as_deref()) {
        let _ = write!(out, "{description}\n\n");
    }
    let model = project.model(&node.0);
    let expression = column.as_ref().and_then(|c| c.item).and_then(|item| {
        let shape = model.as_ref()?.query.clone()?;
        match &shape.scopes.first()?.kind {
            ScopeKind::Select(select) => select.items.get(item).map(|i| i.sql.to_string()),
            _ => None,
        }
    });
    match (&column, &model) {
        (None, Some(_)) if schema.as_ref().is_some_and(|s| s.columns.is_none()) => {
            out.push_str("The columns of this model cannot be known statically.\n\n")
        }
        (None, Some(_)) => out.push_str("**Not a column of this model.**\n\n"),
        (None, None) => out.push_str("Not a model of this project: its columns are unknown.\n\n"),
        _ => {}
    }
    push_expression(&mut out, expression.as_deref(), model.as_ref().and_then(|m| m.dialect.as_deref()));
    push_tree(&mut out, project, "Upstream", upstream_of(project, node), true, depth);
    push_tree(&mut out, project, "Downstream", downstream_of(project, node), false, depth);
    out
}

/// The card of a CTE's or subquery's column, within its file.
fn local_column_card(project: &Project, model: &Model, scope: ScopeId, column: &str, depth: usize) -> Option<String> {
    let shape: &Arc<QueryShape> = model.query.as_ref()?;
    let upstream = |n: &ModelName| project.schema(n);
    let mut resolver = QueryResolver::for_model(model, &project.settings, &upstream)?;
    let outputs = resolver.output(scope);
    let output = outputs.as_ref().and_then(|o| o.iter().find(|c| c.name == column));
    let owner = shape.scopes[scope as usize].name.as_ref().map_or("subquery", |n| n.text.as_str());
    let mut out = format!("### `{owner}`.`{column}`");
    if let Some(ty) = output.and_then(|o| o.ty.as_deref()) {
        let _ = write!(out, " · `{ty}`");
    }
    out.push_str("\n\nA column of this query's ");
    out.push_str(if shape.scopes[scope as usize].name.is_some() { "CTE." } else { "subquery." });
    out.push_str("\n\n");
    let expression = output.and_then(|o| o.item).and_then(|item| match &shape.scopes[scope as usize].kind {
        ScopeKind::Select(select) => select.items.get(item).map(|i| i.sql.to_string()),
        _ => None,
    });
    push_expression(&mut out, expression.as_deref(), model.dialect.as_deref());
    let deps = output.map(|o| o.deps.clone()).unwrap_or_default();
    push_tree(&mut out, project, "Upstream", deps, true, depth);
    Some(out)
}

fn push_expression(out: &mut String, expression: Option<&str>, _dialect: Option<&str>) {
    if let Some(sql) = expression {
        let _ = write!(out, "```sql\n{sql}\n```\n\n");
    }
}

/// A section listing `first` and, below each, its own upstream (or downstream), up to
/// `depth` levels, with a count of what is not shown.
fn push_tree(out: &mut String, project: &Project, title: &str, first: Vec<ColumnNode>, up: bool, depth: usize) {
    if first.is_empty() {
        let _ = write!(out, "**{title}:** none\n\n");
        return;
    }
    // The whole closure, for the count.
    let mut all: HashSet<ColumnNode> = HashSet::new();
    let mut queue: VecDeque<ColumnNode> = first.iter().cloned().collect();
    while let Some(node) = queue.pop_front() {
        if all.insert(node.clone()) {
            let next = if up { upstream_of(project, &node) } else { downstream_of(project, &node) };
            queue.extend(next.into_iter().filter(|n| !all.contains(n)));
        }
    }
    let _ = writeln!(out, "**{title}** ({} column{})\n", all.len(), if all.len() == 1 { "" } else { "s" });
    let mut shown: HashSet<ColumnNode> = HashSet::new();
    let mut lines = String::new();
    tree_level(&mut lines, project, &first, (0, depth), up, &mut shown);
    out.push_str(&lines);
    let hidden = all.len().saturating_sub(shown.len());
    if hidden > 0 {
        let _ = writeln!(out, "- … {hidden} more");
    }
    out.push('\n');
}

fn tree_level(
    out: &mut String,
    project: &Project,
    nodes: &[ColumnNode],
    (level, depth): (usize, usize),
    up: bool,
    shown: &mut HashSet<ColumnNode>,
) {
    for node in nodes.iter().take(HOVER_WIDTH) {
        let fresh = shown.insert(node.clone());
        let _ = writeln!(out, "{}- `{}.{}`", "  ".repeat(level), node.0, node.1);
        if fresh && level + 1 < depth {
            let next = if up { upstream_of(project, node) } else { downstream_of(project, node) };
            tree_level(out, project, &next, (level + 1, depth), up, shown);
        }
    }
}

/// The model a name written by a user (`MART.Top_Tracks`, `"Db"."Tbl"`) names: each model's
/// name read with its own dialect's rules (the project's default dialect is tried first).
pub fn find_model(project: &Project, parts: &[NamePart]) -> Option<Model> {
    let default = project.settings.config.model_defaults.dialect.as_ref().map(|d| d.value.as_str());
    let named = |m: &Model| project.settings.names.normalize(parts, m.dialect.as_deref()).as_ref() == Some(&m.name);
    if let Some(model) = project.settings.names.normalize(parts, default).and_then(|name| project.model(&name))
        && named(&model)
    {
        return Some(model);
    }
    project.models().into_iter().find(named)
}

/// A column name written by a user, read with the model's dialect's rules.
pub fn model_column(model: &Model, part: &NamePart) -> String {
    normalize_ident(&part.text, part.quoted, normalization(model.dialect.as_deref()), false)
}

/// The start columns for a model name and an optional column as a user writes them: that
/// column, or every column of the model; None when either is unknown.
pub fn named_columns(project: &Project, model: &str, column: Option<&str>) -> Option<Vec<ColumnNode>> {
    let model = find_model(project, &split_dotted(model))?;
    let schema = project.schema(&model.name)?;
    let columns = schema.columns.as_ref()?;
    match column {
        Some(column) => {
            let column = model_column(&model, split_dotted(column).first()?);
            columns.iter().any(|c| c.name == column).then(|| vec![(model.name.clone(), column)])
        }
        None => Some(columns.iter().map(|c| (model.name.clone(), c.name.clone())).collect()),
    }
}

/// The starting columns for the column at `offset` of a model's query: the model column, or
/// for a CTE's column the upstream columns it is computed from.
pub fn columns_at(project: &Project, model: &Model, offset: usize) -> Option<Vec<ColumnNode>> {
    match column_at(project, model, offset)?.0 {
        ColumnTarget::Model(node) => Some(vec![node]),
        ColumnTarget::Local { scope, column } => {
            let upstream = |n: &ModelName| project.schema(n);
            let mut resolver = QueryResolver::for_model(model, &project.settings, &upstream)?;
            let outputs = resolver.output(scope)?;
            Some(outputs.iter().find(|c| c.name == column)?.deps.clone())
        }
    }
}
