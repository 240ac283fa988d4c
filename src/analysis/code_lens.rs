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
