//! The model DAG: one node per model name (defined or only referenced), one edge per
//! declared dependency, tagged with the file that declared it. Replacing a file touches only
//! that file's nodes and edges.

use super::names::ModelName;
use petgraph::Direction;
use petgraph::algo::tarjan_scc;
use petgraph::stable_graph::{NodeIndex, StableDiGraph};
use petgraph::visit::{EdgeRef, NodeIndexable};
use std::collections::{HashMap, HashSet, VecDeque};

/// Identifies one file of a workspace.
pub type FileId = u32;

/// What a file contributes to the graph: the models it defines and each one's dependencies.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FileEdges {
    pub models: Vec<(ModelName, Vec<ModelName>)>,
}

#[derive(Debug)]
struct Node {
    name: ModelName,
    /// Files that define a model of this name (more than one is a duplicate).
    definers: Vec<FileId>,
}

/// The dependency graph of one project. Edges point from a model to the models that read it
/// (upstream → downstream).
#[derive(Debug, Default)]
pub struct ModelGraph {
    graph: StableDiGraph<Node, FileId>,
    nodes: HashMap<ModelName, NodeIndex>,
}

impl ModelGraph {
    pub fn new() -> ModelGraph {
        ModelGraph::default()
    }

    fn node(&mut self, name: &ModelName) -> NodeIndex {
        if let Some(&index) = self.nodes.get(name) {
            return index;
        }
        let index = self.graph.add_node(Node { name: name.clone(), definers: Vec::new() });
        self.nodes.insert(name.clone(), index);
        index
    }

    /// Drops a node nobody defines and nothing points at or from.
    fn collect(&mut self, index: NodeIndex) {
        let Some(node) = self.graph.node_weight(index) else { return };
        if node.definers.is_empty() && self.graph.neighbors_undirected(index).next().is_none() {
            let name = node.name.clone();
            self.graph.remove_node(index);
            self.nodes.remove(&name);
        }
    }

    /// Replaces what `file` contributed (`old`) with `new`.
    pub fn replace_file(&mut self, file: FileId, old: &FileEdges, new: &FileEdges) {
        if old == new {
            return;
        }
        let mut touched = Vec::new();
        for (model, deps) in &old.models {
            let Some(&target) = self.nodes.get(model) else { continue };
            for dep in deps {
                let Some(&source) = self.nodes.get(dep) else { continue };
                let edge = self.graph.edges_connecting(source, target).find(|e| *e.weight() == file).map(|e| e.id());
                if let Some(edge) = edge {
                    self.graph.remove_edge(edge);
                }
                touched.push(source);
            }
            if let Some(node) = self.graph.node_weight_mut(target)
                && let Some(at) = node.definers.iter().position(|f| *f == file)
            {
                node.definers.remove(at);
            }
            touched.push(target);
        }
        for (model, deps) in &new.models {
            let target = self.node(model);
            self.graph[target].definers.push(file);
            for dep in deps {
                let source = self.node(dep);
                self.graph.add_edge(source, target, file);
            }
        }
        for index in touched {
            self.collect(index);
        }
    }

    /// Whether some file defines `name`.
    pub fn is_defined(&self, name: &ModelName) -> bool {
        self.definers(name).is_some_and(|d| !d.is_empty())
    }

    /// The files defining `name`.
    pub fn definers(&self, name: &ModelName) -> Option<&[FileId]> {
        self.nodes.get(name).map(|&i| self.graph[i].definers.as_slice())
    }

    /// Defined model names, in no particular order.
    pub fn models(&self) -> impl Iterator<Item = &ModelName> {
        self.graph.node_weights().filter(|n| !n.definers.is_empty()).map(|n| &n.name)
    }

    fn neighbors(&self, name: &ModelName, direction: Direction) -> Vec<ModelName> {
        let Some(&index) = self.nodes.get(name) else { return Vec::new() };
        let mut out: Vec<ModelName> =
            self.graph.neighbors_directed(index, direction).map(|i| self.graph[i].name.clone()).collect();
        out.sort();
        out.dedup();
        out
    }

    /// The models `name` reads directly.
    pub fn parents(&self, name: &ModelName) -> Vec<ModelName> {
        self.neighbors(name, Direction::Incoming)
    }

    /// The models that read `name` directly.
    pub fn children(&self, name: &ModelName) -> Vec<ModelName> {
        self.neighbors(name, Direction::Outgoing)
    }

    fn reachable(&self, name: &ModelName, direction: Direction) -> Vec<ModelName> {
        let Some(&start) = self.nodes.get(name) else { return Vec::new() };
        let mut seen = HashSet::from([start]);
        let mut queue = VecDeque::from([start]);
        let mut out = Vec::new();
        while let Some(index) = queue.pop_front() {
            for next in self.graph.neighbors_directed(index, direction) {
                if seen.insert(next) {
                    out.push(self.graph[next].name.clone());
                    queue.push_back(next);
                }
            }
        }
        out.sort();
        out
    }

    /// The nodes reachable from `start` in `direction` (not `start` itself, unless a cycle
    /// leads back to it), as a table over node indices: a walk without clones or hashing, for
    /// counts and set operations over models with thousands of dependents.
    fn reachable_table(&self, start: NodeIndex, direction: Direction) -> Vec<bool> {
        let mut seen = vec![false; self.graph.node_bound()];
        let mut stack = vec![start];
        while let Some(index) = stack.pop() {
            for next in self.graph.neighbors_directed(index, direction) {
                if !std::mem::replace(&mut seen[next.index()], true) {
                    stack.push(next);
                }
            }
        }
        seen
    }

