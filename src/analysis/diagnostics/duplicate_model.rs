//! A model name defined by more than one file: SQL and Python models, seeds and the base
//! entries of `external_models.yaml` share one namespace.
//!
//! **Why:** SQLMesh refuses to load the project ("Duplicate model name(s) found"). Disabling
//! one copy with `enabled false` does not settle it: SQLMesh reads model files in parallel and
//! checks the name before skipping a disabled model, so the load fails whenever the disabled
//! copy is read last. Two disabled copies are fine, and an external model declared for a
//! `gateway` counts only when that gateway is the default (it replaces the base entry).
//!
//! **Example:** `models/orders.sql` and `models/orders_v2.sql` both say `name shop.orders`.
//!
//! **Fix:** rename one of them, or delete the old one.

use super::{Context, Rule};
use crate::analysis::{ParsedFile, parse};
use crate::project::facts::Syntax;
use crate::project::{FileRole, ModelName, Project};
use crate::syntax::{Diagnostic, Related, Severity, Span};
use std::path::Path;

pub const RULE: Rule = Rule {
    code: "duplicate-model",
    summary: "a model name defined by more than one file",
    default: Some(Severity::Error),
    sqlmesh: None,
    check,
};

fn check(cx: &Context, out: &mut Vec<Diagnostic>) {
    let own_id = cx.project.file_id(&cx.file.facts.path);
    for definition in definitions(cx.project, cx.file) {
        let name = &definition.name;
        let others: Vec<u32> = {
            let graph = cx.project.graph();
            let Some(definers) = graph.definers(name) else { continue };
            let mut others: Vec<u32> = definers.iter().copied().filter(|id| Some(*id) != own_id).collect();
            others.sort_unstable();
            others.dedup();
            others
        };
        // A disabled copy only races with the SQL models SQLMesh loads in the same pass.
        let sql_only = !definition.enabled;
        if sql_only && cx.file.facts.role != FileRole::SqlModel {
            continue;
        }
        let mut related = Vec::new();
        for id in others {
            let Some(facts) = cx.project.file(id) else { continue };
            if sql_only && facts.role != FileRole::SqlModel {
                continue;
            }
            for other in definitions_in(cx.project, &facts.path, name).into_iter().filter(|d| d.enabled) {
                related.push(Related {
                    path: facts.path.clone(),
                    span: other.span,
                    message: format!("`{name}` is also defined here"),
                });
            }
        }
        if related.is_empty() {
            continue;
        }
        let relative = |path: &Path| path.strip_prefix(&cx.project.root).unwrap_or(path).display().to_string();
        let mut places: Vec<String> = related.iter().map(|r| relative(&r.path)).collect();
        places.dedup();
        let places = places.join(", ");
        let message = if definition.enabled {
            format!("model `{name}` is defined more than once: also in {places}")
        } else {
            // SQLMesh checks for the name before it skips a disabled model, and reads files in
            // parallel: whether this copy fails the load depends on which file it reads first.
            format!("model `{name}` is also defined in {places} (this copy is disabled)")
        };
        let mut diagnostic = Diagnostic::error(RULE.code, definition.span, message);
        diagnostic.related = related;
        out.push(diagnostic);
    }
}

/// A model a file defines, where its name is written, and whether SQLMesh keeps it.
struct Definition {
    name: ModelName,
    span: Span,
    /// Not disabled with `enabled false`.
    enabled: bool,
}

/// Where another file defines `name` (its buffer when open, else the disk).
fn definitions_in(project: &Project, path: &Path, name: &ModelName) -> Vec<Definition> {
    let Some(text) = project.text(path) else { return Vec::new() };
    let Some(file) = parse(project, path, &text) else { return Vec::new() };
    definitions(project, &file).into_iter().filter(|d| &d.name == name).collect()
}

/// The models a file defines for SQLMesh to load: an external model declared for another
/// gateway than the default one is left out.
fn definitions(project: &Project, file: &ParsedFile) -> Vec<Definition> {
    let models = |enabled: bool| {
        file.facts.models.iter().map(move |m| Definition { name: m.name.clone(), span: m.name_span, enabled })
    };
    match &file.syntax {
        Syntax::Sql(_) | Syntax::Python(Some(_)) => {
            // The project read `enabled` with the variables rendered: disabled copies are kept
            // apart from the models.
            let disabled =
                file.facts.disabled.iter().map(|d| Definition { name: d.value.clone(), span: d.span, enabled: false });
            models(true).chain(disabled).collect()
        }
        Syntax::External(external) => {
            let selected = selected_gateway(project);
            let used = |gateway: &Option<String>| match (gateway, selected) {
                (None, _) => true,
                (Some(gateway), Some(selected)) => gateway.eq_ignore_ascii_case(selected),
                (Some(_), None) => false,
            };
            let loaded: Vec<Span> = external.models.iter().filter(|m| used(&m.gateway)).map(|m| m.name.span).collect();
            models(true).filter(|d| loaded.contains(&d.span)).collect()
        }
        _ => models(true).collect(),
    }
}

/// The gateway SQLMesh uses by default: `default_gateway`, else the first one configured.
fn selected_gateway(project: &Project) -> Option<&str> {
    let config = &project.settings.config;
    config
        .default_gateway
        .as_deref()
        .filter(|g| !g.is_empty())
        .or_else(|| config.gateways.first().map(|g| g.name.as_str()))
}
