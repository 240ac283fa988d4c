//! `meshls lineage MODEL[.COLUMN] [PATH] [--upstream|--downstream] [--depth N]
//! [--format human|json|dot|mermaid]`: the column lineage graph that hover and
//! `meshls/columnLineage` use, printed as a tree, JSON, Graphviz or Mermaid.
//!
//! `MODEL` alone starts from every column of the model. An unknown model or column is an
//! error on stderr, with a suggestion when one name is close, and exit code 2.

use crate::analysis::diagnostics::did_you_mean::closest;
use crate::analysis::lineage::{ColumnNode, Direction, LineageGraph, column_graph, find_model, model_column};
use crate::project::names::split_dotted;
use crate::project::{Model, ModelName, Project, Source, Workspace};
use std::collections::{BTreeMap, HashSet};
use std::fmt::Write as _;
use std::path::Path;
use std::process::ExitCode;
use std::sync::Arc;

/// How `lineage` prints.
#[derive(Clone, Copy, clap::ValueEnum)]
pub enum LineageFormat {
    /// An indented tree up (`←`) and down (`→`) from each start column.
    Human,
    /// The graph: `{"nodes", "edges", "truncated"}`.
    Json,
    /// A Graphviz digraph, one cluster per model.
    Dot,
    /// A Mermaid flowchart, one subgraph per model.
    Mermaid,
}

pub fn run(target: &str, path: &Path, direction: Direction, depth: Option<usize>, format: LineageFormat) -> ExitCode {
    let path = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    let workspace = Workspace::load(std::slice::from_ref(&path));
    for d in &workspace.diagnostics {
        eprintln!("meshls: {}: {}", d.path.display(), d.diagnostic.message);
    }
    if workspace.projects.is_empty() {
        return ExitCode::from(2);
    }
    let (project, starts) = match resolve(&workspace.projects, target) {
        Ok(found) => found,
        Err(message) => {
            eprintln!("meshls: {message}");
            return ExitCode::from(2);
        }
    };
    let graph = column_graph(&project, &starts, direction, depth);
    let gaps = gaps(&project, &graph, direction);
    let text = match format {
        LineageFormat::Human => {
            let mut text = human(&graph, depth);
            if !gaps.is_empty() {
                text.push_str("\nincomplete: lineage stops at models meshls could not read\n");
                for gap in &gaps {
                    let _ = writeln!(text, "  {}: {}", gap.model, gap.reason);
                }
            }
            text
        }
        LineageFormat::Json => {
            #[derive(serde::Serialize)]
            struct Out<'a> {
                #[serde(flatten)]
                graph: &'a LineageGraph,
                /// The models where the lineage may stop short, and why.
                incomplete: &'a [Gap],
            }
            match serde_json::to_string_pretty(&Out { graph: &graph, incomplete: &gaps }) {
                Ok(json) => json + "\n",
                Err(error) => {
                    eprintln!("meshls: cannot print the lineage: {error}");
                    return ExitCode::FAILURE;
                }
            }
        }
        LineageFormat::Dot | LineageFormat::Mermaid => {
            // The drawing goes to a renderer; the note to the reader.
            for gap in &gaps {
                eprintln!("meshls: incomplete lineage: {}: {}", gap.model, gap.reason);
            }
            if matches!(format, LineageFormat::Dot) { dot(&graph, depth) } else { mermaid(&graph, depth) }
        }
    };
    super::print_text(&text, "lineage")
}

/// A model next to the graph whose columns meshls could not trace, so that the graph may
/// lack columns it computes or that compute it.
#[derive(serde::Serialize, PartialEq, Eq, PartialOrd, Ord)]
struct Gap {
    model: String,
    reason: &'static str,
}

