//! The diagnostics of one file: what its parsers reported, then the project-level rules.
//!
//! // Rule: unregistered-table
//! A table the model reads that is neither a model, a seed nor an external model of the
//! project. SQLMesh accepts it but knows neither its columns nor that the model depends on
//! something outside the project; declare it in `external_models.yaml`.

use super::ParsedFile;
use super::references::references;
use crate::project::Project;
use crate::syntax::Diagnostic;

/// Every diagnostic of a parsed file, in text order.
pub fn diagnostics(project: &Project, file: &ParsedFile) -> Vec<Diagnostic> {
    let mut out = file.facts.diagnostics.clone();
    let own: Vec<_> = file.facts.models.iter().map(|m| &m.name).collect();
    let graph = project.graph();
    for reference in references(project, file) {
        if reference.definition || own.contains(&&reference.name) || graph.is_defined(&reference.name) {
            continue;
        }
        out.push(Diagnostic::warning(
            "unregistered-table",
            reference.span,
            format!("`{}` is not a model, seed or external model of this project", reference.name),
        ));
    }
    out.sort_by_key(|d| d.span);
    out
}
