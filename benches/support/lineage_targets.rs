//! What the language-server benchmark hovers and edits for column lineage, picked on the
//! generated project with meshls's own analysis, in-process, before the server starts:
//!
//! - column references whose lineage reaches far: in a child's query, a reference to a column
//!   of an upstream model, chosen among the columns of the models with the most downstream
//!   models at each depth of the DAG: the column whose downstream lineage spans the most models,
//!   the one with the longest upstream chain, then those reaching the most models either way;
//! - a model with about [`pick`]'s `downstream` models downstream (by `downstream_count`), a
//!   column of it to rename, the line of its final `SELECT` that names it, and a direct consumer
//!   whose query reads that column (so the rename leaves the consumer reading a missing column).

use meshls::analysis::lineage::{ColumnNode, ColumnTarget, Direction, column_at, column_graph};
use meshls::project::{ModelName, Project, Source, Workspace};
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

/// How many of the deepest-and-widest models' columns are weighed for the hovers.
const CANDIDATE_MODELS: usize = 12;
/// The hovered columns' models are at least this many models deep (external models and seeds:
/// 0, staging: 1).
const MIN_DEPTH: usize = 2;

/// A column reference to hover.
pub struct ColumnHover {
    pub path: PathBuf,
    /// Zero-based line and UTF-16 column (the generated files are ASCII).
    pub at: (u32, u32),
    /// The model whose query holds the reference.
    pub model: String,
    /// The column it reads.
    pub column: ColumnNode,
    /// The lineage of that column, as meshls computes it in-process: columns and models.
    pub upstream: (usize, usize),
    pub downstream: (usize, usize),
    /// How many steps up the column's farthest upstream column is (1: it reads sources only).
    pub chain: usize,
    /// Whether the column's model is the hub or downstream of it: an edit of the hub drops its
    /// cached schema, and those of its whole downstream lineage.
    pub below_hub: bool,
}

/// A column rename in a model with many downstream models, and an open consumer it breaks.
pub struct UpstreamEdit {
    pub path: PathBuf,
    pub model: String,
    /// `downstream_count` of the model.
    pub downstream: usize,
    pub column: String,
    /// The final `SELECT`'s line naming the column, zero-based, and its text before and after
    /// the rename (`... AS <column>_renamed`).
    pub line: u32,
    pub original: String,
    pub renamed: String,
    pub consumer: PathBuf,
    pub consumer_model: String,
    /// How many `unknown-column` diagnostics meshls gives the consumer in-process once the
    /// column is renamed (0: no such rule, or it does not see this reference).
    pub unknown_in_process: usize,
}

/// Loads the project at `root` and picks `hovers` column references (the first of a column of
/// `hub` or of a model downstream of it) and an edit of a model with about `downstream` models
/// downstream.
pub fn pick(root: &Path, hub: &str, hovers: usize, downstream: usize) -> (Vec<ColumnHover>, UpstreamEdit) {
    let workspace = Workspace::load(&[root.to_path_buf()]);
    let project: &Project = &workspace.projects[0];
    let names: Vec<ModelName> = project.graph().models().cloned().collect();
    for name in &names {
        project.schema(name);
    }
    let depth = depths(project);
    let sql: Vec<&ModelName> = names
        .iter()
        .filter(|n| project.model(n).is_some_and(|m| m.source == Source::Sql && m.query.is_some()))
        .collect();
    let counts: HashMap<&ModelName, usize> = {
        let graph = project.graph();
        sql.iter().map(|n| (*n, graph.downstream_count(n))).collect()
    };
    let hub = ModelName::from_canonical(hub);
    let hovers = column_hovers(project, &sql, &counts, &depth, &hub, hovers);
    (hovers, upstream_edit(project, &sql, &counts, downstream))
}

/// The longest path from a model to a model without parents (external models and seeds: 0).
fn depths(project: &Project) -> HashMap<ModelName, usize> {
    let graph = project.graph();
    let order = graph.topological_order().expect("the generated graph has no cycle");
    let mut depth: HashMap<ModelName, usize> = HashMap::new();
    for name in order {
        let d = graph.parents(&name).iter().filter_map(|p| depth.get(p)).map(|d| d + 1).max().unwrap_or(0);
        depth.insert(name, d);
    }
    depth
}