/// The models of the graph, and their direct upstream (downstream) models when the walk goes
/// up (down), whose lineage meshls could not read.
fn gaps(project: &Project, graph: &LineageGraph, direction: Direction) -> Vec<Gap> {
    let up = !matches!(direction, Direction::Downstream);
    let down = !matches!(direction, Direction::Upstream);
    let mut names: Vec<ModelName> = graph.nodes.iter().map(|n| ModelName::from_canonical(&n.model)).collect();
    names.sort();
    names.dedup();
    // The models whose columns end the walk: a node with nothing further up (down).
    let frontier = |upward: bool| -> Vec<ModelName> {
        let mut ends: Vec<ModelName> = graph
            .nodes
            .iter()
            .enumerate()
            .filter(|(i, n)| {
                let beyond = graph.edges.iter().any(|e| if upward { e.to == *i } else { e.from == *i });
                let side = if upward { n.depth <= 0 } else { n.depth >= 0 };
                side && !beyond
            })
            .map(|(_, n)| ModelName::from_canonical(&n.model))
            .collect();
        ends.sort();
        ends.dedup();
        ends
    };
    let models = project.models();
    let mut around: Vec<ModelName> = names.clone();
    if up && !graph.truncated {
        let ends = frontier(true);
        for model in models.iter().filter(|m| ends.contains(&m.name)) {
            around.extend(model.depends_on.iter().cloned());
        }
    }
    if down && !graph.truncated {
        let ends = frontier(false);
        around.extend(models.iter().filter(|m| m.depends_on.iter().any(|d| ends.contains(d))).map(|m| m.name.clone()));
    }
    around.sort();
    around.dedup();
    let mut gaps = Vec::new();
    for name in around {
        let reason = match models.iter().find(|m| m.name == name) {
            None => "not a model of the project: its columns are unknown",
            Some(model) if model.source == Source::Sql && model.query.is_none() => {
                "its query was not parsed (a syntax error, or SQL only rendering makes)"
            }
            Some(model) => match project.schema(&model.name) {
                Some(schema) if schema.columns.is_some() => continue,
                _ => {
                    "its columns are not known statically (a macro meshls does not expand, or `*` over unknown columns)"
                }
            },
        };
        gaps.push(Gap { model: name.as_str().to_string(), reason });
    }
    gaps
}

/// The project and start columns `target` names: the whole text as a model first, else the
/// last dotted part as a column of the model the rest names. The first project (by root)
/// that has the model wins.
fn resolve(projects: &[Arc<Project>], target: &str) -> Result<(Arc<Project>, Vec<ColumnNode>), String> {
    let parts = split_dotted(target);
    for project in projects {
        if let Some(model) = find_model(project, &parts) {
            let columns = known_columns(project, &model)?;
            let starts = columns.into_iter().map(|c| (model.name.clone(), c)).collect();
            return Ok((Arc::clone(project), starts));
        }
    }
    let split = parts.split_last().filter(|(_, prefix)| !prefix.is_empty());
    if let Some((column, prefix)) = split {
        for project in projects {
            let Some(model) = find_model(project, prefix) else { continue };
            let columns = known_columns(project, &model)?;
            let name = model_column(&model, column);
            if columns.contains(&name) {
                return Ok((Arc::clone(project), vec![(model.name.clone(), name)]));
            }
            let hint = closest(&name, columns.iter().map(String::as_str))
                .map(|c| format!("; did you mean `{}.{c}`?", model.name))
                .unwrap_or_default();
            return Err(format!("model `{}` has no column `{name}`{hint}", model.name));
        }
    }
    let mut names: Vec<String> =
        projects.iter().flat_map(|p| p.graph().models().map(|n| n.as_str().to_string()).collect::<Vec<_>>()).collect();
    names.sort();
    names.dedup();
    let candidates = || names.iter().map(String::as_str);
    // A typo in the model of `model.column` first: the whole text is then close to no name.
    if let Some((column, _)) = split {
        let prefix = target[..column.span.start as usize].trim_end().trim_end_matches('.');
        if let Some(suggestion) = closest(prefix, candidates()) {
            return Err(format!("no model `{prefix}`; did you mean `{suggestion}.{}`?", column.text));
        }
    }
    if let Some(suggestion) = closest(target, candidates()) {
        return Err(format!("no model `{target}`; did you mean `{suggestion}`?"));
    }
    Err(format!("no model `{target}` (`meshls index` lists the models)"))
}

fn known_columns(project: &Project, model: &Model) -> Result<Vec<String>, String> {
    let schema = project.schema(&model.name).unwrap_or_default();
    match &schema.columns {
        Some(columns) if !columns.is_empty() => Ok(columns.iter().map(|c| c.name.clone()).collect()),
        _ => Err(format!("the columns of model `{}` cannot be known statically", model.name)),
    }
}

