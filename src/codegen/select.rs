//! Which models a generated module covers: selection expressions as SQLMesh and dbt users
//! write them (`mart.top_tracks`, `mart.*`, `tag:finance`, `+mart.top_tracks`,
//! `stage.plays+`).

use crate::project::{Model, ModelGraph, ModelName};
use std::collections::BTreeSet;

/// The models `select` picks (every model when it is empty) less those `exclude` picks.
pub fn selected(models: &[&Model], graph: &ModelGraph, select: &[String], exclude: &[String]) -> BTreeSet<ModelName> {
    let mut chosen: BTreeSet<ModelName> = if select.is_empty() {
        models.iter().map(|m| m.name.clone()).collect()
    } else {
        select.iter().flat_map(|e| matches(models, graph, e)).collect()
    };
    for expression in exclude {
        for name in matches(models, graph, expression) {
            chosen.remove(&name);
        }
    }
    chosen
}

/// The models one expression picks.
fn matches(models: &[&Model], graph: &ModelGraph, expression: &str) -> BTreeSet<ModelName> {
    let expression = expression.trim();
    let (upstream, rest) = match expression.strip_prefix('+') {
        Some(rest) => (true, rest),
        None => (false, expression),
    };
    let (downstream, pattern) = match rest.strip_suffix('+') {
        Some(rest) => (true, rest),
        None => (false, rest),
    };
    let mut found: BTreeSet<ModelName> =
        models.iter().filter(|m| is_match(m, pattern)).map(|m| m.name.clone()).collect();
    let roots: Vec<ModelName> = found.iter().cloned().collect();
    for name in &roots {
        if upstream {
            found.extend(graph.upstream(name));
        }
        if downstream {
            found.extend(graph.downstream(name));
        }
    }
    // The graph also knows names no file defines (a table read but never declared).
    let defined: BTreeSet<&ModelName> = models.iter().map(|m| &m.name).collect();
    found.retain(|n| defined.contains(n));
    found
}

fn is_match(model: &Model, pattern: &str) -> bool {
    if let Some(tag) = pattern.strip_prefix("tag:") {
        return model.tags.iter().any(|t| glob(&t.to_lowercase(), &tag.to_lowercase()));
    }
    glob(model.name.as_str(), pattern) || glob(&model.name.as_str().to_lowercase(), &pattern.to_lowercase())
}

/// `*` matches any run of characters; everything else itself.
fn glob(text: &str, pattern: &str) -> bool {
    let Some((first, rest)) = pattern.split_once('*') else { return text == pattern };
    let Some(mut text) = text.strip_prefix(first) else { return false };
    let pieces: Vec<&str> = rest.split('*').collect();
    for (i, piece) in pieces.iter().enumerate() {
        if i == pieces.len() - 1 {
            return text.ends_with(piece);
        }
        match text.find(piece) {
            Some(at) => text = &text[at + piece.len()..],
            None => return false,
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::glob;

    #[test]
    fn globs() {
        assert!(glob("mart.top", "mart.*"));
        assert!(glob("mart.top", "*.top"));
        assert!(glob("mart.top", "*"));
        assert!(glob("mart.top", "m*t.t*p"));
        assert!(!glob("stage.top", "mart.*"));
        assert!(!glob("mart.top", "mart.to"));
    }
}
