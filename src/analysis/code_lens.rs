//! Code lens.
//!
//! // Feature: Code Lens
//! Above each model (the `MODEL` keyword, a Python model's `@model` decorator, an external
//! model's YAML entry), how many models it depends on and how many depend on it, transitively:
//! `↑ 3 upstream · ↓ 12 downstream`, with both lists of names for a command that shows them.

use super::ParsedFile;
use crate::project::facts::Syntax;
use crate::project::{ModelName, Project};
use crate::syntax::Span;

/// One lens: where it sits, its title and the models it counts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CodeLens {
    pub span: Span,
    pub model: ModelName,
    /// `↑ 3 upstream · ↓ 12 downstream`.
    pub title: String,
    /// Every model `model` depends on, transitively, sorted.
    pub upstream: Vec<ModelName>,
    /// Every model that depends on `model`, transitively, sorted.
    pub downstream: Vec<ModelName>,
}

/// The lenses of a parsed file, one per model it defines.
pub fn code_lens(project: &Project, file: &ParsedFile) -> Vec<CodeLens> {
    let graph = project.graph();
    file.facts
        .models
        .iter()
        .map(|model| {
            let span = match &file.syntax {
                Syntax::Sql(sql) => sql.block.as_ref().map_or(model.name_span, |b| b.keyword.span),
                Syntax::Python(Some(python)) => Span::at(python.decorator.start as usize),
                _ => model.name_span,
            };
            let upstream = graph.upstream(&model.name);
            let downstream = graph.downstream(&model.name);
            CodeLens {
                span,
                model: model.name.clone(),
                title: format!("↑ {} upstream · ↓ {} downstream", upstream.len(), downstream.len()),
                upstream,
                downstream,
            }
        })
        .collect()
}

/// How many names of each list [`dependencies_message`] shows.
const SHOWN: usize = 30;

/// A lens's lists as a message, one line per direction: how many models, then the first
/// [`SHOWN`] names and how many more.
pub fn dependencies_message(model: &str, upstream: &[&str], downstream: &[&str]) -> String {
    let mut out = String::new();
    for (direction, names) in [("upstream", upstream), ("downstream", downstream)] {
        let mut line = format!("{model}: {} {direction}", names.len());
        if !names.is_empty() {
            line.push_str(": ");
            line.push_str(&names[..names.len().min(SHOWN)].join(", "));
            if names.len() > SHOWN {
                line.push_str(&format!(", … {} more", names.len() - SHOWN));
            }
        }
        out.push_str(&line);
        out.push('\n');
    }
    out.trim_end().to_string()
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_message_lists_the_first_names_and_counts_the_rest() {
        let many: Vec<String> = (0..32).map(|i| format!("m{i}")).collect();
        let many: Vec<&str> = many.iter().map(String::as_str).collect();
        let message = super::dependencies_message("a.b", &[], &many);
        let (up, down) = message.split_once('\n').unwrap();
        assert_eq!(up, "a.b: 0 upstream");
        assert!(down.starts_with("a.b: 32 downstream: m0, m1,") && down.ends_with("m29, … 2 more"), "{down}");
    }
}