/// Each node's neighbours one way (upstream when `up`), sorted by id.
fn adjacency(graph: &LineageGraph, up: bool) -> Vec<Vec<usize>> {
    let mut out = vec![Vec::new(); graph.nodes.len()];
    for edge in &graph.edges {
        let (at, other) = if up { (edge.to, edge.from) } else { (edge.from, edge.to) };
        out[at].push(other);
    }
    for next in &mut out {
        next.sort_by(|&a, &b| graph.nodes[a].id.cmp(&graph.nodes[b].id));
        next.dedup();
    }
    out
}

/// The start columns (depth 0), in the order they were given.
fn starts(graph: &LineageGraph) -> impl Iterator<Item = usize> + '_ {
    graph.nodes.iter().enumerate().filter(|(_, n)| n.depth == 0).map(|(i, _)| i)
}

/// Each start column, then its upstream tree (`←`) and its downstream tree (`→`). A column
/// whose tree was already printed under the same start is marked `(*)` and not repeated.
fn human(graph: &LineageGraph, depth: Option<usize>) -> String {
    let up = adjacency(graph, true);
    let down = adjacency(graph, false);
    let mut out = String::new();
    for (i, start) in starts(graph).enumerate() {
        if i > 0 {
            out.push('\n');
        }
        let _ = writeln!(out, "{}", graph.nodes[start].id);
        for (adjacent, arrow) in [(&up, '←'), (&down, '→')] {
            let mut expanded = HashSet::from([start]);
            tree(&mut out, graph, adjacent, start, 1, arrow, &mut expanded);
        }
    }
    if graph.truncated {
        let _ = writeln!(out, "\n(cut at --depth {}; more columns lie beyond)", depth.unwrap_or_default());
    }
    out
}

fn tree(
    out: &mut String,
    graph: &LineageGraph,
    adjacent: &[Vec<usize>],
    node: usize,
    level: usize,
    arrow: char,
    expanded: &mut HashSet<usize>,
) {
    for &next in &adjacent[node] {
        let fresh = expanded.insert(next);
        let repeat = if !fresh && !adjacent[next].is_empty() { " (*)" } else { "" };
        let _ = writeln!(out, "{}{arrow} {}{repeat}", "  ".repeat(level), graph.nodes[next].id);
        if fresh {
            tree(out, graph, adjacent, next, level + 1, arrow, expanded);
        }
    }
}

/// Node indexes grouped by model, models and columns sorted by name.
fn by_model(graph: &LineageGraph) -> BTreeMap<&str, Vec<usize>> {
    let mut models: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for (i, node) in graph.nodes.iter().enumerate() {
        models.entry(node.model.as_str()).or_default().push(i);
    }
    for nodes in models.values_mut() {
        nodes.sort_by(|&a, &b| graph.nodes[a].column.cmp(&graph.nodes[b].column));
    }
    models
}

/// Edges as (from, to) node indexes, sorted by the nodes' ids.
fn sorted_edges(graph: &LineageGraph) -> Vec<(usize, usize)> {
    let mut edges: Vec<(usize, usize)> = graph.edges.iter().map(|e| (e.from, e.to)).collect();
    edges.sort_by(|a, b| {
        let id = |i: usize| graph.nodes[i].id.as_str();
        (id(a.0), id(a.1)).cmp(&(id(b.0), id(b.1)))
    });
    edges
}

