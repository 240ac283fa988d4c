//! Go to definition.
//!
//! // Feature: Go to Definition
//! On a model reference (`FROM sushi.orders`, any case or quoting, a `depends_on` entry, a
//! Python model's `context.resolve_table("...")`), jumps to where the model is defined: the
//! `name` in its MODEL block, its entry in the external models YAML, or its `@model` decorator.

use super::ParsedFile;
use super::references::reference_at;
use crate::project::Project;
use crate::syntax::Span;
use std::path::PathBuf;

/// Where something is defined.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    pub path: PathBuf,
    pub span: Span,
}

/// The definitions of the model referenced at `offset`.
pub fn definition(project: &Project, file: &ParsedFile, offset: usize) -> Vec<Target> {
    let Some(reference) = reference_at(project, file, offset) else { return Vec::new() };
    let graph = project.graph();
    let Some(definers) = graph.definers(&reference.name) else { return Vec::new() };
    definers
        .iter()
        .filter_map(|&id| project.file(id))
        .filter_map(|facts| {
            let model = facts.models.iter().find(|m| m.name == reference.name)?;
            Some(Target { path: facts.path.clone(), span: model.name_span })
        })
        .collect()
}