fn column_hovers(
    project: &Project,
    sql: &[&ModelName],
    counts: &HashMap<&ModelName, usize>,
    depth: &HashMap<ModelName, usize>,
    hub: &ModelName,
    wanted: usize,
) -> Vec<ColumnHover> {
    // Per depth, the models with the most downstream models.
    let mut by_depth: Vec<&ModelName> = sql.iter().copied().filter(|n| depth[*n] >= MIN_DEPTH).collect();
    by_depth.sort_by_key(|n| (depth[*n], std::cmp::Reverse(counts[n]), *n));
    let mut candidates = Vec::new();
    for (i, n) in by_depth.iter().enumerate() {
        if i == 0 || depth[by_depth[i - 1]] != depth[*n] {
            candidates.extend(by_depth[i..].iter().take_while(|m| depth[**m] == depth[*n]).take(CANDIDATE_MODELS));
        }
    }
    // Every column of the candidates with lineage both ways, with the extent of it.
    let mut weighed: Vec<ColumnHover> = Vec::new();
    for name in candidates {
        let below_hub = name == hub || project.graph().upstream(name).contains(hub);
        let schema = project.schema(name).expect("a model's schema");
        for column in schema.columns.iter().flatten() {
            let node: ColumnNode = (name.clone(), column.name.clone());
            let graph = column_graph(project, std::slice::from_ref(&node), Direction::Both, None);
            let side = |up: bool| {
                let nodes: Vec<_> = graph.nodes.iter().filter(|n| if up { n.depth < 0 } else { n.depth > 0 }).collect();
                let models: HashSet<&str> = nodes.iter().map(|n| n.model.as_str()).collect();
                (nodes.len(), models.len())
            };
            let (upstream, downstream) = (side(true), side(false));
            if upstream.0 > 0 && downstream.0 > 0 {
                let chain = graph.nodes.iter().map(|n| (-n.depth).max(0) as usize).max().unwrap_or(0);
                // Where to hover is looked for later, for the chosen columns only.
                let (path, at, model, column) = (PathBuf::new(), (0, 0), String::new(), node);
                weighed.push(ColumnHover { path, at, model, column, upstream, downstream, chain, below_hub });
            }
        }
    }
    // The widest downstream at or below the hub first, then the longest upstream chain (the
    // widest downstream among those), then the most models reached either way; one column per
    // model.
    type Order = fn(&ColumnHover) -> (bool, usize, usize);
    let orders: [Order; 3] = [
        |h| (h.below_hub, h.downstream.1, h.upstream.1),
        |h| (true, h.chain, h.downstream.1),
        |h| (true, h.upstream.1 + h.downstream.1, h.chain),
    ];
    let mut out: Vec<ColumnHover> = Vec::new();
    for (i, order) in orders.iter().enumerate() {
        weighed.sort_by_key(|h| (std::cmp::Reverse(order(h)), h.column.clone()));
        let until = if i + 1 < orders.len() { (out.len() + 1).min(wanted) } else { wanted };
        let mut rest = Vec::new();
        for h in std::mem::take(&mut weighed) {
            let fresh = out.len() < until && !out.iter().any(|o| o.column.0 == h.column.0);
            match fresh.then(|| reference_to(project, &h.column)).flatten() {
                Some((path, model, at)) => out.push(ColumnHover { path, at, model, ..h }),
                None => rest.push(h),
            }
        }
        weighed = rest;
    }
    assert!(!out.is_empty(), "a column reference to hover");
    out
}

/// A reference to `node` in the query of one of its model's children: the file, the child and
/// the position of the column's name.
fn reference_to(project: &Project, node: &ColumnNode) -> Option<(PathBuf, String, (u32, u32))> {
    let children = project.graph().children(&node.0);
    for child in children {
        let Some(model) = project.model(&child).filter(|m| m.query.is_some()) else { continue };
        let path = file_of(project, &child)?;
        let text = std::fs::read_to_string(&path).ok()?;
        let needle = format!(".{}", node.1);
        for (at, _) in text.match_indices(&needle) {
            let offset = at + 1;
            let end = offset + node.1.len();
            if text[end..].starts_with(|c: char| c.is_alphanumeric() || c == '_') {
                continue;
            }
            let found = column_at(project, &model, offset + 1);
            if matches!(found, Some((ColumnTarget::Model(n), _)) if n == *node) {
                return Some((path, child.to_string(), line_col(&text, offset + 1)));
            }
        }
    }
    None
}