/// A DOT double-quoted string.
fn dot_quote(text: &str) -> String {
    let mut out = String::from("\"");
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A Graphviz digraph: left to right, a cluster per model, the start columns filled, edges
/// from each upstream column to the column computed from it.
fn dot(graph: &LineageGraph, depth: Option<usize>) -> String {
    let mut out = String::from("digraph lineage {\n  rankdir=LR;\n  node [shape=box, style=rounded];\n");
    if graph.truncated {
        let _ = writeln!(out, "  // cut at --depth {}", depth.unwrap_or_default());
    }
    for (i, (model, nodes)) in by_model(graph).into_iter().enumerate() {
        let _ = writeln!(out, "  subgraph cluster_{i} {{\n    label={};", dot_quote(model));
        for n in nodes {
            let node = &graph.nodes[n];
            let style = if node.depth == 0 { ", style=\"rounded,filled\", fillcolor=\"#ffe08a\"" } else { "" };
            let _ = writeln!(out, "    {} [label={}{style}];", dot_quote(&node.id), dot_quote(&node.column));
        }
        out.push_str("  }\n");
    }
    for (from, to) in sorted_edges(graph) {
        let _ = writeln!(out, "  {} -> {};", dot_quote(&graph.nodes[from].id), dot_quote(&graph.nodes[to].id));
    }
    out.push_str("}\n");
    out
}

/// A Mermaid label: quoted, with the characters Mermaid reads as markup written as entities.
fn mermaid_label(text: &str) -> String {
    let mut out = String::from("\"");
    for c in text.chars() {
        match c {
            '"' => out.push_str("#quot;"),
            '#' => out.push_str("#35;"),
            '<' => out.push_str("#lt;"),
            '>' => out.push_str("#gt;"),
            '&' => out.push_str("#amp;"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A Mermaid flowchart: a subgraph per model, nodes `n0`, `n1`... (names may hold any
/// character, so they are labels, not ids), the start columns in the `start` class.
fn mermaid(graph: &LineageGraph, depth: Option<usize>) -> String {
    let mut out = String::from("flowchart LR\n");
    if graph.truncated {
        let _ = writeln!(out, "  %% cut at --depth {}", depth.unwrap_or_default());
    }
    let mut ids = vec![0; graph.nodes.len()];
    let mut next = 0;
    for (i, (model, nodes)) in by_model(graph).into_iter().enumerate() {
        let _ = writeln!(out, "  subgraph m{i} [{}]", mermaid_label(model));
        for n in nodes {
            ids[n] = next;
            let _ = writeln!(out, "    n{next}[{}]", mermaid_label(&graph.nodes[n].column));
            next += 1;
        }
        out.push_str("  end\n");
    }
    for (from, to) in sorted_edges(graph) {
        let _ = writeln!(out, "  n{} --> n{}", ids[from], ids[to]);
    }
    let mut start_ids: Vec<usize> = starts(graph).map(|n| ids[n]).collect();
    start_ids.sort();
    if !start_ids.is_empty() {
        out.push_str("  classDef start fill:#ffe08a,stroke:#b8860b\n");
        let list: Vec<String> = start_ids.iter().map(|i| format!("n{i}")).collect();
        let _ = writeln!(out, "  class {} start", list.join(","));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::lineage::{GraphEdge, GraphNode};

    fn node(model: &str, column: &str, depth: i32) -> GraphNode {
        GraphNode {
            id: format!("{model}.{column}"),
            model: model.to_string(),
            column: column.to_string(),
            data_type: None,
            depth,
        }
    }

    /// A diamond (`s.a` reaches `m.x` two ways) with names that need quoting.
    fn diamond() -> LineageGraph {
        let nodes = vec![node("m", "x", 0), node("s", "b", -1), node("s", "c \"q\" <#&>", -1), node("r", "a\\z", -2)];
        let edges = [(1, 0), (2, 0), (3, 1), (3, 2)].map(|(from, to)| GraphEdge { from, to }).to_vec();
        LineageGraph { nodes, edges, truncated: false }
    }

    #[test]
    fn a_column_reached_twice_is_expanded_once() {
        let graph = diamond();
        assert_eq!(human(&graph, None), "m.x\n  ← s.b\n    ← r.a\\z\n  ← s.c \"q\" <#&>\n    ← r.a\\z\n");
        let mut graph = graph;
        graph.nodes.push(node("q", "root", -3));
        graph.edges.push(GraphEdge { from: 4, to: 3 });
        assert_eq!(
            human(&graph, None),
            "m.x\n  ← s.b\n    ← r.a\\z\n      ← q.root\n  ← s.c \"q\" <#&>\n    ← r.a\\z (*)\n"
        );
    }

    #[test]
    fn names_are_quoted() {
        let graph = diamond();
        let dot = dot(&graph, None);
        assert!(dot.contains(r#""s.c \"q\" <#&>" [label="c \"q\" <#&>"];"#), "{dot}");
        assert!(dot.contains(r#""r.a\\z" -> "s.b";"#), "{dot}");
        let mermaid = mermaid(&graph, None);
        assert!(mermaid.contains(r#"n3["c #quot;q#quot; #lt;#35;#amp;#gt;"]"#), "{mermaid}");
        assert!(mermaid.contains("  class n0 start\n"), "{mermaid}");
    }
}