    fn reachable_count(&self, name: &ModelName, direction: Direction) -> usize {
        let Some(&start) = self.nodes.get(name) else { return 0 };
        let seen = self.reachable_table(start, direction);
        seen.iter().enumerate().filter(|&(i, &s)| s && i != start.index()).count()
    }

    /// The cycle `name` is part of: every model both upstream and downstream of it (its
    /// strongly connected component), itself included, sorted; None when it is in no cycle.
    /// Costs a walk of the model's neighbourhood, not of the whole graph.
    pub fn cycle_of(&self, name: &ModelName) -> Option<Vec<ModelName>> {
        let &start = self.nodes.get(name)?;
        let down = self.reachable_table(start, Direction::Outgoing);
        if !down[start.index()] {
            return None;
        }
        let up = self.reachable_table(start, Direction::Incoming);
        let mut members: Vec<ModelName> = self
            .graph
            .node_indices()
            .filter(|i| down[i.index()] && up[i.index()])
            .map(|i| self.graph[i].name.clone())
            .collect();
        members.sort();
        Some(members)
    }

    /// How many models `name` depends on, transitively.
    pub fn upstream_count(&self, name: &ModelName) -> usize {
        self.reachable_count(name, Direction::Incoming)
    }

    /// How many models depend on `name`, transitively.
    pub fn downstream_count(&self, name: &ModelName) -> usize {
        self.reachable_count(name, Direction::Outgoing)
    }

    /// Every model `name` depends on, transitively.
    pub fn upstream(&self, name: &ModelName) -> Vec<ModelName> {
        self.reachable(name, Direction::Incoming)
    }

    /// Every model that depends on `name`, transitively.
    pub fn downstream(&self, name: &ModelName) -> Vec<ModelName> {
        self.reachable(name, Direction::Outgoing)
    }

    /// The cycles of the graph: each strongly connected component of more than one model, or
    /// a model that reads itself, sorted by name.
    pub fn cycles(&self) -> Vec<Vec<ModelName>> {
        let mut cycles: Vec<Vec<ModelName>> = tarjan_scc(&self.graph)
            .into_iter()
            .filter(|scc| scc.len() > 1 || self.graph.find_edge(scc[0], scc[0]).is_some())
            .map(|scc| {
                let mut names: Vec<ModelName> = scc.into_iter().map(|i| self.graph[i].name.clone()).collect();
                names.sort();
                names
            })
            .collect();
        cycles.sort();
        cycles
    }

    /// Every name in dependency order (upstream first); Err with the cycles when there are any.
    pub fn topological_order(&self) -> Result<Vec<ModelName>, Vec<Vec<ModelName>>> {
        petgraph::algo::toposort(&self.graph, None)
            .map(|order| order.into_iter().map(|i| self.graph[i].name.clone()).collect())
            .map_err(|_| self.cycles())
    }

    pub fn node_count(&self) -> usize {
        self.graph.node_count()
    }

    pub fn edge_count(&self) -> usize {
        self.graph.edge_count()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn n(s: &str) -> ModelName {
        ModelName::from_canonical(s)
    }

    fn edges(models: &[(&str, &[&str])]) -> FileEdges {
        FileEdges { models: models.iter().map(|(m, deps)| (n(m), deps.iter().map(|d| n(d)).collect())).collect() }
    }

    #[test]
    fn replaces_one_file() {
        let mut graph = ModelGraph::new();
        graph.replace_file(1, &FileEdges::default(), &edges(&[("a", &[])]));
        graph.replace_file(2, &FileEdges::default(), &edges(&[("b", &["a"])]));
        graph.replace_file(3, &FileEdges::default(), &edges(&[("c", &["b", "raw.x"])]));
        assert_eq!(graph.downstream(&n("a")), vec![n("b"), n("c")]);
        assert_eq!(graph.upstream(&n("c")), vec![n("a"), n("b"), n("raw.x")]);
        assert_eq!((graph.upstream_count(&n("c")), graph.downstream_count(&n("a"))), (3, 2));
        assert!(!graph.is_defined(&n("raw.x")));
        // c stops reading raw.x: its node goes away.
        graph.replace_file(3, &edges(&[("c", &["b", "raw.x"])]), &edges(&[("c", &["a"])]));
        assert_eq!(graph.parents(&n("c")), vec![n("a")]);
        assert!(graph.definers(&n("raw.x")).is_none());
        assert_eq!(graph.topological_order().unwrap().first(), Some(&n("a")));
        // A cycle, then its removal.
        graph.replace_file(1, &edges(&[("a", &[])]), &edges(&[("a", &["c"])]));
        assert_eq!(graph.cycles(), vec![vec![n("a"), n("c")]]);
        assert_eq!(graph.cycle_of(&n("c")), Some(vec![n("a"), n("c")]));
        assert_eq!(graph.cycle_of(&n("b")), None);
        assert!(graph.topological_order().is_err());
        graph.replace_file(1, &edges(&[("a", &["c"])]), &FileEdges::default());
        assert!(graph.cycles().is_empty());
        assert_eq!(graph.node_count(), 3);
    }

    #[test]
    fn duplicates_keep_both_definers() {
        let mut graph = ModelGraph::new();
        graph.replace_file(1, &FileEdges::default(), &edges(&[("a", &["x"])]));
        graph.replace_file(2, &FileEdges::default(), &edges(&[("a", &["y"])]));
        assert_eq!(graph.definers(&n("a")), Some(&[1, 2][..]));
        graph.replace_file(1, &edges(&[("a", &["x"])]), &FileEdges::default());
        assert_eq!(graph.parents(&n("a")), vec![n("y")]);
        assert_eq!(graph.definers(&n("a")), Some(&[2][..]));
    }
}