fn upstream_edit(
    project: &Project,
    sql: &[&ModelName],
    counts: &HashMap<&ModelName, usize>,
    target: usize,
) -> UpstreamEdit {
    let mut candidates: Vec<&ModelName> = sql.to_vec();
    candidates.sort_by_key(|n| (counts[n].abs_diff(target), *n));
    for model in candidates.into_iter().take(50) {
        let Some(path) = file_of(project, model) else { continue };
        let Ok(text) = std::fs::read_to_string(&path) else { continue };
        let schema = project.schema(model).expect("a model's schema");
        // Bound first: the rename below needs the graph's write lock.
        let children = project.graph().children(model);
        for child in children {
            let Some(child_schema) = project.schema(&child) else { continue };
            let Some(child_path) = file_of(project, &child) else { continue };
            // The columns of the model the child computes its own columns from.
            let mut read: Vec<&str> = child_schema
                .lineage
                .iter()
                .flatten()
                .filter(|(m, c)| m == model && renamable(c))
                .map(|(_, c)| c.as_str())
                .collect();
            read.sort();
            read.dedup();
            for column in read {
                if schema.column(column).is_none() {
                    continue;
                }
                let Some((line, original, renamed)) = rename_line(&text, column) else { continue };
                let unknown = try_rename(project, &path, &text, line, &renamed, model, column, &child_path);
                let Some(unknown_in_process) = unknown else { continue };
                return UpstreamEdit {
                    path,
                    model: model.to_string(),
                    downstream: counts[model],
                    column: column.to_string(),
                    line,
                    original,
                    renamed,
                    consumer: child_path,
                    consumer_model: child.to_string(),
                    unknown_in_process,
                };
            }
        }
    }
    panic!("no model near {target} downstream models with a column a consumer reads");
}

/// Keys and timestamps join and filter models: renaming a measure or an attribute is enough.
fn renamable(column: &str) -> bool {
    !(column.ends_with("_id") || column.ends_with("_ts") || column.ends_with("_key") || column.ends_with("_date"))
}

/// The line of the final `SELECT` that names `column`, and that line with the column renamed.
fn rename_line(text: &str, column: &str) -> Option<(u32, String, String)> {
    let select = text.rfind("\nSELECT\n")? + "\nSELECT\n".len();
    let end = select + text[select..].find("\nFROM ")?;
    let first = text[..select].matches('\n').count();
    for (i, line) in text[select..end].lines().enumerate() {
        let code_end = line.find(" -- ").unwrap_or(line.len());
        let (expr, comma) = line[..code_end].strip_suffix(',').map_or((&line[..code_end], ""), |e| (e, ","));
        let alias = format!(" AS {column}");
        let renamed = if expr.ends_with(&alias) {
            format!("{expr}_renamed")
        } else if expr.trim() == column || expr.ends_with(&format!(".{column}")) {
            format!("{expr} AS {column}_renamed")
        } else {
            continue;
        };
        return Some(((first + i) as u32, line.to_string(), format!("{renamed}{comma}{}", &line[code_end..])));
    }
    None
}

/// Renames the column in-process and checks the model's schema follows; returns how many
/// `unknown-column` diagnostics the consumer then gets. Restores the file.
#[allow(clippy::too_many_arguments)]
fn try_rename(
    project: &Project,
    path: &Path,
    text: &str,
    line: u32,
    renamed: &str,
    model: &ModelName,
    column: &str,
    consumer: &Path,
) -> Option<usize> {
    let mut lines: Vec<&str> = text.split('\n').collect();
    lines[line as usize] = renamed;
    let edited = lines.join("\n");
    project.set_file(path, Some(edited.as_bytes()));
    let schema = project.schema(model)?;
    let follows = schema.column(column).is_none() && schema.column(&format!("{column}_renamed")).is_some();
    let consumer_text = std::fs::read_to_string(consumer).ok()?;
    let unknown = meshls::analysis::parse(project, consumer, &consumer_text).map_or(0, |file| {
        let found = meshls::analysis::diagnostics::diagnostics(project, &file, &consumer_text);
        found.iter().filter(|d| d.code == "unknown-column").count()
    });
    project.set_file(path, Some(text.as_bytes()));
    assert!(project.schema(model).is_some_and(|s| s.column(column).is_some()), "the file is restored");
    follows.then_some(unknown)
}

fn file_of(project: &Project, name: &ModelName) -> Option<PathBuf> {
    let id = *project.graph().definers(name)?.first()?;
    project.file(id).map(|f| f.path.clone())
}

/// The zero-based line and column of byte `offset` in ASCII `text`.
fn line_col(text: &str, offset: usize) -> (u32, u32) {
    let line_start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
    (text[..offset].matches('\n').count() as u32, (offset - line_start) as u32)
}
